package telegram

import (
	"context"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// cbStart is the callback kind of a campaign message's button: its value
// is the invitation key, and pressing it starts the invited response as
// /start <key> would.
const cbStart = "s"

// SendInvitation sends a campaign's invitation or reminder to a chat now,
// not through the send queue: the caller paces campaign sends and records
// each outcome. The message is text with one button, labelled button, that
// starts the response of the invitation key. Errors are classified like
// the send queue's: a 429 has an After() time.Duration, a blocked bot or
// a missing chat is Permanent().
func (c *Channel) SendInvitation(ctx context.Context, chat int64, text, button, key string) error {
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
		{{Text: button, CallbackData: callbackData(cbStart, "", key)}},
	}}
	_, err := c.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chat, Text: text, ReplyMarkup: kb})
	return classify(err)
}
