package campaigns

import (
	"context"
	"fmt"
	"slices"

	"github.com/surveybot/surveybot/survey"
)

// Warning says that one of a campaign's channels is not configured on
// this deployment, so a launch queues nothing on it, and how many members
// with consent that leaves without an invitation: those reachable on it
// but on none of the campaign's configured channels.
type Warning struct {
	Channel survey.Channel `json:"channel"`
	Members int            `json:"members"`
	Message string         `json:"message"`
}

// Warnings returns the campaign's warnings (none if all its channels are
// configured).
func (c *Service) Warnings(ctx context.Context, p survey.Principal, id string) ([]Warning, error) {
	camp, err := c.campaignFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	var missing, configured []survey.Channel
	for _, ch := range camp.Channels {
		if slices.Contains(c.cfg.Channels, ch) {
			configured = append(configured, ch)
		} else {
			missing = append(missing, ch)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	ms, err := c.db.Members(ctx, camp.ChamberID)
	if err != nil {
		return nil, fmt.Errorf("campaign warnings: %w", err)
	}
	ws := make([]Warning, 0, len(missing))
	for _, ch := range missing {
		w := Warning{Channel: ch}
		for _, m := range ms {
			if m.Consent && reachable(ch, m) && !slices.ContainsFunc(configured, func(x survey.Channel) bool { return reachable(x, m) }) {
				w.Members++
			}
		}
		w.Message = fmt.Sprintf("channel %s is not configured on this server ([%s] in the config), so nothing goes out on it: %d member(s) reachable only on it left out", ch, ch, w.Members)
		ws = append(ws, w)
	}
	return ws, nil
}

// reachable reports whether a member has an address on a channel; for
// Telegram their preference, as whether they wrote to the bot shows only
// at launch.
func reachable(ch survey.Channel, m survey.Member) bool {
	switch ch {
	case survey.Email:
		return m.Email != ""
	case survey.Telegram:
		return m.Telegram
	case survey.Slack:
		return m.Slack != ""
	}
	return false
}
