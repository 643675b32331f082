package survey

import (
	"errors"

	"github.com/surveybot/surveybot/dialogs"
)

// Session is the live state of one response's dialog, with the response's
// seq at the time it was saved. SQL stays the truth: a session whose seq is
// behind the response's is stale and gets rebuilt.
type Session struct {
	State dialogs.State `json:"state"`
	Seq   int64         `json:"seq"`
}

// ErrBusy is returned when a response's lock could not be taken in time.
var ErrBusy = errors.New("response is busy")
