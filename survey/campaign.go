package survey

import (
	"errors"
	"time"

	"github.com/surveybot/surveybot/dialogs"
)

// CampaignStatus is where a campaign stands.
type CampaignStatus string

// The statuses of a campaign.
const (
	CampaignDraft   CampaignStatus = "draft"   // created, nothing sent
	CampaignRunning CampaignStatus = "running" // launched: invitations and reminders go out
	CampaignPaused  CampaignStatus = "paused"  // nothing goes out until resumed
	CampaignEnded   CampaignStatus = "ended"   // past its end date
)

// ErrCampaignState is returned for an action the campaign's status does not
// allow, such as launching a paused campaign.
var ErrCampaignState = errors.New("not possible in the campaign's status")

// Campaign invites a chamber's members to a questionnaire over their
// channels, and reminds those who have not completed.
type Campaign struct {
	ID            string         `json:"id"`
	ChamberID     string         `json:"-"`
	ChamberCode   string         `json:"chamber"`
	ChamberName   string         `json:"chamber_name"`
	Name          string         `json:"name"`
	Questionnaire dialogs.Ref    `json:"questionnaire"`
	WaveID        string         `json:"-"`
	Wave          string         `json:"wave"`     // the wave's name
	Channels      []Channel      `json:"channels"` // in order of preference
	StartsAt      time.Time      `json:"starts_at"`
	EndsAt        time.Time      `json:"ends_at"`
	Reminders     []int          `json:"reminders"` // days after the invitation
	QuietFrom     string         `json:"quiet_from"`
	QuietUntil    string         `json:"quiet_until"`
	QuietSunday   bool           `json:"quiet_sunday"`
	Timezone      string         `json:"timezone"`
	Lang          dialogs.Lang   `json:"lang"`
	Personal      bool           `json:"personal"`
	OpenLink      string         `json:"open_link,omitempty"`
	Status        CampaignStatus `json:"status"`
	CreatedAt     time.Time      `json:"created_at"`
	LaunchedAt    *time.Time     `json:"launched_at,omitempty"`
}

// LaunchResult counts what a launch did.
type LaunchResult struct {
	Invited     int             `json:"invited"`     // invitations created and queued
	ByChannel   map[Channel]int `json:"by_channel"`  // of those, per channel
	Unreachable int             `json:"unreachable"` // members with consent but no address on the campaign's channels
	OptedOut    int             `json:"opted_out"`   // members who asked for no more messages
	NoConsent   int             `json:"no_consent"`  // members without consent to be contacted
}

// Reach is how a member can be reached.
type Reach struct {
	Email        string
	Telegram     bool   // prefers Telegram
	TelegramChat string // the chat of the member's respondent, known once they wrote to the bot
	Slack        string
}

// ChannelStats counts a campaign's invitations on one channel (the
// channel of the invitation message) and what became of them.
type ChannelStats struct {
	Channel   Channel `db:"channel" json:"channel"`
	Invited   int     `db:"invited" json:"invited"`
	Queued    int     `db:"queued" json:"queued"`
	Sending   int     `db:"sending" json:"sending"` // claimed; left so by a worker that died, it is not sent again
	Sent      int     `db:"sent" json:"sent"`
	Failed    int     `db:"failed" json:"failed"`
	Skipped   int     `db:"skipped" json:"skipped"`
	Opened    int     `db:"opened" json:"opened"`
	Consented int     `db:"consented" json:"consented"` // gave consent in the campaign's wave, not just opened a link
	Completed int     `db:"completed" json:"completed"`
	Reminders int     `db:"reminders" json:"reminders_sent"`
}

// DayStats counts one day (UTC) of a campaign.
type DayStats struct {
	Day       string `db:"day" json:"day"`
	Sent      int    `db:"sent" json:"sent"`
	Completed int    `db:"completed" json:"completed"`
}

// Reason counts the failed or skipped messages with one reason.
type Reason struct {
	Status string `db:"status" json:"status"`
	Reason string `db:"reason" json:"reason"`
	Count  int    `db:"n" json:"count"`
}

// CampaignStats is how a campaign goes.
type CampaignStats struct {
	Campaign  Campaign       `json:"campaign"`
	Total     ChannelStats   `json:"total"`
	ByChannel []ChannelStats `json:"by_channel"`
	ByDay     []DayStats     `json:"by_day"`
	Reasons   []Reason       `json:"reasons"`
}
