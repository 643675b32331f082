package outbox

import (
	"errors"
	"fmt"
	"time"
)

// ErrClosed is returned by Enqueue after Close, and passed to OnResult for
// the messages Close abandons.
var ErrClosed = errors.New("outbox closed")

// ErrFull is returned by Enqueue when Options.MaxQueued messages are pending.
var ErrFull = errors.New("outbox full")

// RetryAfter tells the queue that the platform refused a message for now
// (HTTP 429, Telegram's retry_after, Slack's Retry-After): the lane of the
// message's key pauses for d, then retries this message before any other of
// that key. Other keys go on. Such retries do not count as attempts, since
// the platform said when to come back; d below one millisecond is treated
// as Options.Backoff so that a careless platform cannot make the lane spin.
func RetryAfter(d time.Duration, err error) error {
	return &rateLimitedError{after: d, err: err}
}

// RetryAfterGlobal is RetryAfter for a limit of the whole account (Telegram's
// bulk limit, a Slack app limit): every key of the queue pauses for d.
func RetryAfterGlobal(d time.Duration, err error) error {
	return &rateLimitedError{after: d, global: true, err: err}
}

// Permanent marks an error that retrying cannot fix (a blocked bot, a chat
// that no longer exists, a malformed message): the queue logs it and drops
// the message. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

type rateLimitedError struct {
	after  time.Duration
	global bool
	err    error
}

func (e *rateLimitedError) Error() string {
	scope := ""
	if e.global {
		scope = "all keys "
	}
	if e.err == nil {
		return fmt.Sprintf("rate limited, %sretry after %s", scope, e.after)
	}
	return fmt.Sprintf("rate limited, %sretry after %s: %v", scope, e.after, e.err)
}

func (e *rateLimitedError) Unwrap() error { return e.err }

type permanentError struct{ err error }

func (e *permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// After is how long the platform asked to wait. Callers outside this
// package find it through an interface { After() time.Duration }.
func (e *rateLimitedError) After() time.Duration { return e.after }

// Permanent reports true: callers outside this package find it through an
// interface { Permanent() bool }.
func (e *permanentError) Permanent() bool { return true }

// NotSent marks an error after which the platform surely did not take the
// message (a mail server's temporary refusal): a campaign tries it again
// later, where after any other unclassified error it may not, lest the
// member get it twice. NotSent(nil) is nil.
func NotSent(err error) error {
	if err == nil {
		return nil
	}
	return &notSentError{err: err}
}

type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

// NotSent reports true: callers outside this package find it through an
// interface { NotSent() bool }.
func (e *notSentError) NotSent() bool { return true }
