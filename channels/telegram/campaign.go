package telegram

import (
	"context"
	"fmt"
	"strconv"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/survey"
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

// SendInvite sends a campaign message (campaigns.InviteSender): inv.To is
// the member's chat id.
func (c *Channel) SendInvite(ctx context.Context, inv survey.Invite) error {
	chat, err := strconv.ParseInt(inv.To, 10, 64)
	if err != nil {
		return outbox.Permanent(fmt.Errorf("telegram chat %q: %w", inv.To, err))
	}
	return c.SendInvitation(ctx, chat, inv.Text(), inv.StartLabel(), inv.Key)
}
