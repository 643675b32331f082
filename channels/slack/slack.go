// Package slack carries the dialog over Slack: a respondent answers in the
// app's direct message, by Block Kit buttons or by typing, and starts or
// steers the survey with the slash command /umfrage. Requests arrive over
// the Events API, interactivity and slash command endpoints (each verified
// by its signature) or over Socket Mode; each is acknowledged at once,
// taken at most once and worked off in order per Slack user, and the bot's
// prompts go back through a rate-limited send queue.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// ChannelName is the channel name stored with identities and answers.
const ChannelName = "slack"

// Conversations is what the channel needs of the bot; *bot.Service has it.
type Conversations interface {
	Open(ctx context.Context, who survey.Identity, lang dialogs.Lang) (bot.Reply, error)
	Handle(ctx context.Context, who survey.Identity, in dialogs.Input) (bot.Reply, error)
	StartInvitation(ctx context.Context, who survey.Identity, key string) (bot.Reply, error)
	Known(ctx context.Context, who survey.Identity) (bool, error)
	EraseIdentity(ctx context.Context, who survey.Identity) error
}

// KV keeps the channel's bookkeeping: event and action ids already taken,
// each user's DM channel, latest message and current question message. In
// Redis, it is shared by all instances.
type KV interface {
	SetNX(ctx context.Context, key, val string, ttl time.Duration) (bool, error)
	Set(ctx context.Context, key, val string, ttl time.Duration) error
	Get(ctx context.Context, key string) (string, bool, error)
	Del(ctx context.Context, key string) error
}

// Sender queues outgoing calls to the Slack Web API.
type Sender interface {
	Enqueue(m outbox.Message) error
}

// Metrics counts the requests the channel takes; *metrics.Channel has it.
type Metrics interface {
	Received()                  // a request (an event, a button press, a command) arrived
	Rejected(reason string)     // it was refused or not applied
	Failed()                    // its work failed for good, or it was not taken
	Handled(took time.Duration) // its work was done
}

// Reasons a request is rejected, as metric labels.
const (
	reasonBadSignature = "bad_signature" // a missing, wrong or stale signature
	reasonBadJSON      = "bad_json"      // a body that is unreadable or no payload
	reasonTooLarge     = "too_large"     // a body over 1 MiB
	reasonDuplicate    = "duplicate"     // an event, press or command already taken
	reasonLate         = "late"          // a typed message that overtook a later one
)

type noMetrics struct{}

func (noMetrics) Received()             {}
func (noMetrics) Rejected(string)       {}
func (noMetrics) Failed()               {}
func (noMetrics) Handled(time.Duration) {}

// Config is the channel's part of the configuration.
type Config struct {
	BotToken      string // xoxb- token of the app's bot user
	SigningSecret string // verifies the requests Slack posts (HTTP mode)
	AppToken      string // xapp- token for Socket Mode
	APIURL        string // Web API base URL, ending in "/"; empty: Slack's own
	Mode          string // ModeHTTP or ModeSocket
	// OpenAnswering lets anyone in the workspace begin the shared
	// questionnaire by a direct message or /umfrage start; without it,
	// only invited respondents get in.
	OpenAnswering bool
	// Now is the clock the request timestamps are checked against; nil is
	// time.Now.
	Now func() time.Time
}

// Modes of receiving Slack's requests.
const (
	ModeHTTP   = "http"   // Events API, interactivity and slash command endpoints
	ModeSocket = "socket" // Socket Mode over a WebSocket the app opens
)

// ErrNoUser is returned by Invite for an e-mail address no member of the
// workspace has.
var ErrNoUser = errors.New("slack: no user with that e-mail address")

// How long things are remembered, and how much is read.
const (
	seenTTL      = 24 * time.Hour // event and action ids taken, against redelivery
	userStateTTL = 30 * 24 * time.Hour
	greetedTTL   = 365 * 24 * time.Hour
	maxBody      = 1 << 20
	signatureAge = 5 * time.Minute
	workAttempts = 3
)

// Channel is the Slack channel.
type Channel struct {
	api     *slack.Client
	conv    Conversations
	kv      KV
	out     Sender
	work    *outbox.Queue // ordered lanes per Slack user for the work after the acknowledgement
	cfg     Config
	log     *slog.Logger
	metrics Metrics
}

// Option sets up a part of the channel that has a default.
type Option func(*Channel)

// WithMetrics makes the channel count the requests it receives, rejects
// and handles in m; by default, and with nil, it counts nothing.
func WithMetrics(m Metrics) Option {
	return func(c *Channel) {
		if m != nil {
			c.metrics = m
		}
	}
}

// New returns the channel. It does not contact Slack; Run does in Socket
// Mode, and the handlers answer Slack's requests in HTTP mode.
func New(cfg Config, conv Conversations, kv KV, out Sender, log *slog.Logger, opts ...Option) (*Channel, error) {
	if cfg.BotToken == "" {
		return nil, errors.New("slack: no bot token")
	}
	switch cfg.Mode {
	case "", ModeHTTP:
		cfg.Mode = ModeHTTP
		if cfg.SigningSecret == "" {
			return nil, errors.New("slack: HTTP mode needs the signing secret")
		}
	case ModeSocket:
		if !strings.HasPrefix(cfg.AppToken, "xapp-") {
			return nil, errors.New("slack: Socket Mode needs an app-level token (xapp-...)")
		}
	default:
		return nil, fmt.Errorf("slack: unknown mode %q (want %q or %q)", cfg.Mode, ModeHTTP, ModeSocket)
	}
	if cfg.APIURL != "" && !strings.HasSuffix(cfg.APIURL, "/") {
		return nil, fmt.Errorf("slack: API URL %q must end in /", cfg.APIURL)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	log = log.With(slog.String("channel", ChannelName))
	var apiOpts []slack.Option
	if cfg.APIURL != "" {
		apiOpts = append(apiOpts, slack.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		apiOpts = append(apiOpts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	c := &Channel{
		api: slack.New(cfg.BotToken, apiOpts...), conv: conv, kv: kv, out: out, cfg: cfg, log: log, metrics: noMetrics{},
		// The work queue only orders: Limits{} is no limit. Its retries
		// cover a store that fails for a moment.
		work: outbox.New(outbox.NewMemoryLimiter(outbox.Limits{}), outbox.Options{
			Log: log, MaxAttempts: workAttempts, Backoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second,
		}),
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Run checks the bot token (auth.test) and receives Slack's requests until
// ctx ends: in Socket Mode over the app's WebSocket; in HTTP mode the
// handlers of Register receive them and Run only waits. Either way, the
// work still queued when ctx ends gets a few seconds to finish.
func (c *Channel) Run(ctx context.Context) error {
	defer c.drain()
	// A wrong token shows at start, not at the first respondent.
	if who, err := c.api.AuthTestContext(ctx); err != nil {
		c.log.Warn("slack auth.test failed; check the bot token", slog.Any("error", err))
	} else {
		c.log.Info("slack bot ready", slog.String("team", who.Team), slog.String("bot_user", who.UserID))
	}
	if c.cfg.Mode == ModeSocket {
		return c.runSocket(ctx)
	}
	<-ctx.Done()
	return nil
}

// drain lets queued work finish for a moment after Run ends.
func (c *Channel) drain() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.work.Close(ctx); err != nil {
		c.log.Warn("slack work left undone", slog.Any("error", err))
	}
}

// runSocket connects by Socket Mode and takes each envelope like the HTTP
// handlers take a request: acknowledged at once, worked off after.
func (c *Channel) runSocket(ctx context.Context) error {
	sm := socketmode.New(c.api, socketmode.OptionLog(slog.NewLogLogger(c.log.Handler(), slog.LevelDebug)))
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt := <-sm.Events:
			c.socketEvent(ctx, sm, evt)
		}
	}
}

func (c *Channel) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		c.log.Info("socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		c.log.Warn("socket mode", slog.String("event", string(evt.Type)), slog.Any("data", evt.Data))
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive, socketmode.EventTypeSlashCommand:
		if evt.Request == nil {
			return
		}
		req := *evt.Request
		c.metrics.Received()
		var (
			payload any
			err     error
		)
		switch evt.Type {
		case socketmode.EventTypeEventsAPI:
			_, err = c.acceptEvent(ctx, req.Payload)
		case socketmode.EventTypeInteractive:
			err = c.acceptInteraction(ctx, req.Payload)
		case socketmode.EventTypeSlashCommand:
			cmd, ok := evt.Data.(slack.SlashCommand)
			if !ok {
				return
			}
			var text string
			text, err = c.acceptCommand(ctx, cmd)
			if err == nil {
				payload = map[string]string{"response_type": "ephemeral", "text": text}
			}
		}
		if errors.Is(err, errMalformed) {
			c.metrics.Rejected(reasonBadJSON)
		} else if err != nil {
			c.metrics.Failed()
		}
		if err != nil {
			// Not acknowledged: Slack sends the envelope again.
			c.log.Error("take socket mode request", slog.String("type", req.Type), slog.Any("error", err))
			return
		}
		if err := sm.Ack(req, payload); err != nil {
			c.log.Warn("acknowledge socket mode request", slog.Any("error", err))
		}
	}
}

// Forget deletes what the channel keeps in kv under a Slack user, for an
// erased respondent: the DM channel, the last question shown, the latest
// message and the greeting.
func Forget(ctx context.Context, kv KV, who survey.Identity) error {
	if who.Channel != ChannelName || who.External == "" {
		return nil
	}
	u := who.External
	for _, key := range []string{questionKey(u), dmKey(u), lastKey(u), greetedKey(u)} {
		if err := kv.Del(ctx, key); err != nil {
			return fmt.Errorf("forget Slack user: %w", err)
		}
	}
	return nil
}
