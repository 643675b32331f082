package campaigns

import (
	"context"

	"github.com/surveybot/surveybot/survey"
)

// InviteSender sends campaign messages on one channel. An error with an
// After() time.Duration method means the platform refused for now (429)
// and nothing was sent; one with Permanent() bool true will not succeed
// on retry (an unknown address, a blocked bot); one with NotSent() bool
// true (outbox.NotSent), or a
// connection never made, is retried. Any other error may have come after
// the platform took the message, so it is not sent again.
type InviteSender interface {
	SendInvite(ctx context.Context, inv survey.Invite) error
}

// Limiter paces sends: Wait blocks until key (a recipient) may get a
// message within the channel's limits. The send queues' limiters fit, so
// dialogs and broadcasts share one budget (across instances with Redis).
type Limiter interface {
	Wait(ctx context.Context, key string) error
}
