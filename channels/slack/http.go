package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/slack-go/slack"
)

// Routes of the HTTP mode, to enter in the app's configuration (see
// manifest.yml).
const (
	RouteEvents        = "/slack/events"
	RouteInteractivity = "/slack/interactivity"
	RouteCommands      = "/slack/commands"
)

// Register adds the three endpoints Slack posts to: POST /slack/events
// (Events API), /slack/interactivity (button presses) and /slack/commands
// (/umfrage). Each request is verified by its signature first: a bad,
// missing or stale one gets 401 and is not looked at; a body over 1 MiB
// gets 413. A good one is answered at once and worked off after.
func (c *Channel) Register(mux interface {
	Handle(pattern string, h http.Handler)
}) {
	mux.Handle("POST "+RouteEvents, c.verified(c.serveEvents))
	mux.Handle("POST "+RouteInteractivity, c.verified(c.serveInteractivity))
	mux.Handle("POST "+RouteCommands, c.verified(c.serveCommand))
}

// verified reads and checks a request's body before next sees it.
func (c *Channel) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.metrics.Received()
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.metrics.Rejected(reasonTooLarge)
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err != nil {
			c.metrics.Rejected(reasonBadJSON)
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		if err := c.verify(r.Header, body); err != nil {
			c.metrics.Rejected(reasonBadSignature)
			c.log.Warn("slack request with a bad signature", slog.String("path", r.URL.Path),
				slog.String("remote", r.RemoteAddr), slog.Any("error", err))
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	})
}

// verify checks the request signature: an HMAC of v0:timestamp:body with
// the signing secret, whose timestamp must be within five minutes of
// cfg.Now. slack.NewSecretsVerifier computes and compares the HMAC in
// constant time (and checks the window against the system clock too).
func (c *Channel) verify(h http.Header, body []byte) error {
	ts, err := strconv.ParseInt(h.Get("X-Slack-Request-Timestamp"), 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp: %w", slack.ErrMissingHeaders)
	}
	if age := c.cfg.Now().Sub(time.Unix(ts, 0)); age > signatureAge || age < -signatureAge {
		return slack.ErrExpiredTimestamp
	}
	v, err := slack.NewSecretsVerifier(h, c.cfg.SigningSecret)
	if err != nil {
		return err
	}
	if _, err := v.Write(body); err != nil {
		return err
	}
	return v.Ensure()
}

func (c *Channel) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	challenge, err := c.acceptEvent(ctx, body)
	switch {
	case errors.Is(err, errMalformed):
		c.metrics.Rejected(reasonBadJSON)
		http.Error(w, "malformed event", http.StatusBadRequest)
	case err != nil:
		c.metrics.Failed()
		c.log.Error("take event", slog.Any("error", err))
		http.Error(w, "event not taken, try again", http.StatusInternalServerError)
	case challenge != "":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, challenge)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

func (c *Channel) serveInteractivity(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		c.metrics.Rejected(reasonBadJSON)
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	switch err := c.acceptInteraction(ctx, []byte(form.Get("payload"))); {
	case errors.Is(err, errMalformed):
		c.metrics.Rejected(reasonBadJSON)
		http.Error(w, "malformed interaction", http.StatusBadRequest)
	case err != nil:
		c.metrics.Failed()
		c.log.Error("take interaction", slog.Any("error", err))
		http.Error(w, "interaction not taken, try again", http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

func (c *Channel) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("user_id") == "" {
		c.metrics.Rejected(reasonBadJSON)
		http.Error(w, "malformed command", http.StatusBadRequest)
		return
	}
	cmd := slack.SlashCommand{
		TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"), UserID: form.Get("user_id"),
		UserName: form.Get("user_name"), Command: form.Get("command"), Text: form.Get("text"),
		ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"),
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	text, err := c.acceptCommand(ctx, cmd)
	if err != nil {
		c.metrics.Failed()
		c.log.Error("take command", slog.Any("error", err))
		http.Error(w, "command not taken, try again", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": text})
}
