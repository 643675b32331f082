package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/surveybot/surveybot/dialogs"
)

// Invite sends a personal invitation as a direct message. userIDOrEmail is
// a Slack user id or an e-mail address, resolved with users.lookupByEmail
// (ErrNoUser if no member has it). The DM is opened (conversations.open),
// slack:<user id> is linked to the invitation's respondent, so that a
// response begun elsewhere continues here, and the current prompt (the
// consent for a new response) is queued for posting. Errors of
// StartInvitation (bot.ErrUnknownInvitation, bot.ErrExpiredInvitation) and
// of the Web API (*slack.RateLimitedError among them) are returned wrapped.
func (c *Channel) Invite(ctx context.Context, userIDOrEmail, key string) error {
	user, err := c.resolveUser(ctx, userIDOrEmail)
	if err != nil {
		return err
	}
	channel, err := c.openDM(ctx, user)
	if err != nil {
		return err
	}
	who := identity(user)
	r, err := c.conv.StartInvitation(ctx, who, key)
	if err != nil {
		return fmt.Errorf("start invitation: %w", err)
	}
	if r.Phase == dialogs.PhasePaused {
		if r, err = c.conv.Handle(ctx, who, dialogs.Input{Command: dialogs.CmdResume}); err != nil {
			return err
		}
	}
	c.sendText(user, channel, dialogs.UISlackInvited.In(r.Lang))
	c.closeQuestion(user, channel, "")
	c.deliver(user, channel, r, false)
	return nil
}

// Post queues a message for a channel, such as the weekly digest: the
// text, then, if png is not empty, the image uploaded beside it (files
// upload v2: files.getUploadURLExternal, the upload, then
// files.completeUploadExternal into the channel). Both go through the send
// queue and its limits, in that order; Post returns once they are queued.
func (c *Channel) Post(ctx context.Context, channelID, text string, png []byte, filename string) error {
	if channelID == "" {
		return errors.New("slack post: no channel")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	send := func(call func(ctx context.Context) error) error {
		return c.out.Enqueue(outboxMessage(channelID, call))
	}
	if text != "" {
		err := send(func(ctx context.Context) error {
			// Escaped: the text is plain (the digest's "n<5", names from a
			// questionnaire file), and mrkdwn would read <!channel> as a ping.
			_, _, err := c.api.PostMessageContext(ctx, channelID, slack.MsgOptionText(text, true))
			return err
		})
		if err != nil {
			return fmt.Errorf("queue digest text: %w", err)
		}
	}
	if len(png) == 0 {
		return nil
	}
	if filename == "" {
		filename = "digest.png"
	}
	img := bytes.Clone(png)
	err := send(func(ctx context.Context) error {
		_, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(img), FileSize: len(img), Filename: filename, Title: filename, Channel: channelID,
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("queue digest image: %w", err)
	}
	return nil
}
