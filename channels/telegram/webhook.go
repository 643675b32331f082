package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"
)

// Handler serves the webhook. Telegram's POST is answered 2xx only once the
// update is taken: its answer stored, its reply queued. A wrong or missing
// secret gets 403 and is not looked at; malformed JSON 400; a body over
// 1 MiB 413; an update another instance is taking right now 503, so that
// Telegram delivers it again.
func (c *Channel) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		c.metrics.Received()
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if c.cfg.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.cfg.WebhookSecret)) != 1 {
			c.metrics.Rejected(reasonBadSecret)
			c.log.Warn("webhook call with a wrong secret", slog.String("remote", r.RemoteAddr))
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.metrics.Rejected(reasonTooLarge)
			http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err != nil {
			c.metrics.Rejected(reasonBadJSON)
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		var u models.Update
		if err := json.Unmarshal(body, &u); err != nil || u.ID == 0 {
			c.metrics.Rejected(reasonBadJSON)
			http.Error(w, "malformed update", http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
		defer cancel()
		switch err := c.take(ctx, &u); {
		case errors.Is(err, errTaking):
			w.Header().Set("Retry-After", "1")
			http.Error(w, "update is being handled", http.StatusServiceUnavailable)
		case err != nil: // take logged it
			http.Error(w, "update not taken, try again", http.StatusInternalServerError)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, "{}")
		}
	})
}
