package metrics_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/metrics/metricstest"
)

func TestScrape(t *testing.T) {
	m := metrics.New()
	tg := m.Channel("telegram")
	tg.Received()
	tg.Received()
	tg.Rejected("bad_secret")
	tg.Handled(30 * time.Millisecond)
	m.DialogStarted("telegram")
	m.AnswersAccepted("telegram", 3)
	m.DialogCompleted("telegram")
	q := m.Queue("telegram", "telegram")
	q.Pending(4)
	q.Sent(10 * time.Millisecond)
	q.RateLimited(5 * time.Millisecond)
	q.Failed(time.Second)
	q.Dropped()
	m.Channel("slack")

	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	f := metricstest.Scrape(t, srv.URL)

	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"surveybot_updates_received_total", []string{"channel", "telegram"}, 2},
		{"surveybot_updates_rejected_total", []string{"channel", "telegram", "reason", "bad_secret"}, 1},
		{"surveybot_update_duration_seconds", []string{"channel", "telegram"}, 1},
		{"surveybot_dialogs_started_total", []string{"channel", "telegram"}, 1},
		{"surveybot_answers_accepted_total", []string{"channel", "telegram"}, 3},
		{"surveybot_dialogs_completed_total", []string{"channel", "telegram"}, 1},
		{"surveybot_send_queue_depth", []string{"queue", "telegram"}, 4},
		{"surveybot_sends_total", []string{"channel", "telegram"}, 1},
		{"surveybot_send_rate_limited_total", []string{"channel", "telegram"}, 1},
		{"surveybot_send_failures_total", []string{"channel", "telegram"}, 1},
		{"surveybot_send_dropped_total", []string{"channel", "telegram"}, 1},
		{"surveybot_send_duration_seconds", []string{"channel", "telegram"}, 3},
		{"surveybot_updates_received_total", []string{"channel", "slack"}, 0},
	}
	for _, tc := range tests {
		if !f.Has(tc.name) {
			t.Errorf("%s is not scraped", tc.name)
			continue
		}
		if got := f.Value(tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	// A channel's counters are there from zero before its first update.
	if got := len(f["surveybot_updates_received_total"].GetMetric()); got != 2 {
		t.Errorf("%d received series, want telegram and slack", got)
	}
	if !f.Has("go_goroutines") {
		t.Errorf("the Go collector's go_goroutines is not scraped")
	}
}

// TestRegistriesApart builds two Metrics in one process: no global
// registry, no duplicate registration panic, and no shared counts.
func TestRegistriesApart(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.DialogStarted("web")
	if n, err := testutil.GatherAndCount(b.Registry(), "surveybot_dialogs_started_total"); err != nil || n != 0 {
		t.Errorf("the second registry has %d started series (%v), want none", n, err)
	}
	if n, err := testutil.GatherAndCount(a.Registry(), "surveybot_dialogs_started_total"); err != nil || n != 1 {
		t.Errorf("the first registry has %d started series (%v), want 1", n, err)
	}
}

// TestNilSafe calls every method on nil values, as a caller given no
// metrics does.
func TestNilSafe(t *testing.T) {
	var m *metrics.Metrics
	m.DialogStarted("web")
	m.DialogCompleted("web")
	m.AnswersAccepted("web", 1)
	c := m.Channel("web")
	c.Received()
	c.Rejected("x")
	c.Failed()
	c.Handled(time.Second)
	q := m.Queue("web", "web")
	q.Pending(1)
	q.Sent(0)
	q.Failed(0)
	q.RateLimited(0)
	q.Dropped()
}

type counts []metrics.CampaignMessageCount

func (c counts) CampaignMessageCounts(context.Context) ([]metrics.CampaignMessageCount, error) {
	return c, nil
}

// TestDeclaredFromZero checks that a scrape before any event lists the
// declared channels, their rejection reasons and every campaign channel's
// message states, at 0 where nothing happened.
func TestDeclaredFromZero(t *testing.T) {
	m := metrics.New()
	m.Declare("telegram", "bad_secret", "late")
	m.Declare("slack", "bad_signature")
	m.CampaignMessages(counts{{Channel: "email", Status: "sent", N: 7}}, slog.New(slog.DiscardHandler), "email", "telegram")
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	f := metricstest.Scrape(t, srv.URL)
	for _, ch := range []string{"telegram", "slack"} {
		for _, name := range []string{"surveybot_updates_received_total", "surveybot_updates_failed_total", "surveybot_answers_accepted_total",
			"surveybot_dialogs_started_total", "surveybot_dialogs_completed_total", "surveybot_update_duration_seconds"} {
			if f.Series(name, "channel", ch) != 1 {
				t.Errorf("%s{channel=%q} is not scraped", name, ch)
			}
		}
	}
	if f.Series("surveybot_updates_rejected_total", "channel", "telegram", "reason", "late") != 1 ||
		f.Series("surveybot_updates_rejected_total", "channel", "slack", "reason", "bad_signature") != 1 {
		t.Errorf("declared rejection reasons are not scraped")
	}
	if got := f.Series("surveybot_campaign_messages"); got != 2*len(metrics.CampaignMessageStatuses()) {
		t.Errorf("%d campaign message series, want every state of email and telegram", got)
	}
	if got := f.Value("surveybot_campaign_messages", "channel", "email", "status", "sent"); got != 7 {
		t.Errorf("email sent = %v, want 7", got)
	}
	if f.Series("surveybot_campaign_messages", "channel", "telegram", "status", "queued") != 1 {
		t.Errorf("telegram's queued campaign messages are not scraped at 0")
	}
}
