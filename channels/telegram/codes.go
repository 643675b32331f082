package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/surveybot/surveybot/dialogs"
)

// A chat that sends maxWrongCodes wrong digest codes, each within
// wrongCodeWindow of the one before, is refused until wrongCodeWindow has
// passed since the last: the code cannot be guessed by trying. The count
// is in the KV, so in Redis it holds across instances.
const (
	maxWrongCodes   = 5
	wrongCodeWindow = 15 * time.Minute
)

func wrongCodesKey(chat int64) string { return "tg:wrongcodes:" + strconv.FormatInt(chat, 10) }

// tooManyCodes is the answer to a chat that has used up its tries.
func tooManyCodes(lang dialogs.Lang) string {
	return fmt.Sprintf(dialogs.UIDigestTooManyCodes.In(lang), int(wrongCodeWindow.Minutes()))
}

// wrongCodes returns how many wrong codes chat has sent lately.
func (c *Channel) wrongCodes(ctx context.Context, chat int64) (int64, error) {
	v, ok, err := c.kv.Get(ctx, wrongCodesKey(chat))
	if err != nil {
		return 0, fmt.Errorf("read wrong codes: %w", err)
	}
	if !ok {
		return 0, nil
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n, nil
}

// countWrongCode counts one more wrong code of chat, which had sent n
// before, and returns the count. The KV has no increment, but raising the
// count to one more than the last seen is one: when another instance has
// counted first, Raise leaves the count and says so, and we raise past
// it.
func (c *Channel) countWrongCode(ctx context.Context, chat int64, n int64) (int64, error) {
	for {
		prev, err := c.kv.Raise(ctx, wrongCodesKey(chat), n+1, wrongCodeWindow)
		if err != nil {
			return 0, fmt.Errorf("count wrong code: %w", err)
		}
		if prev < n+1 {
			return n + 1, nil
		}
		if prev >= maxWrongCodes {
			return prev, nil
		}
		n = prev
	}
}

// forgetWrongCodes clears chat's count once it has sent the right code.
func (c *Channel) forgetWrongCodes(ctx context.Context, chat int64) {
	if err := c.kv.Del(ctx, wrongCodesKey(chat)); err != nil {
		// The count runs out by itself; the subscription stands.
		c.log.Warn("forget wrong digest codes", slog.Any("error", err))
	}
}
