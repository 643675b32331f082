package survey

import "errors"

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a response changed since its state was read;
// the caller reloads and tries again.
var ErrConflict = errors.New("response changed concurrently")

// ErrUnstorable is returned when the database refused a value as such (a
// NUL in text, invalid UTF-8): trying again would fail the same way, so
// the input is refused, not delivered again.
var ErrUnstorable = errors.New("value cannot be stored")
