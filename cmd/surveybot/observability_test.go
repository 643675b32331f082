package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/metrics/metricstest"
)

// lockedBuffer is a bytes.Buffer for logs written from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeMetrics runs `surveybot serve` with its Telegram webhook on a
// fake Bot API, /metrics on a listener of its own and JSON logs: a scrape
// there counts what the webhook got, the public listener has no /metrics,
// and the logs hold no chat id.
func TestServeMetrics(t *testing.T) {
	fake := telegramtest.New(t, "4242:metrics-test")
	const secret = "metrics-test-secret-0123456789"
	addr, metricsAddr := testrig.FreeAddr(t), testrig.FreeAddr(t)
	vars := map[string]string{
		"SURVEYBOT_SQL_DSN":                 "sqlite:" + filepath.Join(t.TempDir(), "metrics.db"),
		"SURVEYBOT_SERVER_LISTEN":           addr,
		"SURVEYBOT_SERVER_METRICS_LISTEN":   metricsAddr,
		"SURVEYBOT_TELEGRAM_TOKEN":          fake.Token(),
		"SURVEYBOT_TELEGRAM_API_URL":        fake.URL(),
		"SURVEYBOT_TELEGRAM_MODE":           "webhook",
		"SURVEYBOT_TELEGRAM_WEBHOOK_SECRET": secret,
		"SURVEYBOT_TELEGRAM_OPEN_ANSWERING": "true",
		"SURVEYBOT_TELEGRAM_CHAT_RATE":      "100",
		"SURVEYBOT_TELEGRAM_CHAT_BURST":     "100",
		"SURVEYBOT_LOG_FORMAT":              "json",
		"SURVEYBOT_LOG_LEVEL":               "debug",
	}
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"serve"}, env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs,
			log: slog.New(slog.DiscardHandler), getenv: func(k string) string { return vars[k] }})
	}()
	testrig.WaitReady(t, addr)
	webhook := "http://" + addr + "/telegram/webhook"
	const chat = 880011223344

	resp, err := fake.PostUpdate(webhook, "not-the-secret-at-all-123", fake.SendText(chat, "/start"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("wrong secret: %d, want 403", resp.StatusCode)
	}
	for _, text := range []string{"/start", "ja", "1"} {
		before := len(fake.CallsTo("sendMessage"))
		resp, err := fake.PostUpdate(webhook, secret, fake.SendText(chat, text))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("webhook answered %d to %q", resp.StatusCode, text)
		}
		fake.WaitFor(t, 10*time.Second, func(s *telegramtest.Server) bool { return len(s.CallsTo("sendMessage")) > before })
	}

	f := metricstest.Scrape(t, "http://"+metricsAddr+"/metrics")
	tg := []string{"channel", "telegram"}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"surveybot_updates_received_total", tg, 4},
		{"surveybot_updates_rejected_total", []string{"channel", "telegram", "reason", "bad_secret"}, 1},
		{"surveybot_dialogs_started_total", tg, 1},
		{"surveybot_answers_accepted_total", tg, 1},
		{"surveybot_updates_received_total", []string{"channel", "web"}, 0},
	} {
		if got := f.Value(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := f.Value("surveybot_sends_total", tg...); got < 3 {
		t.Errorf("%v sends, want at least the notice and two questions", got)
	}
	if !f.Has("surveybot_send_queue_depth") || !f.Has("go_goroutines") {
		t.Errorf("the queue depth or the Go runtime is not scraped")
	}
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the public listener: %d, want 404 with server.metrics_listen set", resp.StatusCode)
	}

	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("serve exited %d after a clean shutdown", c)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"response started"`) {
		t.Fatalf("the JSON logs lack the start of the response:\n%s", out)
	}
	if strings.Contains(out, "880011223344") {
		t.Errorf("the logs hold the chat id:\n%s", out)
	}
}

// TestServeMetricsFromZero scrapes a fresh `surveybot serve` with no
// Telegram or Slack configured and nothing happened yet: every channel's
// series, every send queue and the campaign messages of every channel and
// state are there, at 0.
func TestServeMetricsFromZero(t *testing.T) {
	addr := testrig.FreeAddr(t)
	vars := map[string]string{
		"SURVEYBOT_SQL_DSN":       "sqlite:" + filepath.Join(t.TempDir(), "zero.db"),
		"SURVEYBOT_SERVER_LISTEN": addr,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"serve"}, env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
			log: slog.New(slog.DiscardHandler), getenv: func(k string) string { return vars[k] }})
	}()
	testrig.WaitReady(t, addr)
	f := metricstest.Scrape(t, "http://"+addr+"/metrics")
	zero := func(name string, labels ...string) {
		t.Helper()
		if f.Series(name, labels...) == 0 {
			t.Errorf("%s%v is not scraped", name, labels)
		} else if v := f.Value(name, labels...); v != 0 {
			t.Errorf("%s%v = %v before anything happened", name, labels, v)
		}
	}
	for _, ch := range []string{"telegram", "slack", "web"} {
		for _, name := range []string{"surveybot_updates_received_total", "surveybot_updates_failed_total", "surveybot_update_duration_seconds",
			"surveybot_answers_accepted_total", "surveybot_dialogs_started_total", "surveybot_dialogs_completed_total"} {
			zero(name, "channel", ch)
		}
	}
	for ch, reasons := range map[string][]string{
		"telegram": {"bad_secret", "bad_json", "too_large", "duplicate", "busy", "late"},
		"slack":    {"bad_signature", "bad_json", "too_large", "duplicate", "late"},
		"web":      {"bad_token", "rate_limited", "bad_csrf", "too_large", "bad_form"},
	} {
		for _, r := range reasons {
			zero("surveybot_updates_rejected_total", "channel", ch, "reason", r)
		}
	}
	for _, q := range []string{"telegram", "telegram-callbacks", "slack"} {
		for _, name := range []string{"surveybot_send_queue_depth", "surveybot_sends_total", "surveybot_send_failures_total",
			"surveybot_send_rate_limited_total", "surveybot_send_dropped_total"} {
			zero(name, "queue", q)
		}
	}
	for _, ch := range []string{"email", "telegram", "slack"} {
		for _, st := range []string{"queued", "sending", "sent", "failed", "skipped"} {
			zero("surveybot_campaign_messages", "channel", ch, "status", st)
		}
	}
	cancel()
	select {
	case <-code:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
