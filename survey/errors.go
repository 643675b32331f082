package survey

import "errors"

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a response changed since its state was read;
// the caller reloads and tries again.
var ErrConflict = errors.New("response changed concurrently")
