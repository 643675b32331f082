package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/dialogs"
)

// question is a user's current question message, whose buttons are
// replaced by the answer once it is answered.
type question struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
	Item    string `json:"item"`
	Head    head   `json:"head"`
}

func questionKey(user string) string { return "slack:q:" + user }
func dmKey(user string) string       { return "slack:dm:" + user }
func lastKey(user string) string     { return "slack:last:" + user }
func greetedKey(user string) string  { return "slack:greeted:" + user }

// enqueue queues one call for a user (or a channel); calls with one key go
// out in order.
func (c *Channel) enqueue(key string, call func(ctx context.Context) error) {
	if err := c.out.Enqueue(outboxMessage(key, call)); err != nil {
		c.log.Error("queue message", slog.Any("error", err))
	}
}

// outboxMessage wraps a Web API call for the send queue, telling it how to
// treat the call's errors.
func outboxMessage(key string, call func(ctx context.Context) error) outbox.Message {
	return outbox.Message{Key: key, Send: func(ctx context.Context) error { return classify(call(ctx)) }}
}

// permanent reports whether a Web API error code is one that retrying
// will not fix: the user or channel is gone, the token is bad, or the
// message itself is wrong.
func permanent(code string) bool {
	switch code {
	case "channel_not_found", "not_in_channel", "invalid_auth", "is_archived",
		"user_not_found", "users_not_found", "account_inactive", "token_revoked",
		"not_authed", "missing_scope", "cannot_dm_bot", "user_disabled",
		"message_not_found", "cant_update_message", "edit_window_closed",
		"invalid_blocks", "invalid_blocks_format", "msg_too_long", "msg_blocks_too_long",
		"no_text", "restricted_action", "invalid_arguments":
		return true
	}
	return false
}

// classify tells the queue what to do with a Web API error.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var limited *slack.RateLimitedError
	var resp slack.SlackErrorResponse
	switch {
	case errors.As(err, &limited):
		return outbox.RetryAfter(max(limited.RetryAfter, time.Second), err)
	case errors.As(err, &resp) && permanent(resp.Err):
		return outbox.Permanent(err)
	}
	return err
}

// retryable reports whether a Web API error may go away by trying again.
func retryable(err error) bool {
	var resp slack.SlackErrorResponse
	return !(errors.As(err, &resp) && permanent(resp.Err))
}

// deliver sends a reply: a new question replaces the buttons of the one
// before with its answer; a repeated question (a help, a language switch,
// an error) updates the current message in place. What a button press got
// as an error, or as "already answered", goes to the presser alone
// (ephemeral), never into the DM.
func (c *Channel) deliver(user, channel string, r bot.Reply, pressed bool) {
	for _, p := range r.Prompts {
		switch p.Kind {
		case dialogs.PromptQuestion, dialogs.PromptConsent, dialogs.PromptConfirm:
			if p.Repeat {
				c.updateQuestion(user, channel, r.Lang, p)
				continue
			}
			c.closeQuestion(user, channel, r.Answered)
			c.sendQuestion(user, channel, r.Lang, p)
		case dialogs.PromptError, dialogs.PromptStale:
			if pressed {
				c.sendEphemeral(user, channel, "⚠️ "+p.Text)
			} else {
				c.sendText(user, channel, "⚠️ "+p.Text)
			}
		case dialogs.PromptSummary, dialogs.PromptGoodbye:
			c.closeQuestion(user, channel, r.Answered)
			c.sendText(user, channel, p.Text)
		default:
			c.sendText(user, channel, p.Text)
		}
	}
}

// rememberDM keeps the user's DM channel, learnt from an event in it.
func (c *Channel) rememberDM(ctx context.Context, user, channel string) {
	if channel == "" || channel[0] != 'D' {
		return
	}
	if err := c.kv.Set(ctx, dmKey(user), channel, userStateTTL); err != nil {
		c.log.Warn("remember DM channel", slog.Any("error", err))
	}
}

// dm returns the user's DM channel: channel if known, else the one
// remembered, else the one conversations.open opens.
func (c *Channel) dm(ctx context.Context, user, channel string) (string, error) {
	if channel != "" {
		return channel, nil
	}
	if v, ok, err := c.kv.Get(ctx, dmKey(user)); err == nil && ok {
		return v, nil
	}
	return c.openDM(ctx, user)
}

func (c *Channel) openDM(ctx context.Context, user string) (string, error) {
	ch, _, _, err := c.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
	if err != nil {
		return "", fmt.Errorf("conversations.open: %w", err)
	}
	c.rememberDM(ctx, user, ch.ID)
	return ch.ID, nil
}

func (c *Channel) sendText(user, channel, text string) {
	c.enqueue(user, func(ctx context.Context) error {
		ch, err := c.dm(ctx, user, channel)
		if err != nil {
			return err
		}
		_, _, err = c.api.PostMessageContext(ctx, ch, slack.MsgOptionText(text, true))
		return err
	})
}

// sendEphemeral shows text to the user alone, below the message they
// pressed a button on; it is not kept in the DM.
func (c *Channel) sendEphemeral(user, channel, text string) {
	c.enqueue(user, func(ctx context.Context) error {
		ch, err := c.dm(ctx, user, channel)
		if err != nil {
			return err
		}
		_, err = c.api.PostEphemeralContext(ctx, ch, user, slack.MsgOptionText(text, true))
		return err
	})
}

func (c *Channel) sendQuestion(user, channel string, lang dialogs.Lang, p dialogs.Prompt) {
	h := headOf(lang, p)
	bs := append(h.blocks(""), controls(lang, p)...)
	c.enqueue(user, func(ctx context.Context) error {
		ch, err := c.dm(ctx, user, channel)
		if err != nil {
			return err
		}
		ch, ts, err := c.api.PostMessageContext(ctx, ch, slack.MsgOptionText(h.Fallback, true), slack.MsgOptionBlocks(bs...))
		if err != nil {
			return err
		}
		c.track(ctx, user, question{Channel: ch, TS: ts, Item: p.Item, Head: h})
		return nil
	})
}

func (c *Channel) track(ctx context.Context, user string, q question) {
	b, _ := json.Marshal(q)
	if err := c.kv.Set(ctx, questionKey(user), string(b), userStateTTL); err != nil {
		c.log.Warn("remember question message", slog.Any("error", err))
	}
}

func (c *Channel) tracked(ctx context.Context, user string) (question, bool) {
	v, ok, err := c.kv.Get(ctx, questionKey(user))
	if err != nil || !ok {
		return question{}, false
	}
	var q question
	if json.Unmarshal([]byte(v), &q) != nil || q.TS == "" || q.Channel == "" {
		return question{}, false
	}
	return q, true
}

// updateQuestion shows a repeated prompt in the current question message,
// or as a new message if that shows another question or is unknown.
func (c *Channel) updateQuestion(user, channel string, lang dialogs.Lang, p dialogs.Prompt) {
	h := headOf(lang, p)
	bs := append(h.blocks(""), controls(lang, p)...)
	c.enqueue(user, func(ctx context.Context) error {
		if q, ok := c.tracked(ctx, user); ok && q.Item == p.Item {
			_, _, _, err := c.api.UpdateMessageContext(ctx, q.Channel, q.TS, slack.MsgOptionText(h.Fallback, true), slack.MsgOptionBlocks(bs...))
			if err == nil {
				c.track(ctx, user, question{Channel: q.Channel, TS: q.TS, Item: p.Item, Head: h})
				return nil
			}
			if retryable(err) {
				return err
			}
			// The message is gone: post the question anew.
		}
		ch, err := c.dm(ctx, user, channel)
		if err != nil {
			return err
		}
		ch, ts, err := c.api.PostMessageContext(ctx, ch, slack.MsgOptionText(h.Fallback, true), slack.MsgOptionBlocks(bs...))
		if err != nil {
			return err
		}
		c.track(ctx, user, question{Channel: ch, TS: ts, Item: p.Item, Head: h})
		return nil
	})
}

// closeQuestion takes the buttons off the user's current question message
// and shows the answer given, if any (chat.update).
func (c *Channel) closeQuestion(user, channel, answer string) {
	c.enqueue(user, func(ctx context.Context) error {
		q, ok := c.tracked(ctx, user)
		if !ok {
			return nil
		}
		_, _, _, err := c.api.UpdateMessageContext(ctx, q.Channel, q.TS, slack.MsgOptionText(q.Head.Fallback, true), slack.MsgOptionBlocks(q.Head.blocks(answer)...))
		if err != nil && retryable(err) {
			return err
		}
		// Done, or the message is gone: either way it is no longer current.
		_ = c.kv.Del(ctx, questionKey(user))
		return nil
	})
}
