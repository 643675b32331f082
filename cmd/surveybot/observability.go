package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/surveybot/surveybot/httpserver"
)

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
