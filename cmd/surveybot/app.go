package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"

	"github.com/redis/go-redis/v9"
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/email"
	"github.com/surveybot/surveybot/channels/outbox"
	slackch "github.com/surveybot/surveybot/channels/slack"
	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/config"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/digest"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// sessionStore is a session store that can say whether it is reachable.
type sessionStore interface {
	bot.Sessions
	Ping(ctx context.Context) error
}

// app is the wired service: config, stores and the conversation service.
type app struct {
	cfg      config.Config
	log      *slog.Logger
	db       *store.DB
	rdb      *redis.Client // nil without Redis
	sessions sessionStore
	q        *dialogs.Questionnaire
	svc      *bot.Service
	memKV    *store.MemoryKV
	queues   []*outbox.Queue  // extra send queues to drain at shutdown
	metrics  *metrics.Metrics // nil: nothing counted (every command but serve)

	// The limiters of the Telegram and Slack send queues, shared with
	// campaign sends; set when the channels are built.
	tgLimiter, slackLimiter outbox.Limiter
}

// loadConfig reads the config file (if any) and the environment overrides.
func loadConfig(path string, e env) (config.Config, error) {
	return config.Load(path, e.getenv)
}

// newLogger builds the logger the config asks for.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openApp connects the stores, applies the migrations and registers the
// questionnaire new responses answer. With m, the service and the channels
// and send queues built from the app count in it (serve); nil counts
// nothing (every other command).
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger, m *metrics.Metrics) (_ *app, err error) {
	a := &app{cfg: cfg, log: log, metrics: m}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.q, err = loadQuestionnaire(cfg.Questionnaire.File); err != nil {
		return nil, err
	}
	var dbOpts []store.Option
	if cfg.SQL.OptOutSecret != "" {
		dbOpts = append(dbOpts, store.WithOptOutKey([]byte(cfg.SQL.OptOutSecret)))
	}
	if cfg.SQL.PanelSecret != "" {
		dbOpts = append(dbOpts, store.WithPanelKey([]byte(cfg.SQL.PanelSecret)))
	}
	if a.db, err = store.Open(ctx, cfg.SQL.DSN, dbOpts...); err != nil {
		return nil, err
	}
	n, err := a.db.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		log.Info("database migrated", slog.Int("applied", n), slog.String("dialect", string(a.db.Dialect())))
	}
	if err := registerQuestionnaires(ctx, a.db, a.q, cfg.Questionnaire.File); err != nil {
		return nil, err
	}
	if cfg.Redis.URL == "" {
		a.sessions = store.NewMemorySessions(cfg.Redis.SessionTTL)
	} else {
		if a.rdb, err = store.OpenRedis(ctx, cfg.Redis.URL); err != nil {
			return nil, err
		}
		a.sessions = store.NewRedisSessions(a.rdb, store.RedisOptions{
			Prefix: cfg.Redis.KeyPrefix, TTL: cfg.Redis.SessionTTL, LockTTL: cfg.Redis.LockTTL, LockWait: cfg.Redis.LockWait,
		})
	}
	opts := []bot.Option{bot.WithForget(a.forget)}
	if m != nil {
		opts = append(opts, bot.WithMetrics(m))
	}
	if a.q.Extends != nil {
		core, err := dialogs.LoadCore()
		if err != nil {
			return nil, err
		}
		opts = append(opts, bot.WithOlder(core))
	}
	a.svc = bot.NewService(a.db, a.sessions, log, a.q, opts...)
	return a, nil
}

// forget erases what the channels keep of an erased respondent outside
// SQL: Telegram's and Slack's state in the key-value store, and the mail
// to them in the file outbox.
func (a *app) forget(ctx context.Context, who survey.Identity) error {
	switch who.Channel {
	case survey.Telegram:
		return telegram.Forget(ctx, a.kv(), who)
	case survey.Slack:
		return slackch.Forget(ctx, a.kv(), who)
	case survey.Email:
		if a.cfg.Email.Mode == "smtp" {
			return nil // sent: the mail server's logs are the operator's to keep
		}
		files, err := email.NewFileSender(a.cfg.Email.OutboxDir, a.cfg.Email.From)
		if err != nil {
			return err
		}
		return files.Forget(who.External)
	}
	return nil
}

// registerQuestionnaires records the core and, if configured, the chamber
// questionnaire with their content hashes.
func registerQuestionnaires(ctx context.Context, db *store.DB, q *dialogs.Questionnaire, file string) error {
	core, err := dialogs.LoadCore()
	if err != nil {
		return err
	}
	if err := db.RegisterQuestionnaire(ctx, core.Ref(), dialogs.CoreSource()); err != nil {
		return err
	}
	if file == "" {
		return nil
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read questionnaire: %w", err)
	}
	return db.RegisterQuestionnaire(ctx, q.Ref(), src)
}

// Close releases the stores.
func (a *app) Close() {
	var errs []error
	if a.rdb != nil {
		errs = append(errs, a.rdb.Close())
	}
	if a.db != nil {
		errs = append(errs, a.db.Close())
	}
	if err := errors.Join(errs...); err != nil {
		a.log.Warn("close stores", slog.Any("error", err))
	}
}

// kv returns the channels' key-value store: Redis when configured, else
// in the process.
func (a *app) kv() telegram.KV {
	if a.rdb != nil {
		return store.NewRedisKV(a.rdb, a.cfg.Redis.KeyPrefix)
	}
	if a.memKV == nil {
		a.memKV = store.NewMemoryKV()
	}
	return a.memKV
}

// telegram builds the Telegram channel and its send queue, whose limits
// are shared through Redis when configured.
func (a *app) telegram(log *slog.Logger) (*telegram.Channel, *outbox.Queue, error) {
	tc := a.cfg.Telegram
	// The global budget is spent evenly (burst 1): a broadcast then never
	// runs ahead of Telegram's own count of messages per second.
	limits := outbox.Limits{PerKey: tc.ChatRate, PerKeyBurst: tc.ChatBurst, Global: tc.GlobalRate, GlobalBurst: 1}
	var lim outbox.Limiter = outbox.NewMemoryLimiter(limits)
	if a.rdb != nil {
		lim = outbox.NewRedisLimiter(a.rdb, a.cfg.Redis.KeyPrefix+"tg:rate:", limits)
	}
	a.tgLimiter = lim
	q := outbox.New(lim, outbox.Options{Log: log.With(slog.String("queue", telegram.ChannelName)), Observer: a.metrics.Queue(telegram.ChannelName, telegram.ChannelName)})
	// Answers to button presses only count against the global limit.
	cb := outbox.New(outbox.NewMemoryLimiter(outbox.Limits{Global: tc.GlobalRate, GlobalBurst: max(1, int(tc.GlobalRate))}),
		outbox.Options{Log: log.With(slog.String("queue", "telegram-callbacks")), MaxAttempts: 3, Observer: a.metrics.Queue("telegram-callbacks", telegram.ChannelName)})
	a.queues = append(a.queues, cb)
	ch, err := telegram.New(telegram.Config{
		Token: tc.Token, APIURL: tc.APIURL, Mode: tc.Mode, WebhookURL: tc.WebhookURL,
		WebhookSecret: tc.WebhookSecret, MaxConnections: tc.MaxConnections, OpenAnswering: tc.OpenAnswering,
		SubscribeCode: a.cfg.Digest.SubscribeCode,
	}, a.svc, a.kv(), q, log, telegram.WithMetrics(a.metrics.Channel(telegram.ChannelName)), telegram.WithCallbacks(cb))
	if err != nil {
		return nil, nil, err
	}
	return ch, q, nil
}

// withApp loads the config at path, opens the stores, runs fn and closes them.
func withApp(ctx context.Context, path string, e env, fn func(a *app) error) error {
	cfg, err := loadConfig(path, e)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, e.log, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

// web builds the web form channel. Without a configured secret key it makes
// a random one, which suits a single instance only.
func (a *app) web(log *slog.Logger) (*web.Channel, error) {
	key := []byte(a.cfg.Web.SecretKey)
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
		log.Warn("web.secret_key is not set: using a random key; several instances need one shared key")
	}
	w, err := web.New(web.Config{
		BaseURL: a.cfg.Web.BaseURL, SecretKey: key, OpenAnswering: a.cfg.Web.OpenAnswering,
		InvitationTTL: a.cfg.Web.InvitationTTL, GuessLimit: a.cfg.Web.GuessLimit, ForwardedFor: a.cfg.Web.ForwardedFor,
	}, a.svc, log, web.WithMetrics(a.metrics.Channel(web.ChannelName)))
	if err != nil {
		return nil, err
	}
	return w, nil
}

// slack builds the Slack channel and its send queue.
func (a *app) slack(log *slog.Logger) (*slackch.Channel, *outbox.Queue, error) {
	sc := a.cfg.Slack
	limits := outbox.Limits{PerKey: sc.ChannelRate, PerKeyBurst: 1, Global: sc.GlobalRate, GlobalBurst: max(1, int(sc.GlobalRate))}
	var lim outbox.Limiter = outbox.NewMemoryLimiter(limits)
	if a.rdb != nil {
		lim = outbox.NewRedisLimiter(a.rdb, a.cfg.Redis.KeyPrefix+"slack:rate:", limits)
	}
	a.slackLimiter = lim
	q := outbox.New(lim, outbox.Options{Log: log.With(slog.String("queue", slackch.ChannelName)), Observer: a.metrics.Queue(slackch.ChannelName, slackch.ChannelName)})
	ch, err := slackch.New(slackch.Config{
		BotToken: sc.BotToken, SigningSecret: sc.SigningSecret, AppToken: sc.AppToken, APIURL: sc.APIURL,
		Mode: sc.Mode, OpenAnswering: sc.OpenAnswering,
	}, a.svc, a.kv(), q, log, slackch.WithMetrics(a.metrics.Channel(slackch.ChannelName)))
	if err != nil {
		return nil, nil, err
	}
	return ch, q, nil
}

// digestJob builds the weekly digest job with a deliverer for each channel
// that is on: e-mail always (into files by default), Telegram and Slack if
// configured.
func (a *app) digestJob(log *slog.Logger, tg *telegram.Channel, sl *slackch.Channel) (*digest.Job, error) {
	mailer, err := a.mailer()
	if err != nil {
		return nil, err
	}
	name := func(d digest.Digest) string { return "digest-" + d.Week + ".png" }
	deliver := map[survey.Channel]digest.Deliverer{
		survey.Email: func(ctx context.Context, to survey.Subscriber, d digest.Digest) error {
			err := mailer.Send(ctx, email.Message{
				To: to.Target, Subject: "Digitalisierungsindikatoren Niedersachsen – Wochenbericht " + d.Week,
				Text: d.Text(), Attachments: []email.Attachment{{Name: name(d), Data: d.Chart}},
			})
			return withoutAddress(err, to.Target) // the job logs it
		},
	}
	if tg != nil {
		deliver[survey.Telegram] = func(ctx context.Context, to survey.Subscriber, d digest.Digest) error {
			chat, err := strconv.ParseInt(to.Target, 10, 64)
			if err != nil {
				return errors.New("telegram subscriber: the target is not a chat id")
			}
			return tg.Post(ctx, chat, d.Text(), d.Chart, name(d))
		}
	}
	if sl != nil {
		deliver[survey.Slack] = func(ctx context.Context, to survey.Subscriber, d digest.Digest) error {
			return sl.Post(ctx, to.Target, d.Text(), d.Chart, name(d))
		}
	}
	day, at, loc := a.cfg.Digest.Schedule()
	return digest.NewJob(a.db, a.q, deliver, loc, day, at, log.With(slog.String("job", "digest"))), nil
}
