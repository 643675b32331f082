package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/survey"
)

// actStart is the action kind of a campaign message's button: its value is
// the invitation key, and pressing it starts the invited response as
// /umfrage start <key> would.
const actStart = "s"

// SendInvitation sends a campaign's invitation or reminder as a direct
// message now, not through the send queue: the caller paces campaign
// sends and records each outcome. userIDOrEmail is a Slack user id or the
// address the member uses in Slack (ErrNoUser if nobody has it). The
// message is text with one button, labelled label, that starts the
// response of the invitation key. Errors are classified like the send
// queue's: a 429 has an After() time.Duration, an unknown user or a
// refused DM is Permanent().
func (c *Channel) SendInvitation(ctx context.Context, userIDOrEmail, text, label, key string) error {
	user, err := c.resolveUser(ctx, userIDOrEmail)
	if err != nil {
		return err
	}
	channel, err := c.openDM(ctx, user)
	if err != nil {
		return classify(err)
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, clip(text, maxSectionText), false, false), nil, nil),
		slack.NewActionBlock("start", button(label, actionID(actStart, "", key), key)),
	}
	_, _, err = c.api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, true), slack.MsgOptionBlocks(blocks...))
	return classify(err)
}

// SendInvite sends a campaign message (campaigns.InviteSender): inv.To is
// the member's Slack user id or address; a member Slack does not know is
// Permanent.
func (c *Channel) SendInvite(ctx context.Context, inv survey.Invite) error {
	err := c.SendInvitation(ctx, inv.To, inv.Text(), inv.StartLabel(), inv.Key)
	if errors.Is(err, ErrNoUser) {
		return outbox.Permanent(err)
	}
	return err
}

// resolveUser returns the user id of a Slack user id or e-mail address
// (users.lookupByEmail), or ErrNoUser.
func (c *Channel) resolveUser(ctx context.Context, userIDOrEmail string) (string, error) {
	user := strings.TrimSpace(userIDOrEmail)
	if strings.Contains(user, "@") {
		u, err := c.api.GetUserByEmailContext(ctx, user)
		var resp slack.SlackErrorResponse
		if errors.As(err, &resp) && (resp.Err == "users_not_found" || resp.Err == "user_not_found") {
			return "", ErrNoUser
		}
		if err != nil {
			return "", classify(fmt.Errorf("users.lookupByEmail: %w", err))
		}
		user = u.ID
	}
	if user == "" {
		return "", ErrNoUser
	}
	return user, nil
}
