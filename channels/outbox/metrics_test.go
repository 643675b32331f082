package outbox_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/metrics/metricstest"
)

// TestMetrics scrapes what a queue reports: its depth while messages
// wait, and each kind of outcome once they are done.
func TestMetrics(t *testing.T) {
	m := metrics.New()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	q := newQueue(t, unlimited(), outbox.Options{Backoff: time.Millisecond, MaxAttempts: 2, MaxQueued: 4, Observer: m.Queue("test", "telegram")})
	value := func(name string) float64 {
		return metricstest.Scrape(t, srv.URL).Value(name, "queue", "test", "channel", "telegram")
	}

	release := make(chan struct{})
	enqueue(t, q, "held", func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	var limited, flaky atomic.Int32
	enqueue(t, q, "held", func(context.Context) error {
		if limited.Add(1) == 1 {
			return outbox.RetryAfter(5*time.Millisecond, errors.New("429"))
		}
		return nil
	})
	enqueue(t, q, "held", func(context.Context) error {
		if flaky.Add(1) == 1 {
			return errors.New("timeout")
		}
		return nil
	})
	enqueue(t, q, "held", func(context.Context) error { return outbox.Permanent(errors.New("chat not found")) })
	if got := value("surveybot_send_queue_depth"); got != 4 {
		t.Errorf("depth %v while 4 messages wait, want 4", got)
	}
	if err := q.Enqueue(outbox.Message{Key: "other", Send: ok}); !errors.Is(err, outbox.ErrFull) {
		t.Fatalf("fifth Enqueue: %v, want ErrFull", err)
	}
	close(release)
	waitFor(t, time.Second, "the queue to drain", func() bool { return q.Len() == 0 })

	tests := []struct {
		name string
		want float64
	}{
		{"surveybot_send_queue_depth", 0},
		{"surveybot_sends_total", 3},             // held, limited and flaky at last
		{"surveybot_send_rate_limited_total", 1}, // limited's first attempt
		{"surveybot_send_failures_total", 2},     // flaky's first attempt, the permanent error
		{"surveybot_send_dropped_total", 2},      // the permanent error, the message refused when full
		{"surveybot_send_duration_seconds", 6},   // every attempt
	}
	for _, tc := range tests {
		if got := value(tc.name); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
		}
	}
}
