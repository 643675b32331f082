package telegram

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// errTaking is returned for an update another worker is taking right now;
// the webhook answers 503 so Telegram delivers it again later.
var errTaking = errors.New("update is being taken elsewhere")

// take handles an update at most once: a redelivered update_id is dropped.
// It returns only when the update's effect (the accepted answer) is stored.
// It logs and counts every outcome but errTaking's, which it only counts.
func (c *Channel) take(ctx context.Context, u *models.Update) error {
	start := time.Now()
	key := "tg:upd:" + strconv.FormatInt(u.ID, 10)
	fresh, err := c.kv.SetNX(ctx, key, "taking", takingTTL)
	if err != nil {
		c.metrics.Failed()
		c.log.Error("take update", slog.Int64("update_id", u.ID), slog.Any("error", err))
		return fmt.Errorf("mark update: %w", err)
	}
	if !fresh {
		if v, _, _ := c.kv.Get(ctx, key); v == "taken" {
			c.metrics.Rejected(reasonDuplicate)
			c.log.Debug("duplicate update dropped", slog.Int64("update_id", u.ID))
			return nil
		}
		c.metrics.Rejected(reasonBusy)
		return errTaking
	}
	t := &taking{}
	err = c.handle(context.WithValue(ctx, takingKey{}, t), u)
	if errors.Is(err, survey.ErrUnstorable) {
		// Delivered again, it would fail again, and hold up the updates
		// behind it: it is taken, and the respondent told.
		c.metrics.Rejected(reasonUnstorable)
		c.log.Warn("update refused by the database", slog.Int64("update_id", u.ID), responseAttr(t.response), slog.Any("error", err))
		if chat := chatOf(u); chat != 0 {
			c.sendText(chat, dialogs.UIUnstorable.In(langOfUpdate(u)))
		}
		err = nil
	}
	if err != nil {
		_ = c.kv.Del(ctx, key) // let Telegram deliver it again
		c.metrics.Failed()
		c.log.Error("take update", slog.Int64("update_id", u.ID), responseAttr(t.response), slog.Any("error", err))
		return err
	}
	if err := c.kv.Set(ctx, key, "taken", seenTTL); err != nil {
		c.log.Warn("mark update taken", slog.Int64("update_id", u.ID), responseAttr(t.response), slog.Any("error", err))
	}
	took := time.Since(start)
	c.metrics.Handled(took)
	c.log.Debug("update taken", slog.Int64("update_id", u.ID), slog.String("kind", kindOf(u)), responseAttr(t.response), slog.Duration("took", took))
	return nil
}

// taking is what handling an update learnt for the log line that follows:
// the response it went to, which is all that may stand for the respondent
// in the logs (never the chat id, a name or what they typed).
type taking struct{ response string }

type takingKey struct{}

// noteResponse records the response the update being taken went to.
func noteResponse(ctx context.Context, id string) {
	if t, ok := ctx.Value(takingKey{}).(*taking); ok && id != "" {
		t.response = id
	}
}

// responseAttr is the log attribute of a response id, empty if none is known.
func responseAttr(id string) slog.Attr {
	if id == "" {
		return slog.Attr{}
	}
	return slog.String("response", id)
}

func kindOf(u *models.Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.CallbackQuery != nil:
		return "callback_query"
	}
	return "other"
}

// chatOf returns the chat an update belongs to (0 if none).
func chatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		return u.CallbackQuery.From.ID
	}
	return 0
}

// langOfUpdate is the language of the user an update is from.
func langOfUpdate(u *models.Update) dialogs.Lang {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return langOf(u.Message.From.LanguageCode)
	case u.CallbackQuery != nil:
		return langOf(u.CallbackQuery.From.LanguageCode)
	}
	return dialogs.German
}

func langOf(code string) dialogs.Lang {
	if strings.HasPrefix(strings.ToLower(code), "en") {
		return dialogs.English
	}
	return dialogs.German
}

func identity(chat int64) survey.Identity {
	return survey.Identity{Channel: ChannelName, External: strconv.FormatInt(chat, 10)}
}

// handle turns one update into engine input and the reply into messages.
func (c *Channel) handle(ctx context.Context, u *models.Update) error {
	chat := chatOf(u)
	if chat == 0 {
		return nil // an update kind we did not ask for
	}
	late, err := c.isLate(ctx, chat, u.ID)
	if err != nil {
		return err
	}
	switch {
	case u.CallbackQuery != nil:
		// A late button press is safe: it names its question, and a press
		// for a question no longer current changes nothing.
		return c.handleCallback(ctx, chat, u.CallbackQuery, inputKey(u.ID))
	case u.Message != nil:
		m := u.Message
		lang := dialogs.German
		if m.From != nil {
			lang = langOf(m.From.LanguageCode)
		}
		if m.Chat.Type != models.ChatTypePrivate {
			c.sendText(chat, dialogs.UIPrivateOnly.In(lang))
			return nil
		}
		if late {
			// A typed answer that overtook an earlier one could land on the
			// wrong question; it is not applied, and the respondent is told.
			c.metrics.Rejected(reasonLate)
			c.sendText(chat, fmt.Sprintf(dialogs.UILate.In(lang), m.Text))
			return nil
		}
		return c.handleMessage(ctx, chat, lang, m, inputKey(u.ID))
	}
	return nil
}

// isLate reports whether a later update of the chat was already taken,
// and records this one as the chat's latest, in one step.
func (c *Channel) isLate(ctx context.Context, chat, updateID int64) (bool, error) {
	prev, err := c.kv.Raise(ctx, lastKey(chat), updateID, chatStateTTL)
	if err != nil {
		return false, fmt.Errorf("record last update: %w", err)
	}
	return updateID < prev, nil
}

// payloadRE is what a /start payload may hold (Telegram's own rule).
var payloadRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// inputKey names an update's input for the bot, which records it with the
// answer, so an update Telegram delivers again after a crash is not applied
// a second time.
func inputKey(updateID int64) string { return "telegram:update:" + strconv.FormatInt(updateID, 10) }

func (c *Channel) handleMessage(ctx context.Context, chat int64, lang dialogs.Lang, m *models.Message, key string) error {
	who := identity(chat)
	text := strings.TrimSpace(m.Text)
	if text == "" {
		c.sendText(chat, dialogs.UIUnsupported.In(lang))
		return nil
	}
	cmd, arg := splitCommand(text)
	var in dialogs.Input
	switch cmd {
	case "start":
		return c.start(ctx, chat, who, lang, arg)
	case "subscribe", "unsubscribe":
		return c.subscribe(ctx, chat, lang, cmd == "subscribe", arg)
	case "delete":
		known, err := c.conv.Known(ctx, who)
		if err != nil {
			return err
		}
		if !known {
			c.sendText(chat, dialogs.UINothingToDelete.In(lang))
			return nil
		}
		c.askDelete(chat, lang)
		return nil
	case "stop":
		in = dialogs.Input{Command: dialogs.CmdPause}
	case "help":
		in = dialogs.Input{Command: dialogs.CmdHelp}
	case "status":
		in = dialogs.Input{Command: dialogs.CmdStatus}
	case "back":
		in = dialogs.Input{Command: dialogs.CmdBack}
	case "pause":
		in = dialogs.Input{Command: dialogs.CmdPause}
	case "language":
		in = dialogs.Input{Command: dialogs.CmdLanguage, Text: arg}
	default:
		in = dialogs.TextInput(text)
	}
	if !c.cfg.OpenAnswering {
		known, err := c.conv.Known(ctx, who)
		if err != nil {
			return err
		}
		if !known {
			c.sendText(chat, dialogs.UINeedInvitation.In(lang))
			return nil
		}
	}
	r, err := c.conv.HandleOnce(ctx, who, in, key)
	if err != nil {
		return err
	}
	noteResponse(ctx, r.ResponseID)
	if cmd == "stop" {
		c.closeQuestion(chat, "")
		c.sendText(chat, dialogs.UIStopped.In(r.Lang))
		return nil
	}
	c.deliver(chat, r, 0)
	return nil
}

// splitCommand splits "/start@bot payload" into "start" and "payload".
func splitCommand(text string) (string, string) {
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	head, arg, _ := strings.Cut(text[1:], " ")
	head, _, _ = strings.Cut(head, "@")
	return strings.ToLower(head), strings.TrimSpace(arg)
}

// start handles /start: with a payload, the invitation it names; without,
// the respondent's own response, or a new one if open answering is on.
func (c *Channel) start(ctx context.Context, chat int64, who survey.Identity, lang dialogs.Lang, payload string) error {
	var r bot.Reply
	var err error
	if payload != "" {
		if !payloadRE.MatchString(payload) {
			c.sendText(chat, dialogs.UIInvitationUnknown.In(lang))
			return nil
		}
		if strings.HasPrefix(payload, "o") && len(payload) == 13 {
			r, err = c.conv.StartOpen(ctx, who, payload)
		} else {
			r, err = c.conv.StartInvitation(ctx, who, payload)
		}
		switch {
		case errors.Is(err, bot.ErrUnknownInvitation):
			c.sendText(chat, dialogs.UIInvitationUnknown.In(lang))
			return nil
		case errors.Is(err, bot.ErrExpiredInvitation):
			c.sendText(chat, dialogs.UIInvitationExpired.In(lang))
			return nil
		case err != nil:
			return err
		}
	} else {
		known, err := c.conv.Known(ctx, who)
		if err != nil {
			return err
		}
		if !known && !c.cfg.OpenAnswering {
			c.sendText(chat, dialogs.UINeedInvitation.In(lang))
			return nil
		}
		if r, err = c.conv.Open(ctx, who, lang); err != nil {
			return err
		}
	}
	noteResponse(ctx, r.ResponseID)
	if r.Phase == dialogs.PhasePaused {
		if r, err = c.conv.Handle(ctx, who, dialogs.Input{Command: dialogs.CmdResume}); err != nil {
			return err
		}
	}
	c.closeQuestion(chat, "")
	c.deliver(chat, r, 0)
	return nil
}

func (c *Channel) handleCallback(ctx context.Context, chat int64, q *models.CallbackQuery, key string) error {
	who := identity(chat)
	msgID := 0
	if q.Message.Message != nil {
		msgID = q.Message.Message.ID
	}
	lang := langOf(q.From.LanguageCode)
	kind, prompt, value, ok := parseCallback(q.Data)
	if !ok {
		c.answerCallback(chat, q.ID, "")
		return nil
	}
	var in dialogs.Input
	switch kind {
	case cbDelete:
		return c.confirmDelete(ctx, chat, q.ID, msgID, lang, value == "yes")
	case cbStart:
		c.answerCallback(chat, q.ID, "")
		return c.start(ctx, chat, who, lang, value)
	case cbOption:
		in = dialogs.Input{Choice: value, Item: prompt}
	case cbCommand:
		if in, ok = commandInput(prompt, value); !ok {
			c.answerCallback(chat, q.ID, "")
			return nil
		}
	default:
		c.answerCallback(chat, q.ID, "")
		return nil
	}
	r, err := c.conv.HandleOnce(ctx, who, in, key)
	if err != nil {
		return err
	}
	noteResponse(ctx, r.ResponseID)
	// Every callback query is answered, with a word if the press changed nothing.
	note := ""
	for _, p := range r.Prompts {
		if p.Kind == dialogs.PromptStale || p.Kind == dialogs.PromptError {
			note = p.Text
		}
	}
	c.answerCallback(chat, q.ID, note)
	if len(r.Prompts) == 1 && r.Prompts[0].Kind == dialogs.PromptStale {
		return nil
	}
	c.deliver(chat, r, msgID)
	return nil
}

func (c *Channel) confirmDelete(ctx context.Context, chat int64, queryID string, msgID int, lang dialogs.Lang, yes bool) error {
	c.answerCallback(chat, queryID, "")
	c.removeKeyboard(chat, msgID)
	if !yes {
		c.sendText(chat, dialogs.UIDeleteCancelled.In(lang))
		return nil
	}
	c.closeQuestion(chat, "")
	err := c.conv.EraseIdentity(ctx, identity(chat))
	switch {
	case errors.Is(err, survey.ErrNotFound):
		c.sendText(chat, dialogs.UINothingToDelete.In(lang))
	case err != nil:
		return err
	default:
		_ = c.kv.Del(ctx, questionKey(chat))
		c.sendText(chat, dialogs.UIDeleted.In(lang))
	}
	return nil
}

// subscribe adds the chat to the weekly digest's subscribers, given the
// code the operator hands to council members, or removes it. A chat that
// has sent too many wrong codes lately is refused without a look at its
// code (codes.go).
func (c *Channel) subscribe(ctx context.Context, chat int64, lang dialogs.Lang, on bool, code string) error {
	sub := survey.Subscriber{Kind: ChannelName, Target: strconv.FormatInt(chat, 10)}
	switch {
	case c.cfg.SubscribeCode == "":
		c.sendText(chat, dialogs.UIDigestOff.In(lang))
		return nil
	case !on:
		if err := c.conv.UnsubscribeDigest(ctx, sub); err != nil && !errors.Is(err, survey.ErrNotFound) {
			return err
		}
		c.sendText(chat, dialogs.UIDigestUnsubscribed.In(lang))
		return nil
	}
	wrong, err := c.wrongCodes(ctx, chat)
	if err != nil {
		return err
	}
	if wrong >= maxWrongCodes {
		c.sendText(chat, tooManyCodes(lang))
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(code), []byte(c.cfg.SubscribeCode)) != 1 {
		if wrong, err = c.countWrongCode(ctx, chat, wrong); err != nil {
			return err
		}
		if wrong >= maxWrongCodes {
			c.sendText(chat, tooManyCodes(lang))
		} else {
			c.sendText(chat, dialogs.UIDigestWrongCode.In(lang))
		}
		return nil
	}
	if err := c.conv.SubscribeDigest(ctx, sub); err != nil {
		return err
	}
	c.forgetWrongCodes(ctx, chat)
	c.sendText(chat, dialogs.UIDigestSubscribed.In(lang))
	return nil
}
