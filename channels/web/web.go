// Package web carries the dialog as server-rendered HTML pages, reached by
// a personal link (/s/{token}) that an e-mail or a chamber's newsletter
// hands out. Every page is a plain form: no script, post/redirect/get, and
// each submission names the question it answers, so a double submit, the
// browser's back button or a stale tab never changes an answer twice.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// ChannelName is the channel name stored with identities and answers.
const ChannelName = "web"

// Conversations is what the channel needs of the bot.
type Conversations interface {
	// StartInvitation returns bot.ErrUnknownInvitation or
	// bot.ErrExpiredInvitation for a key that leads nowhere.
	StartInvitation(ctx context.Context, who survey.Identity, key string) (bot.Reply, error)
	Handle(ctx context.Context, who survey.Identity, in dialogs.Input) (bot.Reply, error)
	// EraseIdentity erases the respondent the identity belongs to, on
	// every channel; survey.ErrNotFound if there is none.
	EraseIdentity(ctx context.Context, who survey.Identity) error
	// NewInvitation makes a personal invitation (for /open and open links)
	// and returns its key.
	NewInvitation(ctx context.Context, lang dialogs.Lang, fixed map[string]string, ttl time.Duration) (string, error)
	// OpenLink looks an open link up; bot.ErrUnknownInvitation or
	// bot.ErrExpiredInvitation for one that leads nowhere.
	OpenLink(ctx context.Context, key string) (survey.OpenLink, error)
	// MarkOpened records that a campaign's personal link was opened.
	MarkOpened(ctx context.Context, key string) error
	// OptOut puts the invitation's address on the opt-out list.
	OptOut(ctx context.Context, key string) error
}

// Metrics counts the form submissions the channel takes; *metrics.Channel
// has it.
type Metrics interface {
	Received()                  // a survey form was submitted
	Rejected(reason string)     // it was refused
	Failed()                    // its handling failed
	Handled(took time.Duration) // it was handled (an answer stored or explained)
}

type noMetrics struct{}

func (noMetrics) Received()             {}
func (noMetrics) Rejected(string)       {}
func (noMetrics) Failed()               {}
func (noMetrics) Handled(time.Duration) {}

// Config is the channel's part of the configuration.
type Config struct {
	// BaseURL is the public URL of the server, such as
	// https://survey.example.org, for absolute links; "" gives relative ones.
	BaseURL string
	// SecretKey signs the forms' CSRF tokens; at least 32 bytes.
	SecretKey []byte
	// OpenAnswering lets GET /open start a new anonymous response.
	OpenAnswering bool
	// InvitationTTL is how long the invitations made by /open last.
	InvitationTTL time.Duration
	// GuessLimit is how many wrong or expired tokens one client address may
	// try in 10 minutes before it gets 429; 0 means 20.
	GuessLimit int
	// ForwardedFor takes the client address from the last entry of
	// X-Forwarded-For. Set it only behind a reverse proxy that appends it;
	// otherwise clients could choose their own address.
	ForwardedFor bool
}

// Limits of the channel.
const (
	maxBody           = 64 << 10
	guessWindow       = 10 * time.Minute
	defaultGuessLimit = 20
	defaultTTL        = 90 * 24 * time.Hour
	minSecretKey      = 32
)

// ErrWeakSecret is returned by New for a CSRF key shorter than 32 bytes.
var ErrWeakSecret = errors.New("web: secret key must have at least 32 bytes")

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// Channel is the web channel.
type Channel struct {
	cfg     Config
	conv    Conversations
	log     *slog.Logger
	pages   *template.Template
	guesses *guessLimiter
	opens   *guessLimiter // responses started by /open and /o/ per client, against mass creation
	metrics Metrics
}

// Option sets up a part of the channel that has a default.
type Option func(*Channel)

// WithMetrics makes the channel count the survey forms submitted to it in
// m; by default, and with nil, it counts nothing.
func WithMetrics(m Metrics) Option {
	return func(c *Channel) {
		if m != nil {
			c.metrics = m
		}
	}
}

// New returns the channel with its templates compiled.
func New(cfg Config, conv Conversations, log *slog.Logger, opts ...Option) (*Channel, error) {
	if len(cfg.SecretKey) < minSecretKey {
		return nil, ErrWeakSecret
	}
	if cfg.GuessLimit <= 0 {
		cfg.GuessLimit = defaultGuessLimit
	}
	if cfg.InvitationTTL <= 0 {
		cfg.InvitationTTL = defaultTTL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	c := &Channel{
		cfg: cfg, conv: conv, pages: pages,
		log:     log.With(slog.String("channel", ChannelName)),
		guesses: newGuessLimiter(cfg.GuessLimit, guessWindow),
		opens:   newGuessLimiter(10*cfg.GuessLimit, guessWindow),
		metrics: noMetrics{},
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Register mounts the channel's routes on mux, an http.ServeMux or one
// that fills in Request.PathValue the same way.
func (c *Channel) Register(mux interface {
	Handle(pattern string, h http.Handler)
}) {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c.renderMessage(w, http.StatusForbidden, dialogs.UIWebForbiddenTitle, dialogs.UIWebForbidden)
	}))
	wrap := func(h http.HandlerFunc) http.Handler {
		return securityHeaders(cop.Handler(h))
	}
	mux.Handle("GET /s/{token}", wrap(c.showSurvey))
	mux.Handle("POST /s/{token}", c.counted(wrap(c.submitSurvey)))
	mux.Handle("GET /s/{token}/delete", wrap(c.showErase))
	mux.Handle("POST /s/{token}/delete", wrap(c.submitErase))
	mux.Handle("GET /open", wrap(c.open))
	mux.Handle("GET /o/{key}", wrap(c.openLink))
	mux.Handle("GET /u/{token}", wrap(c.showUnsubscribe))
	mux.Handle("POST /u/{token}", wrap(c.submitUnsubscribe))
	mux.Handle("GET /static/style.css", securityHeaders(http.HandlerFunc(serveStyle)))
}

// SurveyURL returns the personal link of an invitation key, absolute when
// the configuration has a BaseURL.
func (c *Channel) SurveyURL(key string) string { return c.cfg.BaseURL + "/s/" + key }

// UnsubscribeURL returns the unsubscribe link of an invitation key, for a
// List-Unsubscribe header (RFC 8058).
func (c *Channel) UnsubscribeURL(key string) string { return c.cfg.BaseURL + "/u/" + key }

// identity is who a personal link's holder is on this channel: derived from
// the token, so the token itself is never stored.
func identity(token string) survey.Identity {
	return survey.Identity{Channel: ChannelName, External: survey.HashKey(token)[:32]}
}

// validToken reports whether s has the form of an invitation key.
func validToken(s string) bool {
	if len(s) != 22 {
		return false
	}
	for _, r := range s {
		ok := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}
