package outbox_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
)

// twoRedisClients returns two clients on the Redis of storetest.RedisEnv, as
// two instances would have, and a key prefix of this test's own. The keys
// redis_rate writes under "rate:"+prefix are deleted when the test ends.
func twoRedisClients(t *testing.T) (a, b *redis.Client, prefix string) {
	t.Helper()
	a, prefix = storetest.Redis(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := store.OpenRedis(ctx, os.Getenv(storetest.RedisEnv))
	if err != nil {
		t.Fatalf("second Redis client: %v", err)
	}
	t.Cleanup(func() { // runs before storetest closes a
		defer b.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		pattern := "rate:" + prefix + "*"
		iter := a.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			if err := a.Del(ctx, iter.Val()).Err(); err != nil {
				t.Errorf("delete %s: %v", iter.Val(), err)
			}
		}
		if err := iter.Err(); err != nil {
			t.Errorf("scan %s: %v", pattern, err)
		}
	})
	return a, b, prefix
}

func TestRedisGlobalLimitIsSharedByInstances(t *testing.T) {
	a, b, prefix := twoRedisClients(t)
	limits := outbox.Limits{Global: 20, GlobalBurst: 1}
	q1 := newQueue(t, outbox.NewRedisLimiter(a, prefix, limits), outbox.Options{})
	q2 := newQueue(t, outbox.NewRedisLimiter(b, prefix, limits), outbox.Options{})

	// 30 messages at 20/s in all with burst 1: at least 29 × 50ms, although
	// each instance alone would be done in half the time.
	start := time.Now()
	for i := range 15 {
		enqueue(t, q1, "one"+strconv.Itoa(i), ok)
		enqueue(t, q2, "two"+strconv.Itoa(i), ok)
	}
	waitFor(t, 3*time.Second, "30 messages", func() bool { return q1.Len()+q2.Len() == 0 })
	elapsed := time.Since(start)
	t.Logf("30 messages through 2 instances at 20/s in all: %s", elapsed)
	if elapsed < 1300*time.Millisecond {
		t.Errorf("took %s, want at least 1.45s", elapsed)
	}
}

func TestRedisPerKeyLimitIsSharedByInstances(t *testing.T) {
	a, b, prefix := twoRedisClients(t)
	limits := outbox.Limits{PerKey: 20, PerKeyBurst: 1}
	limiters := []outbox.Limiter{outbox.NewRedisLimiter(a, prefix, limits), outbox.NewRedisLimiter(b, prefix, limits)}

	// 12 sends to one chat from two instances: at least 11 × 50ms.
	start := time.Now()
	var wg sync.WaitGroup
	for _, l := range limiters {
		wg.Go(func() {
			for range 6 {
				if err := l.Wait(context.Background(), "chat"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	t.Logf("12 sends to one key through 2 instances at 20/s: %s", elapsed)
	if elapsed < 500*time.Millisecond {
		t.Errorf("took %s, want at least 550ms", elapsed)
	}
}

func TestRedisLimiterRespectsCtx(t *testing.T) {
	a, _, prefix := twoRedisClients(t)
	l := outbox.NewRedisLimiter(a, prefix, outbox.Limits{PerKey: 1, PerKeyBurst: 1})
	if err := l.Wait(context.Background(), "chat"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := l.Wait(ctx, "chat"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 400*time.Millisecond {
		t.Errorf("Wait returned %s after a 100ms ctx; RetryAfter was about 1s", d)
	}
}

func TestRedisLimiterReportsUnreachableRedis(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	l := outbox.NewRedisLimiter(rdb, "surveybot-test:unreachable:", outbox.Limits{PerKey: 1, Global: 30})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := l.Wait(ctx, "chat"); err == nil {
		t.Error("Wait succeeded without Redis")
	}
}
