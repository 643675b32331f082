package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/outbox"
)

// results records what OnResult reports.
type results struct {
	mu  sync.Mutex
	got []result
}

type result struct {
	key string
	r   outbox.Result
	err error
}

func (rs *results) record(key string, r outbox.Result, err error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.got = append(rs.got, result{key, r, err})
}

// count returns how often r was reported, for key or, if key is "", for all.
func (rs *results) count(key string, r outbox.Result) int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	n := 0
	for _, g := range rs.got {
		if g.r == r && (key == "" || g.key == key) {
			n++
		}
	}
	return n
}

func (rs *results) errs(key string, r outbox.Result) []error {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var errs []error
	for _, g := range rs.got {
		if g.r == r && g.key == key {
			errs = append(errs, g.err)
		}
	}
	return errs
}

// logBuffer collects JSON log lines from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func unlimited() outbox.Limiter { return outbox.NewMemoryLimiter(outbox.Limits{}) }

// newQueue returns a queue that is closed, and must drain, when the test ends.
func newQueue(t *testing.T, l outbox.Limiter, o outbox.Options) *outbox.Queue {
	t.Helper()
	if o.Log == nil {
		o.Log = quiet()
	}
	q := outbox.New(l, o)
	t.Cleanup(func() { closeQueue(t, q) })
	return q
}

func closeQueue(t *testing.T, q *outbox.Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := q.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func enqueue(t *testing.T, q *outbox.Queue, key string, send func(ctx context.Context) error) {
	t.Helper()
	if err := q.Enqueue(outbox.Message{Key: key, Send: send}); err != nil {
		t.Fatalf("Enqueue(%s): %v", key, err)
	}
}

func ok(context.Context) error { return nil }

// waitFor polls cond until it holds or the timeout ends.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s still waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestOrderPerKeyIsPreserved(t *testing.T) {
	const keys, perKey, enqueuers = 10, 20, 20
	q := newQueue(t, unlimited(), outbox.Options{})

	var (
		mu       sync.Mutex
		sent     = map[string][]int{}
		inFlight = map[string]int{}
		overlap  atomic.Bool
	)
	send := func(key string, seq int) func(context.Context) error {
		return func(context.Context) error {
			mu.Lock()
			inFlight[key]++
			if inFlight[key] > 1 {
				overlap.Store(true)
			}
			mu.Unlock()
			time.Sleep(time.Duration(rand.N(300)) * time.Microsecond)
			mu.Lock()
			sent[key] = append(sent[key], seq)
			inFlight[key]--
			mu.Unlock()
			return nil
		}
	}

	// Each key's sequence number is taken together with its Enqueue, so
	// the numbers give the order of enqueueing.
	var keyMu [keys]sync.Mutex
	var next [keys]int
	var wg sync.WaitGroup
	for g := range enqueuers {
		wg.Go(func() {
			for j := range keys * perKey / enqueuers {
				k := (g + j) % keys
				key := "chat" + strconv.Itoa(k)
				keyMu[k].Lock()
				seq := next[k]
				next[k]++
				err := q.Enqueue(outbox.Message{Key: key, Send: send(key, seq)})
				keyMu[k].Unlock()
				if err != nil {
					t.Errorf("Enqueue: %v", err)
				}
			}
		})
	}
	wg.Wait()
	closeQueue(t, q)

	if overlap.Load() {
		t.Error("two messages of one key were sent at the same time")
	}
	for k := range keys {
		key := "chat" + strconv.Itoa(k)
		got := sent[key]
		if len(got) != perKey {
			t.Errorf("%s: %d messages sent, want %d", key, len(got), perKey)
			continue
		}
		for i, seq := range got {
			if seq != i {
				t.Errorf("%s: sent in order %v", key, got)
				break
			}
		}
	}
}

func TestSlowKeyDoesNotHoldUpOthers(t *testing.T) {
	q := newQueue(t, unlimited(), outbox.Options{})
	release := make(chan struct{})
	enqueue(t, q, "slow", func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	var others atomic.Int32
	for i := range 5 {
		for range 2 {
			enqueue(t, q, "fast"+strconv.Itoa(i), func(context.Context) error {
				others.Add(1)
				return nil
			})
		}
	}
	waitFor(t, time.Second, "the other keys' 10 messages", func() bool { return others.Load() == 10 })
	if q.Len() != 1 {
		t.Errorf("Len = %d while the slow message is in flight, want 1", q.Len())
	}
	close(release)
}

func TestRetryAfterPausesOnlyThatKey(t *testing.T) {
	const pause = 300 * time.Millisecond
	rs := &results{}
	q := newQueue(t, unlimited(), outbox.Options{OnResult: rs.record})

	var (
		mu                      sync.Mutex
		first, aSent, a2, bSent time.Time
		aCalls                  int
		refused                 = make(chan struct{})
		order                   []string
	)
	enqueue(t, q, "a", func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		aCalls++
		if aCalls == 1 {
			first = time.Now()
			close(refused)
			return outbox.RetryAfter(pause, errors.New("429 Too Many Requests"))
		}
		aSent = time.Now()
		order = append(order, "a1")
		return nil
	})
	enqueue(t, q, "a", func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		a2 = time.Now()
		order = append(order, "a2")
		return nil
	})
	<-refused
	// b comes once the queue has taken the 429 in (not merely once a's
	// Send began to return it), so it must wait out the pause.
	waitFor(t, 2*time.Second, "the 429 recorded", func() bool { return rs.count("a", outbox.RateLimited) == 1 })
	enqueue(t, q, "b", func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		bSent = time.Now()
		return nil
	})
	waitFor(t, 2*time.Second, "all three messages", func() bool { return q.Len() == 0 })

	mu.Lock()
	defer mu.Unlock()
	if aCalls != 2 {
		t.Errorf("the refused message was tried %d times, want 2", aCalls)
	}
	if got := aSent.Sub(first); got < pause-20*time.Millisecond {
		t.Errorf("key a resumed after %s, want about %s", got, pause)
	}
	if got := bSent.Sub(first); got > pause/2 {
		t.Errorf("key b was sent %s after a's 429, want at once", got)
	}
	if strings.Join(order, ",") != "a1,a2" || a2.Before(aSent) {
		t.Errorf("key a sent %v, want the refused message first", order)
	}
	if rs.count("a", outbox.RateLimited) != 1 || rs.count("a", outbox.Sent) != 2 || rs.count("a", outbox.Dropped) != 0 {
		t.Errorf("results for a: %+v", rs.got)
	}
}

func TestRetryAfterGlobalPausesAllKeys(t *testing.T) {
	const pause = 300 * time.Millisecond
	rs := &results{}
	q := newQueue(t, unlimited(), outbox.Options{OnResult: rs.record})

	var (
		mu                  sync.Mutex
		first, aSent, bSent time.Time
		aCalls              int
		refused             = make(chan struct{})
	)
	enqueue(t, q, "a", func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		aCalls++
		if aCalls == 1 {
			first = time.Now()
			close(refused)
			return outbox.RetryAfterGlobal(pause, errors.New("429 Too Many Requests"))
		}
		aSent = time.Now()
		return nil
	})
	<-refused
	// b comes once the queue has taken the 429 in (not merely once a's
	// Send began to return it), so it must wait out the pause.
	waitFor(t, 2*time.Second, "the 429 recorded", func() bool { return rs.count("a", outbox.RateLimited) == 1 })
	enqueue(t, q, "b", func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		bSent = time.Now()
		return nil
	})
	waitFor(t, 2*time.Second, "both messages", func() bool { return q.Len() == 0 })

	mu.Lock()
	defer mu.Unlock()
	for key, at := range map[string]time.Time{"a": aSent, "b": bSent} {
		if got := at.Sub(first); got < pause-20*time.Millisecond {
			t.Errorf("key %s sent %s after the global 429, want about %s", key, got, pause)
		}
	}
	if aCalls != 2 || rs.count("", outbox.Sent) != 2 || rs.count("a", outbox.RateLimited) != 1 {
		t.Errorf("a tried %d times, results %+v", aCalls, rs.got)
	}
}

func TestPermanentErrorDropsOnlyThatMessage(t *testing.T) {
	logs := &logBuffer{}
	rs := &results{}
	q := newQueue(t, unlimited(), outbox.Options{
		Log:      slog.New(slog.NewJSONHandler(logs, nil)),
		OnResult: rs.record,
	})
	errBlocked := errors.New("403 Forbidden: bot was blocked by the user")
	var calls atomic.Int32
	enqueue(t, q, "a", func(context.Context) error {
		calls.Add(1)
		return outbox.Permanent(errBlocked)
	})
	enqueue(t, q, "a", ok)
	enqueue(t, q, "b", ok)
	waitFor(t, time.Second, "all messages", func() bool { return q.Len() == 0 })

	if calls.Load() != 1 {
		t.Errorf("the refused message was tried %d times, want 1", calls.Load())
	}
	dropped := rs.errs("a", outbox.Dropped)
	if len(dropped) != 1 || !errors.Is(dropped[0], errBlocked) {
		t.Errorf("dropped for a: %v, want the one error", dropped)
	}
	if rs.count("a", outbox.Sent) != 1 || rs.count("b", outbox.Sent) != 1 || rs.count("", outbox.Retried) != 0 {
		t.Errorf("results: %+v", rs.got)
	}
	// The log names the recipient by a pseudonym (a chat id is personal data).
	if !hasLogLine(logs.String(), `"level":"WARN"`, `"recipient":"ca978112ca1b"`, "bot was blocked") || strings.Contains(logs.String(), `"a"`) {
		t.Errorf("no warning with the recipient's pseudonym in the log, or the key itself:\n%s", logs)
	}
}

func hasLogLine(logs string, parts ...string) bool {
	for line := range strings.Lines(logs) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

func TestTransientErrorsAreRetriedWithBackoff(t *testing.T) {
	const backoff = 20 * time.Millisecond
	rs := &results{}
	q := newQueue(t, unlimited(), outbox.Options{
		Backoff: backoff, MaxBackoff: 2 * backoff, MaxAttempts: 5, OnResult: rs.record,
	})
	var (
		mu       sync.Mutex
		attempts []time.Time
	)
	enqueue(t, q, "a", func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, time.Now())
		if len(attempts) <= 2 {
			return errors.New("502 Bad Gateway")
		}
		return nil
	})
	waitFor(t, time.Second, "the message", func() bool { return q.Len() == 0 })

	mu.Lock()
	defer mu.Unlock()
	if len(attempts) != 3 {
		t.Fatalf("%d attempts, want 3", len(attempts))
	}
	// With jitter the waits are at least half of 20ms and of 40ms.
	if gap := attempts[1].Sub(attempts[0]); gap < backoff/2 {
		t.Errorf("first retry after %s, want at least %s", gap, backoff/2)
	}
	if gap := attempts[2].Sub(attempts[1]); gap < backoff {
		t.Errorf("second retry after %s, want at least %s (doubled)", gap, backoff)
	}
	if rs.count("a", outbox.Retried) != 2 || rs.count("a", outbox.Sent) != 1 || rs.count("a", outbox.Dropped) != 0 {
		t.Errorf("results: %+v", rs.got)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	logs := &logBuffer{}
	rs := &results{}
	q := newQueue(t, unlimited(), outbox.Options{
		Log:     slog.New(slog.NewJSONHandler(logs, nil)),
		Backoff: 2 * time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxAttempts: 3,
		OnResult: rs.record,
	})
	errDown := errors.New("connection refused")
	var calls atomic.Int32
	enqueue(t, q, "a", func(context.Context) error {
		calls.Add(1)
		return errDown
	})
	enqueue(t, q, "a", ok)
	waitFor(t, time.Second, "both messages", func() bool { return q.Len() == 0 })

	if calls.Load() != 3 {
		t.Errorf("%d attempts, want MaxAttempts = 3", calls.Load())
	}
	if dropped := rs.errs("a", outbox.Dropped); len(dropped) != 1 || !errors.Is(dropped[0], errDown) {
		t.Errorf("dropped: %v", dropped)
	}
	if rs.count("a", outbox.Retried) != 2 || rs.count("a", outbox.Sent) != 1 {
		t.Errorf("results: %+v", rs.got)
	}
	if !hasLogLine(logs.String(), `"level":"ERROR"`, `"recipient":"ca978112ca1b"`, "connection refused") {
		t.Errorf("no error with the recipient's pseudonym in the log:\n%s", logs)
	}
}

func TestSendHasTimeoutOfItsOwn(t *testing.T) {
	rs := &results{}
	q := newQueue(t, unlimited(), outbox.Options{
		SendTimeout: 50 * time.Millisecond, MaxAttempts: 2, Backoff: time.Millisecond,
		OnResult: rs.record,
	})
	var calls atomic.Int32
	enqueue(t, q, "a", func(ctx context.Context) error {
		calls.Add(1)
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > 50*time.Millisecond {
			t.Errorf("Send's ctx has deadline %v, %v; want within 50ms", dl, ok)
		}
		<-ctx.Done() // a platform that never answers
		return ctx.Err()
	})
	waitFor(t, time.Second, "the message", func() bool { return q.Len() == 0 })

	if calls.Load() != 2 {
		t.Errorf("%d attempts, want 2", calls.Load())
	}
	if dropped := rs.errs("a", outbox.Dropped); len(dropped) != 1 || !errors.Is(dropped[0], context.DeadlineExceeded) {
		t.Errorf("dropped: %v, want a deadline error", dropped)
	}
}

func TestPerKeyRateLimit(t *testing.T) {
	// 20/s with burst 1: 11 messages to one key take at least 10 × 50ms.
	// Two keys run side by side, so 22 messages take no longer.
	q := newQueue(t, outbox.NewMemoryLimiter(outbox.Limits{PerKey: 20, PerKeyBurst: 1}), outbox.Options{})
	start := time.Now()
	for range 11 {
		enqueue(t, q, "a", ok)
		enqueue(t, q, "b", ok)
	}
	waitFor(t, 2*time.Second, "22 messages", func() bool { return q.Len() == 0 })
	elapsed := time.Since(start)
	t.Logf("22 messages to 2 keys at 20/s per key: %s", elapsed)
	if elapsed < 450*time.Millisecond {
		t.Errorf("took %s, want at least 500ms", elapsed)
	}
	if elapsed > 900*time.Millisecond {
		t.Errorf("took %s: keys held each other up", elapsed)
	}
}

func TestGlobalRateLimit(t *testing.T) {
	q := newQueue(t, outbox.NewMemoryLimiter(outbox.Limits{Global: 20, GlobalBurst: 1}), outbox.Options{})
	start := time.Now()
	for i := range 11 {
		enqueue(t, q, "chat"+strconv.Itoa(i), ok)
	}
	waitFor(t, 2*time.Second, "11 messages", func() bool { return q.Len() == 0 })
	elapsed := time.Since(start)
	t.Logf("11 messages to 11 keys at 20/s in all: %s", elapsed)
	if elapsed < 450*time.Millisecond {
		t.Errorf("took %s, want at least 500ms", elapsed)
	}
}

func TestCloseDrainsQueue(t *testing.T) {
	rs := &results{}
	q := outbox.New(unlimited(), outbox.Options{Log: quiet(), OnResult: rs.record})
	for i := range 30 {
		enqueue(t, q, "chat"+strconv.Itoa(i%3), func(context.Context) error {
			time.Sleep(2 * time.Millisecond)
			return nil
		})
	}
	closeQueue(t, q)

	if n := rs.count("", outbox.Sent); n != 30 {
		t.Errorf("%d sent before Close returned, want 30", n)
	}
	if q.Len() != 0 || q.ActiveLanes() != 0 {
		t.Errorf("after Close: Len %d, lanes %d", q.Len(), q.ActiveLanes())
	}
	if err := q.Enqueue(outbox.Message{Key: "a", Send: ok}); !errors.Is(err, outbox.ErrClosed) {
		t.Errorf("Enqueue after Close: %v, want ErrClosed", err)
	}
}

func TestCloseAbandonsWhatIsLeftWhenCtxEnds(t *testing.T) {
	logs := &logBuffer{}
	rs := &results{}
	q := outbox.New(unlimited(), outbox.Options{Log: slog.New(slog.NewJSONHandler(logs, nil)), OnResult: rs.record})
	started := make(chan struct{})
	enqueue(t, q, "a", func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	enqueue(t, q, "a", ok)
	enqueue(t, q, "a", ok)
	enqueue(t, q, "b", ok)
	<-started

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := q.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Close took %s with a 100ms ctx", d)
	}
	if n := len(rs.errs("a", outbox.Dropped)); n != 3 {
		t.Errorf("%d of key a reported dropped, want 3", n)
	}
	for _, err := range rs.errs("a", outbox.Dropped) {
		if !errors.Is(err, outbox.ErrClosed) {
			t.Errorf("abandoned with %v, want ErrClosed", err)
		}
	}
	if rs.count("b", outbox.Sent) != 1 || q.Len() != 0 {
		t.Errorf("results %+v, Len %d", rs.got, q.Len())
	}
	if !hasLogLine(logs.String(), `"abandoned":3`) {
		t.Errorf("the count of abandoned messages is not logged:\n%s", logs)
	}
}

func TestEnqueueFailsWhenFull(t *testing.T) {
	q := newQueue(t, unlimited(), outbox.Options{MaxQueued: 3})
	release := make(chan struct{})
	blocked := func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	enqueue(t, q, "a", blocked)
	enqueue(t, q, "a", blocked)
	enqueue(t, q, "b", blocked)
	if err := q.Enqueue(outbox.Message{Key: "c", Send: ok}); !errors.Is(err, outbox.ErrFull) {
		t.Errorf("fourth Enqueue: %v, want ErrFull", err)
	}
	if q.Len() != 3 {
		t.Errorf("Len = %d, want 3", q.Len())
	}
	close(release)
	waitFor(t, time.Second, "the queue to drain", func() bool { return q.Len() == 0 })
	enqueue(t, q, "c", ok)
}

func TestOnResultCountsEveryOutcome(t *testing.T) {
	rs := &results{}
	q := newQueue(t, unlimited(), outbox.Options{Backoff: time.Millisecond, OnResult: rs.record})
	var flaky, limited atomic.Int32
	enqueue(t, q, "ok", ok)
	enqueue(t, q, "ok", ok)
	enqueue(t, q, "flaky", func(context.Context) error {
		if flaky.Add(1) == 1 {
			return errors.New("timeout")
		}
		return nil
	})
	enqueue(t, q, "limited", func(context.Context) error {
		if limited.Add(1) == 1 {
			return outbox.RetryAfter(10*time.Millisecond, nil)
		}
		return nil
	})
	enqueue(t, q, "gone", func(context.Context) error { return outbox.Permanent(errors.New("chat not found")) })
	waitFor(t, time.Second, "all messages", func() bool { return q.Len() == 0 })

	want := map[outbox.Result]int{outbox.Sent: 4, outbox.Retried: 1, outbox.RateLimited: 1, outbox.Dropped: 1}
	for r, n := range want {
		if got := rs.count("", r); got != n {
			t.Errorf("%s reported %d times, want %d", r, got, n)
		}
	}
}

// failingLimiter fails its first calls, as a Redis limiter does while Redis
// is away.
type failingLimiter struct{ fails atomic.Int32 }

func (f *failingLimiter) Wait(ctx context.Context, key string) error {
	if f.fails.Add(-1) >= 0 {
		return errors.New("redis: connection refused")
	}
	return nil
}

func TestLimiterFailureHoldsTheLane(t *testing.T) {
	rs := &results{}
	l := &failingLimiter{}
	l.fails.Store(2)
	q := newQueue(t, l, outbox.Options{Backoff: time.Millisecond, MaxAttempts: 1, OnResult: rs.record})
	enqueue(t, q, "a", ok)
	waitFor(t, time.Second, "the message", func() bool { return q.Len() == 0 })
	if rs.count("a", outbox.Sent) != 1 || len(rs.got) != 1 {
		t.Errorf("results %+v, want one Sent: limiter failures are no attempts", rs.got)
	}
}

func TestIdleQueueKeepsNothingPerKey(t *testing.T) {
	q := newQueue(t, unlimited(), outbox.Options{})
	for i := range 50 {
		enqueue(t, q, "chat"+strconv.Itoa(i), ok)
	}
	waitFor(t, time.Second, "the lanes to end", func() bool { return q.ActiveLanes() == 0 })
	if q.Len() != 0 {
		t.Errorf("Len = %d", q.Len())
	}
}

func TestEnqueueRejectsMessageWithoutSend(t *testing.T) {
	q := newQueue(t, unlimited(), outbox.Options{})
	if err := q.Enqueue(outbox.Message{Key: "a"}); err == nil {
		t.Error("Enqueue accepted a message without Send")
	}
}

func TestErrorWrappers(t *testing.T) {
	cause := errors.New("429")
	for name, err := range map[string]error{
		"RetryAfter":       outbox.RetryAfter(time.Second, cause),
		"RetryAfterGlobal": outbox.RetryAfterGlobal(time.Second, cause),
		"Permanent":        outbox.Permanent(cause),
	} {
		if !errors.Is(err, cause) {
			t.Errorf("%s does not wrap its cause: %v", name, err)
		}
	}
	if outbox.Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
}

func TestPanickingSendIsDropped(t *testing.T) {
	rs := &results{}
	q := newQueue(t, unlimited(), outbox.Options{OnResult: rs.record})
	enqueue(t, q, "a", func(context.Context) error { panic("bug") })
	enqueue(t, q, "a", ok)
	waitFor(t, time.Second, "both messages", func() bool { return q.Len() == 0 })
	if rs.count("a", outbox.Dropped) != 1 || rs.count("a", outbox.Sent) != 1 || rs.count("a", outbox.Retried) != 0 {
		t.Errorf("results: %+v", rs.got)
	}
}
