package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/surveybot/surveybot/admin"
	"github.com/surveybot/surveybot/channels/outbox"
	slackch "github.com/surveybot/surveybot/channels/slack"
	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/httpserver"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/survey"
)

func serveCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file (default: embedded defaults, SQLite in ./surveybot.db, no Redis)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	cfg, err := loadConfig(*cfgPath, e)
	if err != nil {
		return err
	}
	log := newLogger(cfg, e.stderr)
	a, err := openApp(ctx, cfg, log, metrics.New())
	if err != nil {
		return err
	}
	defer a.Close()
	a.declareMetrics(log)

	checks := []httpserver.Check{{Name: "database", Check: a.db.Ping}}
	sessions := "in-process"
	if a.rdb != nil {
		checks = append(checks, httpserver.Check{Name: "redis", Check: a.sessions.Ping})
		sessions = "redis"
	}
	srv := httpserver.NewServer(log, checks...)
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("server.listen: %w", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	if err := a.serveMetrics(ctx, &wg, srv, checks); err != nil {
		return err
	}
	var failed error // a channel that stopped with an error makes serve exit 1
	var failedMu sync.Mutex
	fail := func(name string, err error) {
		log.Error(name+" channel stopped", slog.Any("error", err))
		failedMu.Lock()
		failed = errors.Join(failed, fmt.Errorf("%s channel: %w", name, err))
		failedMu.Unlock()
		cancel()
	}
	channels := []string{}
	var queues []*outbox.Queue
	var tg *telegram.Channel
	var sl *slackch.Channel
	if cfg.Telegram.Token != "" {
		ch, q, err := a.telegram(log)
		if err != nil {
			return err
		}
		tg = ch
		queues = append(queues, q)
		if cfg.Telegram.Mode == telegram.ModeWebhook {
			srv.Handle("POST "+cfg.Telegram.WebhookPath, ch.Handler())
		}
		wg.Go(func() {
			if err := ch.Run(ctx); err != nil {
				fail(telegram.ChannelName, err)
			}
		})
		channels = append(channels, "telegram ("+cfg.Telegram.Mode+")")
	}
	if cfg.Slack.BotToken != "" {
		ch, q, err := a.slack(log)
		if err != nil {
			return err
		}
		sl = ch
		queues = append(queues, q)
		if cfg.Slack.Mode == slackch.ModeHTTP {
			ch.Register(srv)
		}
		wg.Go(func() {
			if err := ch.Run(ctx); err != nil {
				fail(slackch.ChannelName, err)
			}
		})
		channels = append(channels, "slack ("+cfg.Slack.Mode+")")
	}
	if cfg.Digest.Enabled {
		job, err := a.digestJob(log, tg, sl)
		if err != nil {
			return err
		}
		wg.Go(func() { job.Run(ctx) })
	}
	// Campaigns: every instance can queue (admin API); with campaigns
	// enabled it also sends, on the channels it has.
	camps, err := a.campaigns(ctx, log, cfg.Campaigns.Enabled, tg, sl)
	if err != nil {
		return err
	}
	if cfg.Campaigns.Enabled {
		wg.Go(func() {
			if err := camps.Run(ctx, cfg.Server.ShutdownTimeout); err != nil {
				fail("campaigns", err)
			}
		})
	}
	admin.New(admin.Config{DB: a.db, Questionnaire: a.q, Campaigns: camps, Log: log.With(slog.String("api", "admin"))}).Register(srv)
	wg.Go(func() { pruneInputKeys(ctx, a, log) })
	w, err := a.web(log)
	if err != nil {
		return err
	}
	w.Register(srv)
	channels = append(channels, web.ChannelName)
	log.Info("surveybot serving",
		slog.String("questionnaire", a.q.Ref().String()),
		slog.String("database", string(a.db.Dialect())),
		slog.String("sessions", sessions),
		slog.Any("channels", channels))
	err = srv.Serve(ctx, ln, httpserver.Timeouts{Read: cfg.Server.ReadTimeout, Write: cfg.Server.WriteTimeout, Shutdown: cfg.Server.ShutdownTimeout})
	cancel()
	wg.Wait()
	for _, q := range append(queues, a.queues...) {
		qctx, qcancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
		if err := q.Close(qctx); err != nil {
			log.Warn("send queue not drained", slog.Any("error", err))
		}
		qcancel()
	}
	return errors.Join(err, failed)
}

func migrateCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		fmt.Fprintf(e.stdout, "database (%s) is up to date\n", a.db.Dialect())
		return nil
	})
}

func respondentCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "erase" {
		return fmt.Errorf("%w: respondent needs the subcommand erase", errUsage)
	}
	fs := flag.NewFlagSet("respondent erase", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	email := fs.String(string(survey.Email), "", "the respondent's e-mail address")
	chat := fs.String(string(survey.Telegram), "", "the respondent's Telegram chat id")
	slackUser := fs.String(string(survey.Slack), "", "the respondent's Slack user id")
	key := fs.String("invitation", "", "a personal invitation key of the respondent")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	given := 0
	for _, v := range []string{*email, *chat, *slackUser, *key} {
		if v != "" {
			given++
		}
	}
	if given+fs.NArg() != 1 {
		return fmt.Errorf("%w: respondent erase takes one of: a respondent id, --email, --telegram, --slack or --invitation", errUsage)
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		id := fs.Arg(0)
		var err error
		switch {
		case *email != "":
			id, err = a.db.RespondentByIdentity(ctx, survey.Identity{Channel: survey.Email, External: strings.ToLower(strings.TrimSpace(*email))})
		case *chat != "":
			id, err = a.db.RespondentByIdentity(ctx, survey.Identity{Channel: telegram.ChannelName, External: *chat})
		case *slackUser != "":
			id, err = a.db.RespondentByIdentity(ctx, survey.Identity{Channel: slackch.ChannelName, External: *slackUser})
		case *key != "":
			var inv survey.Invitation
			inv, err = a.db.InvitationByKey(ctx, *key)
			if errors.Is(err, survey.ErrExpired) {
				err = nil // an expired invitation still names its respondent
			}
			id = inv.RespondentID
		}
		if errors.Is(err, survey.ErrNotFound) {
			return fmt.Errorf("no respondent is known by that; nothing to erase")
		}
		if err != nil {
			return err
		}
		if err := a.svc.Erase(ctx, id); err != nil {
			if errors.Is(err, survey.ErrNotFound) {
				return fmt.Errorf("no respondent %s; nothing to erase", id)
			}
			return err
		}
		fmt.Fprintf(e.stdout, "respondent %s erased: identities on every channel and answers removed\n", id)
		return nil
	})
}

// pruneInputKeys forgets, every hour, the input keys older than a week.
func pruneInputKeys(ctx context.Context, a *app, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := a.db.PruneInputKeys(ctx, time.Now().Add(-7*24*time.Hour)); err != nil {
			log.Warn("prune input keys", slog.Any("error", err))
		} else if n > 0 {
			log.Info("input keys pruned", slog.Int64("count", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
