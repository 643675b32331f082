// Package telegram carries the dialog over Telegram: updates arrive by
// long polling or by webhook, each is taken at most once and in order per
// chat, turned into engine input for the bot, and the bot's prompts go back
// as messages with inline keyboards through a rate-limited send queue.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// ChannelName is the channel name stored with identities and answers.
const ChannelName = "telegram"

// Conversations is what the channel needs of the bot.
type Conversations interface {
	Open(ctx context.Context, who survey.Identity, lang dialogs.Lang) (bot.Reply, error)
	Handle(ctx context.Context, who survey.Identity, in dialogs.Input) (bot.Reply, error)
	HandleOnce(ctx context.Context, who survey.Identity, in dialogs.Input, key string) (bot.Reply, error)
	StartInvitation(ctx context.Context, who survey.Identity, key string) (bot.Reply, error)
	StartOpen(ctx context.Context, who survey.Identity, key string) (bot.Reply, error)
	Known(ctx context.Context, who survey.Identity) (bool, error)
	EraseIdentity(ctx context.Context, who survey.Identity) error
	// SubscribeDigest and UnsubscribeDigest keep the weekly digest's
	// subscribers; unsubscribing one who is not is survey.ErrNotFound.
	SubscribeDigest(ctx context.Context, s survey.Subscriber) error
	UnsubscribeDigest(ctx context.Context, s survey.Subscriber) error
}

// KV keeps the channel's bookkeeping: update ids already taken, the last
// update of each chat and the message of each chat's current question. In
// Redis, it is shared by all instances.
type KV interface {
	SetNX(ctx context.Context, key, val string, ttl time.Duration) (bool, error)
	Set(ctx context.Context, key, val string, ttl time.Duration) error
	Get(ctx context.Context, key string) (string, bool, error)
	Del(ctx context.Context, key string) error
	Raise(ctx context.Context, key string, val int64, ttl time.Duration) (int64, error)
}

// Sender queues outgoing calls to the Bot API.
type Sender interface {
	Enqueue(m outbox.Message) error
}

// Metrics counts the updates the channel takes; *metrics.Channel has it.
type Metrics interface {
	Received()                  // an update arrived
	Rejected(reason string)     // it was refused or not applied
	Failed()                    // its handling failed; Telegram delivers it again
	Handled(took time.Duration) // it was taken to the end
}

// Reasons an update is rejected, as metric labels.
const (
	reasonBadSecret  = "bad_secret" // a webhook call without the right secret
	reasonBadJSON    = "bad_json"   // a body that is unreadable or no update
	reasonTooLarge   = "too_large"  // a body over 1 MiB
	reasonDuplicate  = "duplicate"  // an update id already taken
	reasonBusy       = "busy"       // an update another worker is taking right now
	reasonLate       = "late"       // a typed message that overtook a later one
	reasonUnstorable = "unstorable" // an update whose text the database refused
)

type noMetrics struct{}

func (noMetrics) Received()             {}
func (noMetrics) Rejected(string)       {}
func (noMetrics) Failed()               {}
func (noMetrics) Handled(time.Duration) {}

// Config is the channel's part of the configuration.
type Config struct {
	Token          string
	APIURL         string // Bot API base URL, such as https://api.telegram.org
	Mode           string // "polling" or "webhook"
	WebhookURL     string // public URL Telegram posts updates to; set with setWebhook at start if given
	WebhookSecret  string
	MaxConnections int  // setWebhook max_connections
	OpenAnswering  bool // a plain /start begins the shared questionnaire for anyone
	// SubscribeCode, if set, lets a chat subscribe to the weekly digest with
	// /subscribe <code> (and leave with /unsubscribe).
	SubscribeCode string
	PollTimeout   time.Duration
	HTTPClient    *http.Client // for polling; nil: a client with a timeout above PollTimeout
}

// Modes of receiving updates.
const (
	ModePolling = "polling"
	ModeWebhook = "webhook"
)

// How long things are remembered.
const (
	seenTTL       = 24 * time.Hour   // update ids taken, against redelivery
	takingTTL     = 10 * time.Second // an update being taken, against a parallel redelivery; SQL input keys guard the answers beyond
	chatStateTTL  = 30 * 24 * time.Hour
	maxUpdateBody = 1 << 20
)

// Channel is the Telegram channel.
type Channel struct {
	api       *tgbot.Bot
	conv      Conversations
	kv        KV
	out       Sender
	callbacks Sender // answers to button presses: not held back by a chat's message limit
	cfg       Config
	log       *slog.Logger
	metrics   Metrics
}

// Option sets up a part of the channel that has a default.
type Option func(*Channel)

// WithMetrics makes the channel count the updates it receives, rejects
// and handles in m; by default, and with nil, it counts nothing.
func WithMetrics(m Metrics) Option {
	return func(c *Channel) {
		if m != nil {
			c.metrics = m
		}
	}
}

// WithCallbacks sends the answers to button presses through their own
// queue s instead of the channel's. Telegram's limit of about one message
// a second per chat does not apply to them, and a client shows a spinner
// until its press is answered, so they should not wait behind a chat's
// messages.
func WithCallbacks(s Sender) Option { return func(c *Channel) { c.callbacks = s } }

// New returns the channel. It does not contact Telegram; Run does. Chats
// may subscribe to the weekly digest with /subscribe <code> when
// cfg.SubscribeCode is set.
func New(cfg Config, conv Conversations, kv KV, out Sender, log *slog.Logger, opts ...Option) (*Channel, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.PollTimeout + 15*time.Second}
	}
	tgOpts := []tgbot.Option{
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(cfg.PollTimeout, &http.Client{Timeout: 30 * time.Second}),
		tgbot.WithErrorsHandler(func(err error) { log.Warn("telegram client", slog.Any("error", redactToken(err, cfg.Token))) }),
	}
	if cfg.APIURL != "" {
		tgOpts = append(tgOpts, tgbot.WithServerURL(cfg.APIURL))
	}
	api, err := tgbot.New(cfg.Token, tgOpts...)
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", err)
	}
	c := &Channel{api: api, conv: conv, kv: kv, out: out, callbacks: out, cfg: cfg, log: log.With(slog.String("channel", ChannelName)), metrics: noMetrics{}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Run registers the bot's commands and receives updates until ctx ends:
// by long polling, or, in webhook mode, by registering the webhook (if a
// public URL is configured) while Handler serves it.
func (c *Channel) Run(ctx context.Context) error {
	go c.retry(ctx, "setMyCommands", func() error { return c.setCommands(ctx) })
	if c.cfg.Mode == ModeWebhook {
		if c.cfg.WebhookURL != "" {
			c.retry(ctx, "setWebhook", func() error {
				_, err := c.api.SetWebhook(ctx, &tgbot.SetWebhookParams{
					URL: c.cfg.WebhookURL, SecretToken: c.cfg.WebhookSecret, MaxConnections: c.cfg.MaxConnections,
					AllowedUpdates: allowedUpdates(),
				})
				return err
			})
			c.log.Info("webhook registered")
		}
		<-ctx.Done()
		return nil
	}
	c.retry(ctx, "deleteWebhook before polling", func() error {
		_, err := c.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{})
		return err
	})
	return c.poll(ctx)
}

// retry calls fn until it succeeds or ctx ends, waiting longer each time:
// Telegram being unreachable at start must not take the whole service
// (the web form, the other channels) down with it.
func (c *Channel) retry(ctx context.Context, what string, fn func() error) {
	wait := time.Second
	for {
		err := fn()
		if err == nil || ctx.Err() != nil {
			return
		}
		c.log.Warn("telegram "+what+" failed; retrying", slog.Any("error", redactToken(err, c.cfg.Token)), slog.Duration("retry_in", wait))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

func allowedUpdates() []string { return []string{"message", "callback_query"} }

// setCommands registers the command menu in German (also the default) and English.
func (c *Channel) setCommands(ctx context.Context) error {
	cmds := func(lang dialogs.Lang) []models.BotCommand {
		return []models.BotCommand{
			{Command: "start", Description: dialogs.UICmdStart.In(lang)},
			{Command: "help", Description: dialogs.UICmdHelp.In(lang)},
			{Command: "status", Description: dialogs.UICmdStatus.In(lang)},
			{Command: "back", Description: dialogs.UICmdBack.In(lang)},
			{Command: "pause", Description: dialogs.UICmdPause.In(lang)},
			{Command: "language", Description: dialogs.UICmdLanguage.In(lang)},
			{Command: "delete", Description: dialogs.UICmdDelete.In(lang)},
			{Command: "stop", Description: dialogs.UICmdStop.In(lang)},
		}
	}
	for _, l := range []struct {
		code string
		lang dialogs.Lang
	}{{"", dialogs.German}, {"de", dialogs.German}, {"en", dialogs.English}} {
		if _, err := c.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: cmds(l.lang), LanguageCode: l.code}); err != nil {
			return err
		}
	}
	return nil
}

// Forget deletes what the channel keeps in kv under a chat, for an
// erased respondent: the last question shown and the latest update id.
func Forget(ctx context.Context, kv KV, who survey.Identity) error {
	if who.Channel != ChannelName {
		return nil
	}
	chat, err := strconv.ParseInt(who.External, 10, 64)
	if err != nil {
		return nil // not a chat this channel made
	}
	for _, key := range []string{questionKey(chat), lastKey(chat)} {
		if err := kv.Del(ctx, key); err != nil {
			return fmt.Errorf("forget chat: %w", err)
		}
	}
	return nil
}
