package email

import (
	"context"

	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/survey"
)

// Links are the addresses an invitation e-mail carries for one key.
type Links struct {
	Web         string // the personal web form
	Telegram    string // the bot's deep link, "" without a bot
	Unsubscribe string
}

// Inviter sends campaign invitations and reminders by e-mail.
type Inviter struct {
	Sender Sender
	Links  func(key string) Links
}

// SendInvite composes a campaign message and sends it. Its errors are
// classified for the campaign runner: a message that cannot be composed and
// a refusal for good (an unknown recipient, a refused sender) are
// Permanent; a temporary refusal (an SMTP 4xx answer: the server did not
// take it) is NotSent; anything else may have reached the server.
func (i Inviter) SendInvite(ctx context.Context, inv survey.Invite) error {
	l := i.Links(inv.Key)
	kind := Invitation
	if inv.Reminder {
		kind = Reminder
	}
	msg, err := Compose(Invite{Kind: kind, Lang: inv.Lang, To: inv.To, Chamber: inv.Chamber,
		WebLink: l.Web, TelegramLink: l.Telegram, UnsubscribeLink: l.Unsubscribe, Deadline: inv.Deadline})
	if err != nil {
		return outbox.Permanent(err)
	}
	switch err := i.Sender.Send(ctx, msg); {
	case err == nil:
		return nil
	case !IsTemporary(err):
		return outbox.Permanent(err)
	case isRefusal(err):
		return outbox.NotSent(err)
	default:
		return err
	}
}
