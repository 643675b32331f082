package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// poll receives updates by long polling. Unlike go-telegram/bot's own loop,
// which confirms updates before its handlers run, it asks for the next
// offset only after every update of a batch is taken, so a crash loses
// nothing: Telegram delivers the unconfirmed updates again, and the ones
// already taken are recognised by their update_id.
func (c *Channel) poll(ctx context.Context) error {
	var offset int64
	backoff := time.Duration(0)
	for {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
		}
		updates, err := c.getUpdates(ctx, offset)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			backoff = min(max(2*backoff, 200*time.Millisecond), 10*time.Second)
			c.log.Warn("getUpdates", slog.Any("error", err), slog.Duration("retry_in", backoff))
			continue
		}
		backoff = 0
		if len(updates) == 0 {
			continue
		}
		if failed, ok := c.takeBatch(ctx, updates); ok {
			offset = updates[len(updates)-1].ID + 1
		} else {
			offset = failed // deliver again from the first update not taken
			backoff = time.Second
		}
	}
}

// takeBatch takes a batch of updates: the chats in parallel, the updates
// of each chat in order. It reports the lowest update id not taken.
func (c *Channel) takeBatch(ctx context.Context, updates []*models.Update) (int64, bool) {
	byChat := map[int64][]*models.Update{}
	var order []int64
	for _, u := range updates {
		c.metrics.Received()
		chat := chatOf(u)
		if _, ok := byChat[chat]; !ok {
			order = append(order, chat)
		}
		byChat[chat] = append(byChat[chat], u)
	}
	var (
		mu     sync.Mutex
		failed int64 = -1
		wg     sync.WaitGroup
		sem    = make(chan struct{}, 16)
	)
	for _, chat := range order {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			for _, u := range byChat[chat] {
				if err := c.take(ctx, u); err != nil {
					if errors.Is(err, errTaking) { // take logs the other errors
						c.log.Warn("update is being taken elsewhere", slog.Int64("update_id", u.ID))
					}
					mu.Lock()
					if failed < 0 || u.ID < failed {
						failed = u.ID
					}
					mu.Unlock()
					return // the chat's later updates wait for this one
				}
			}
		})
	}
	wg.Wait()
	return failed, failed < 0
}

// getUpdates asks the Bot API for updates from offset, waiting up to the
// poll timeout for new ones.
func (c *Channel) getUpdates(ctx context.Context, offset int64) ([]*models.Update, error) {
	body, _ := json.Marshal(map[string]any{
		"offset": offset, "timeout": int(c.cfg.PollTimeout.Seconds()), "limit": 100,
		"allowed_updates": allowedUpdates(),
	})
	base := c.cfg.APIURL
	if base == "" {
		base = "https://api.telegram.org"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/bot"+c.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("getUpdates request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redactToken(err, c.cfg.Token))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool             `json:"ok"`
		Result      []*models.Update `json:"result"`
		Description string           `json:"description"`
		ErrorCode   int              `json:"error_code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("getUpdates: decode: %w", err)
	}
	if !r.OK {
		return nil, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	return r.Result, nil
}

// redactToken keeps the bot token out of logged errors: the Bot API's
// URLs hold it, and an error of the HTTP client quotes its URL. The error
// it returns still unwraps to err, for errors.Is and errors.As.
func redactToken(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	return &redactedError{err: err, token: token}
}

type redactedError struct {
	err   error
	token string
}

func (e *redactedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.token, "***") }
func (e *redactedError) Unwrap() error { return e.err }
