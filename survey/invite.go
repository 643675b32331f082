package survey

import (
	"fmt"
	"time"

	"github.com/surveybot/surveybot/dialogs"
)

// Invite is one campaign message for a channel to send.
type Invite struct {
	MessageID string // the message's id: the same for every attempt at it
	Reminder  bool   // a reminder, not the first invitation
	Lang      dialogs.Lang
	Chamber   string    // the inviting chamber's name
	Key       string    // the personal invitation key
	To        string    // e-mail address, Telegram chat id, or Slack user id or e-mail
	Deadline  time.Time // the campaign's end
}

// Text is the message of an invitation or reminder on Telegram or Slack.
func (inv Invite) Text() string {
	k := dialogs.UICampaignInvitation
	if inv.Reminder {
		k = dialogs.UICampaignReminder
	}
	return fmt.Sprintf(k.In(inv.Lang), inv.Chamber)
}

// StartLabel is the label of the button that starts the survey.
func (inv Invite) StartLabel() string { return dialogs.UICampaignStart.In(inv.Lang) }
