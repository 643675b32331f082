package telegram

import (
	"bytes"
	"context"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Post sends a text and, if png is not empty, an image to a chat, such as
// the weekly digest to a council member's chat, through the send queue.
func (c *Channel) Post(ctx context.Context, chat int64, text string, png []byte, filename string) error {
	c.enqueue(chat, func(ctx context.Context) error {
		_, err := c.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chat, Text: text})
		return err
	})
	if len(png) > 0 {
		c.enqueue(chat, func(ctx context.Context) error {
			_, err := c.api.SendPhoto(ctx, &tgbot.SendPhotoParams{ChatID: chat, Photo: &models.InputFileUpload{Filename: filename, Data: bytes.NewReader(png)}})
			return err
		})
	}
	return nil
}
