package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	slackch "github.com/surveybot/surveybot/channels/slack"
	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/httpserver"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// declareMetrics shows every series from zero at start, also of channels
// this instance does not run: a dashboard or an alert on rate() sees each
// channel, queue and rejection reason before its first event. The reasons
// are those the channels count (docs/OPERATIONS.md, Metrics).
func (a *app) declareMetrics(log *slog.Logger) {
	a.metrics.Declare(telegram.ChannelName, "bad_secret", "bad_json", "too_large", "duplicate", "busy", "late", "unstorable")
	a.metrics.Declare(slackch.ChannelName, "bad_signature", "bad_json", "too_large", "duplicate", "late")
	a.metrics.Declare(web.ChannelName, "bad_token", "rate_limited", "bad_csrf", "too_large", "bad_form")
	a.metrics.Queue(telegram.ChannelName, telegram.ChannelName)
	a.metrics.Queue("telegram-callbacks", telegram.ChannelName)
	a.metrics.Queue(slackch.ChannelName, slackch.ChannelName)
	a.metrics.CampaignMessages(campaignCounts{a.db}, log,
		string(survey.Email), string(survey.Telegram), string(survey.Slack))
}

// campaignCounts gives the metrics the store's counts of campaign messages.
type campaignCounts struct{ db *store.DB }

func (c campaignCounts) CampaignMessageCounts(ctx context.Context) ([]metrics.CampaignMessageCount, error) {
	counts, err := c.db.CampaignMessageCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]metrics.CampaignMessageCount, len(counts))
	for i, n := range counts {
		out[i] = metrics.CampaignMessageCount{Channel: n.Channel, Status: n.Status, N: n.N}
	}
	return out, nil
}

// serveMetrics serves GET /metrics: on srv, or, with server.metrics_listen
// set, only on a listener of its own (with /healthz and /readyz for probes
// on the same port) until ctx ends.
func (a *app) serveMetrics(ctx context.Context, wg *sync.WaitGroup, srv *httpserver.Server, checks []httpserver.Check) error {
	addr := a.cfg.Server.MetricsListen
	if addr == "" {
		srv.Handle("GET /metrics", a.metrics.Handler())
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("server.metrics_listen: %w", err)
	}
	log := a.log.With(slog.String("server", "metrics"))
	ms := httpserver.NewServer(log, checks...)
	ms.Handle("GET /metrics", a.metrics.Handler())
	t := httpserver.Timeouts{Read: a.cfg.Server.ReadTimeout, Write: a.cfg.Server.WriteTimeout, Shutdown: a.cfg.Server.ShutdownTimeout}
	wg.Go(func() {
		if err := ms.Serve(ctx, ln, t); err != nil {
			log.Error("metrics server stopped", slog.Any("error", err))
		}
	})
	return nil
}

// withoutAddress keeps an e-mail address out of an error that is logged: a
// mail server's answer often quotes the recipient.
func withoutAddress(err error, addr string) error {
	if err == nil || addr == "" || !strings.Contains(err.Error(), addr) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), addr, "<recipient>"))
}
