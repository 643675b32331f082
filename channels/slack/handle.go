package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

func identity(user string) survey.Identity {
	return survey.Identity{Channel: ChannelName, External: user}
}

// langOf is the language of texts shown before a response exists: Slack
// does not tell a user's locale without another call, so German.
func langOf(string) dialogs.Lang { return dialogs.German }

// validKey reports whether s looks like an invitation key: 1 to 128 of
// A-Za-z0-9_-.
func validKey(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// handleMessage turns a message typed in the DM into engine input.
func (c *Channel) handleMessage(ctx context.Context, m slackevents.MessageEvent) error {
	user, channel := m.User, m.Channel
	c.rememberDM(ctx, user, channel)
	lang := langOf(user)
	late, err := c.isLate(ctx, user, m.TimeStamp)
	if err != nil {
		return err
	}
	// What was typed, once: it is stored as such and escaped again only
	// where a message shows it.
	text := strings.TrimSpace(unescape(m.Text))
	if late {
		// A typed answer that overtook an earlier one could land on the
		// wrong question; it is not applied, and the respondent is told.
		c.metrics.Rejected(reasonLate)
		c.sendText(user, channel, fmt.Sprintf(dialogs.UILate.In(lang), text))
		return nil
	}
	if text == "" {
		c.sendText(user, channel, dialogs.UIUnsupported.In(lang))
		return nil
	}
	if verb, arg := splitArgs(text); (verb == "start" || verb == "/start") && arg == "" {
		return c.start(ctx, user, channel, "")
	}
	return c.step(ctx, user, channel, dialogs.TextInput(text), false)
}

// step hands input to the bot for a user who may answer, and delivers
// the reply.
func (c *Channel) step(ctx context.Context, user, channel string, in dialogs.Input, pressed bool) error {
	who := identity(user)
	if ok, err := c.mayAnswer(ctx, user, channel, pressed); !ok || err != nil {
		return err
	}
	r, err := c.conv.Handle(ctx, who, in)
	if err != nil {
		return err
	}
	c.deliver(user, channel, r, pressed)
	return nil
}

// mayAnswer reports whether the user may answer: with open answering
// anyone may; without, only who has a response (from an invitation).
// The others are told so.
func (c *Channel) mayAnswer(ctx context.Context, user, channel string, pressed bool) (bool, error) {
	if c.cfg.OpenAnswering {
		return true, nil
	}
	known, err := c.conv.Known(ctx, identity(user))
	if err != nil || known {
		return known, err
	}
	if pressed {
		c.sendEphemeral(user, channel, dialogs.UINeedInvitation.In(langOf(user)))
	} else {
		c.sendText(user, channel, dialogs.UINeedInvitation.In(langOf(user)))
	}
	return false, nil
}

// isLate reports whether a later message of the user was already taken,
// and otherwise records this one as the user's latest.
func (c *Channel) isLate(ctx context.Context, user, ts string) (bool, error) {
	key := lastKey(user)
	v, ok, err := c.kv.Get(ctx, key)
	if err != nil {
		return false, fmt.Errorf("read last message: %w", err)
	}
	if ok && tsLess(ts, v) {
		return true, nil
	}
	if err := c.kv.Set(ctx, key, ts, userStateTTL); err != nil {
		return false, fmt.Errorf("record last message: %w", err)
	}
	return false, nil
}

// tsLess compares two Slack timestamps ("1712345678.000200").
func tsLess(a, b string) bool {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	ai, _ := strconv.ParseInt(as, 10, 64)
	bi, _ := strconv.ParseInt(bs, 10, 64)
	if ai != bi {
		return ai < bi
	}
	af, bf = fmt.Sprintf("%-6s", af), fmt.Sprintf("%-6s", bf)
	return af < bf
}

// start begins or resumes the dialog: with a key, the invitation it
// names; without, the user's own response, or a new one if open
// answering is on.
func (c *Channel) start(ctx context.Context, user, channel, key string) error {
	who := identity(user)
	lang := langOf(user)
	var (
		r   bot.Reply
		err error
	)
	if key != "" {
		if !validKey(key) {
			c.sendText(user, channel, dialogs.UIInvitationUnknown.In(lang))
			return nil
		}
		r, err = c.conv.StartInvitation(ctx, who, key)
		switch {
		case errors.Is(err, bot.ErrUnknownInvitation):
			c.sendText(user, channel, dialogs.UIInvitationUnknown.In(lang))
			return nil
		case errors.Is(err, bot.ErrExpiredInvitation):
			c.sendText(user, channel, dialogs.UIInvitationExpired.In(lang))
			return nil
		case err != nil:
			return err
		}
	} else {
		if ok, err := c.mayAnswer(ctx, user, channel, false); !ok || err != nil {
			return err
		}
		if r, err = c.conv.Open(ctx, who, lang); err != nil {
			return err
		}
	}
	if r.Phase == dialogs.PhasePaused {
		if r, err = c.conv.Handle(ctx, who, dialogs.Input{Command: dialogs.CmdResume}); err != nil {
			return err
		}
	}
	// The question is shown anew at the bottom of the DM; the old message
	// loses its buttons.
	c.closeQuestion(user, channel, "")
	c.deliver(user, channel, r, false)
	return nil
}

// handleInteraction turns a button press into engine input. Ticking a
// checkbox changes nothing yet: the ticks are read from the message state
// when "fertig ✓" is pressed and sent as Input.Selection.
func (c *Channel) handleInteraction(ctx context.Context, cb slack.InteractionCallback) error {
	user := cb.User.ID
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	c.rememberDM(ctx, user, channel)
	a := cb.ActionCallback.BlockActions[0]
	kind, item, value, ok := parseAction(a.ActionID)
	if !ok {
		return nil
	}
	var in dialogs.Input
	switch kind {
	case actDelete:
		return c.confirmDelete(ctx, user, channel, cb.Container.MessageTs, value == "yes")
	case actStart:
		return c.start(ctx, user, channel, value)
	case actOption:
		in = dialogs.Input{Choice: value, Item: item}
	case actCommand:
		if dialogs.Command(value) == dialogs.CmdDone {
			in = dialogs.Input{Selection: selection(cb.BlockActionState, item), Item: item}
			break
		}
		if in, ok = commandInput(item, value); !ok {
			return nil
		}
	default: // a checkbox ticked, or something we did not send
		return nil
	}
	return c.step(ctx, user, channel, in, true)
}

// handleCommand does the work of /umfrage start, status and language.
func (c *Channel) handleCommand(ctx context.Context, user, verb, arg string) error {
	switch verb {
	case "start":
		return c.start(ctx, user, "", arg)
	case "status":
		return c.step(ctx, user, "", dialogs.Input{Command: dialogs.CmdStatus}, false)
	case "language", "sprache":
		return c.step(ctx, user, "", dialogs.Input{Command: dialogs.CmdLanguage, Text: arg}, false)
	case "delete", "löschen":
		known, err := c.conv.Known(ctx, identity(user))
		if err != nil {
			return err
		}
		lang := langOf(user)
		if !known {
			c.sendText(user, "", dialogs.UINothingToDelete.In(lang))
			return nil
		}
		c.askDelete(user, lang)
	}
	return nil
}

// askDelete asks in the DM whether to erase everything, with two buttons.
func (c *Channel) askDelete(user string, lang dialogs.Lang) {
	bs := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, dialogs.UIDeleteAsk.In(lang), false, false), nil, nil),
		slack.NewActionBlock("delete",
			button(dialogs.UIDeleteYes.In(lang), actionID(actDelete, "", "yes"), "yes"),
			button(dialogs.UIDeleteNo.In(lang), actionID(actDelete, "", "no"), "no")),
	}
	c.enqueue(user, func(ctx context.Context) error {
		ch, err := c.dm(ctx, user, "")
		if err != nil {
			return err
		}
		_, _, err = c.api.PostMessageContext(ctx, ch, slack.MsgOptionText(dialogs.UIDeleteAsk.In(lang), true), slack.MsgOptionBlocks(bs...))
		return err
	})
}

// confirmDelete erases the user's data after "yes", and takes the buttons
// off the question either way.
func (c *Channel) confirmDelete(ctx context.Context, user, channel, ts string, yes bool) error {
	lang := langOf(user)
	if ts != "" {
		c.enqueue(user, func(ctx context.Context) error {
			text := dialogs.UIDeleteAsk.In(lang)
			_, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(text, true), slack.MsgOptionBlocks(
				slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, text, false, false), nil, nil)))
			return err
		})
	}
	if !yes {
		c.sendText(user, channel, dialogs.UIDeleteCancelled.In(lang))
		return nil
	}
	c.closeQuestion(user, channel, "")
	err := c.conv.EraseIdentity(ctx, identity(user))
	switch {
	case errors.Is(err, survey.ErrNotFound):
		c.sendText(user, channel, dialogs.UINothingToDelete.In(lang))
	case err != nil:
		return err
	default:
		c.sendText(user, channel, dialogs.UIDeleted.In(lang))
	}
	return nil
}

// greet welcomes a user the first time they open the app's messages tab
// and have no response yet.
func (c *Channel) greet(ctx context.Context, user, channel string) error {
	c.rememberDM(ctx, user, channel)
	known, err := c.conv.Known(ctx, identity(user))
	if err != nil || known {
		return err
	}
	fresh, err := c.kv.SetNX(ctx, greetedKey(user), "1", greetedTTL)
	if err != nil || !fresh {
		return err
	}
	text := dialogs.UINeedInvitation
	if c.cfg.OpenAnswering {
		text = dialogs.UISlackWelcome
	}
	c.sendText(user, channel, text.In(langOf(user)))
	return nil
}
