package outbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/outbox"
)

func TestMemoryLimiterDropsIdleKeys(t *testing.T) {
	l := outbox.NewMemoryLimiter(outbox.Limits{PerKey: 100, PerKeyBurst: 1})
	l.SetSweepEvery(0)
	ctx := context.Background()
	for _, key := range []string{"a", "b"} {
		if err := l.Wait(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if n := l.Keys(); n != 2 {
		t.Fatalf("%d keys after two sends, want 2", n)
	}
	time.Sleep(30 * time.Millisecond) // both buckets refill in 10ms
	if err := l.Wait(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if n := l.Keys(); n != 1 {
		t.Errorf("%d keys after a and b idled, want 1", n)
	}
}

func TestMemoryLimiterRespectsCtx(t *testing.T) {
	l := outbox.NewMemoryLimiter(outbox.Limits{PerKey: 1, PerKeyBurst: 1})
	if err := l.Wait(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if err := l.Wait(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Wait returned %s after ctx ended", d)
	}
}

// TestLimiterErrorNamesNoRecipient: a limiter's error is logged, and a
// recipient key is a chat id or a user id, so it names a pseudonym.
func TestLimiterErrorNamesNoRecipient(t *testing.T) {
	l := outbox.NewMemoryLimiter(outbox.Limits{PerKey: 1, PerKeyBurst: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := l.Wait(ctx, "770011223344")
	if err == nil {
		t.Fatal("Wait with an ended ctx: no error")
	}
	if strings.Contains(err.Error(), "770011223344") {
		t.Errorf("the error names the recipient: %v", err)
	}
}
