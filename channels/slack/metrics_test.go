package slack_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/slack"
	"github.com/surveybot/surveybot/channels/slacktest"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/metrics/metricstest"
)

// TestMetrics begins a dialog over the Events API and interactivity with
// a forged request, an event Slack retries and a 429 in between, and
// scrapes /metrics as Prometheus would.
func TestMetrics(t *testing.T) {
	m := metrics.New()
	r := newRig(t, rigOptions{metrics: m})
	scrapes := httptest.NewServer(m.Handler())
	defer scrapes.Close()
	const user = "U0METRICS"
	dm := slacktest.DMOf(user)

	forged := http.Header{"X-Slack-Signature": {"v0=" + strings.Repeat("ab", 32)}}
	start := slacktest.MessageEvent("EvM1", user, dm, "1700000000.000001", "start")
	if code, _ := r.post(slack.RouteEvents, jsonType, start, time.Now(), forged); code != http.StatusUnauthorized {
		t.Fatalf("forged request: %d, want 401", code)
	}
	r.mustPost(slack.RouteEvents, jsonType, start)
	r.settle()
	r.mustPost(slack.RouteEvents, jsonType, start) // Slack's retry: dropped
	r.settle()
	r.act(user, "ja")
	r.fake.FailNext("chat.postMessage", 1, 1)
	r.act(user, "1") // business: the next question hits the 429
	r.act(user, "2") // industrie

	f := metricstest.Scrape(t, scrapes.URL)
	sl := []string{"channel", "slack"}
	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"surveybot_updates_received_total", sl, 6},
		{"surveybot_updates_rejected_total", []string{"channel", "slack", "reason", "bad_signature"}, 1},
		{"surveybot_updates_rejected_total", []string{"channel", "slack", "reason", "duplicate"}, 1},
		{"surveybot_updates_failed_total", sl, 0},
		{"surveybot_update_duration_seconds", sl, 4}, // start, consent and two answers
		{"surveybot_dialogs_started_total", sl, 1},
		{"surveybot_answers_accepted_total", sl, 2},
		{"surveybot_dialogs_completed_total", sl, 0},
		{"surveybot_send_rate_limited_total", sl, 1},
		{"surveybot_send_dropped_total", sl, 0},
		{"surveybot_send_queue_depth", sl, 0},
	}
	for _, tc := range tests {
		if got := f.Value(tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if r.fake.Count429() != 1 {
		t.Errorf("the fake answered %d 429s, want 1", r.fake.Count429())
	}
	if got := f.Value("surveybot_sends_total", sl...); got < 6 {
		t.Errorf("%v sends, want the notice, the questions and the answers shown in place", got)
	}
}
