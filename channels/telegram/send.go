package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"log/slog"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/dialogs"
)

// question is the chat's current question message, whose buttons are
// replaced by the answer once it is answered.
type question struct {
	ID   int    `json:"id"`
	Item string `json:"item"`
	Text string `json:"text"` // HTML as sent
}

func questionKey(chat int64) string { return "tg:q:" + strconv.FormatInt(chat, 10) }

// lastKey holds the latest update id taken of a chat.
func lastKey(chat int64) string { return "tg:last:" + strconv.FormatInt(chat, 10) }

// enqueue queues one call for a chat; calls of one chat go out in order.
func (c *Channel) enqueue(chat int64, call func(ctx context.Context) error) {
	err := c.out.Enqueue(outbox.Message{
		Key:  strconv.FormatInt(chat, 10),
		Send: func(ctx context.Context) error { return redactToken(classify(call(ctx)), c.cfg.Token) },
	})
	if err != nil {
		c.log.Error("queue message", slog.Any("error", err))
	}
}

// classify tells the queue what to do with a Bot API error.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var tooMany *tgbot.TooManyRequestsError
	switch {
	case errors.As(err, &tooMany):
		return outbox.RetryAfter(time.Duration(max(tooMany.RetryAfter, 1))*time.Second, err)
	case errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified"):
		return nil // the message already shows what we wanted
	case errors.Is(err, tgbot.ErrorBadRequest), errors.Is(err, tgbot.ErrorForbidden),
		errors.Is(err, tgbot.ErrorUnauthorized), errors.Is(err, tgbot.ErrorNotFound):
		return outbox.Permanent(err) // a bad message, or the user blocked the bot: retrying will not help
	}
	return err
}

// deliver sends a reply: a new question replaces the buttons of the one
// before with its answer; a repeated question (a ✓ toggle, a language
// switch) updates the current message in place.
func (c *Channel) deliver(chat int64, r bot.Reply, pressed int) {
	for _, p := range r.Prompts {
		switch p.Kind {
		case dialogs.PromptQuestion, dialogs.PromptConsent, dialogs.PromptConfirm:
			if p.Repeat {
				c.updateQuestion(chat, r.Lang, p)
				continue
			}
			c.closeQuestion(chat, r.Answered)
			c.sendQuestion(chat, r.Lang, p)
		case dialogs.PromptError, dialogs.PromptStale:
			if pressed == 0 { // a button press got it as the callback's answer
				c.sendText(chat, "⚠️ "+p.Text)
			}
		case dialogs.PromptSummary, dialogs.PromptGoodbye:
			c.closeQuestion(chat, r.Answered)
			c.sendText(chat, p.Text)
		default:
			c.sendText(chat, p.Text)
		}
	}
}

func (c *Channel) sendText(chat int64, text string) {
	c.enqueue(chat, func(ctx context.Context) error {
		_, err := c.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chat, Text: text})
		return err
	})
}

func (c *Channel) answerCallback(chat int64, queryID, text string) {
	err := c.callbacks.Enqueue(outbox.Message{
		Key: "cb:" + queryID, // each answer on its own: no order, no per-chat wait
		Send: func(ctx context.Context) error {
			_, err := c.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: queryID, Text: text})
			return redactToken(classify(err), c.cfg.Token)
		},
	})
	if err != nil {
		c.log.Error("queue callback answer", slog.Any("error", err))
	}
}

func (c *Channel) sendQuestion(chat int64, lang dialogs.Lang, p dialogs.Prompt) {
	text := questionText(lang, p)
	kb := keyboard(lang, p)
	c.enqueue(chat, func(ctx context.Context) error {
		m, err := c.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chat, Text: text, ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
		if err != nil {
			return err
		}
		c.track(ctx, chat, question{ID: m.ID, Item: p.Item, Text: text})
		return nil
	})
}

func (c *Channel) track(ctx context.Context, chat int64, q question) {
	b, _ := json.Marshal(q)
	if err := c.kv.Set(ctx, questionKey(chat), string(b), chatStateTTL); err != nil {
		c.log.Warn("remember question message", slog.Any("error", err))
	}
}

func (c *Channel) tracked(ctx context.Context, chat int64) (question, bool) {
	v, ok, err := c.kv.Get(ctx, questionKey(chat))
	if err != nil || !ok {
		return question{}, false
	}
	var q question
	if json.Unmarshal([]byte(v), &q) != nil || q.ID == 0 {
		return question{}, false
	}
	return q, true
}

// updateQuestion shows a repeated prompt in the current question message,
// or as a new message if that is another question or unknown.
func (c *Channel) updateQuestion(chat int64, lang dialogs.Lang, p dialogs.Prompt) {
	text := questionText(lang, p)
	kb := keyboard(lang, p)
	c.enqueue(chat, func(ctx context.Context) error {
		if q, ok := c.tracked(ctx, chat); ok && q.Item == p.Item {
			_, err := c.api.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: chat, MessageID: q.ID, Text: text, ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
			if err = classify(err); err == nil {
				c.track(ctx, chat, question{ID: q.ID, Item: p.Item, Text: text})
			}
			return err
		}
		m, err := c.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chat, Text: text, ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
		if err != nil {
			return err
		}
		c.track(ctx, chat, question{ID: m.ID, Item: p.Item, Text: text})
		return nil
	})
}

// closeQuestion takes the buttons off the chat's current question message
// and shows the answer given, if any.
func (c *Channel) closeQuestion(chat int64, answer string) {
	c.enqueue(chat, func(ctx context.Context) error {
		q, ok := c.tracked(ctx, chat)
		if !ok {
			return nil
		}
		var err error
		if answer != "" {
			_, err = c.api.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: chat, MessageID: q.ID, Text: answeredText(q.Text, answer), ParseMode: models.ParseModeHTML})
		} else {
			_, err = c.api.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{ChatID: chat, MessageID: q.ID, ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}})
		}
		if err != nil && retryable(err) {
			return err
		}
		// Done, or the message is gone: either way it is no longer current.
		_ = c.kv.Del(ctx, questionKey(chat))
		return nil
	})
}

// retryable reports whether a Bot API error may go away by trying again.
func retryable(err error) bool {
	var tooMany *tgbot.TooManyRequestsError
	return errors.As(err, &tooMany) || !(errors.Is(err, tgbot.ErrorBadRequest) || errors.Is(err, tgbot.ErrorForbidden) ||
		errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound))
}

func (c *Channel) removeKeyboard(chat int64, msgID int) {
	if msgID == 0 {
		return
	}
	c.enqueue(chat, func(ctx context.Context) error {
		_, err := c.api.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{ChatID: chat, MessageID: msgID, ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}})
		return err
	})
}

func (c *Channel) askDelete(chat int64, lang dialogs.Lang) {
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		{Text: dialogs.UIDeleteYes.In(lang), CallbackData: callbackData(cbDelete, "", "yes")},
		{Text: dialogs.UIDeleteNo.In(lang), CallbackData: callbackData(cbDelete, "", "no")},
	}}}
	text := html.EscapeString(dialogs.UIDeleteAsk.In(lang))
	c.enqueue(chat, func(ctx context.Context) error {
		_, err := c.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chat, Text: text, ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
		return err
	})
}
