package loadtest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// balancer spreads requests over the serve instances round-robin, as a
// load balancer would, and fails over to the next instance when one does
// not answer (connection refused or reset, timeout).
type balancer struct {
	targets   []string
	client    *http.Client
	log       *slog.Logger
	next      atomic.Uint64
	failovers atomic.Int64

	mu   sync.Mutex
	down map[int]time.Time // instance -> until when it is left out
}

// downFor is how long an instance that did not answer is left out.
const downFor = time.Second

func newBalancer(targets []string, concurrency int, log *slog.Logger) *balancer {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 4 * concurrency
	tr.MaxIdleConnsPerHost = 2 * concurrency
	return &balancer{
		targets: targets,
		log:     log,
		client: &http.Client{
			Transport: tr,
			Timeout:   30 * time.Second,
			// The harness follows redirects itself, through the balancer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		down: map[int]time.Time{},
	}
}

// pick returns the next instance that is not left out, or the next one if
// all are.
func (b *balancer) pick() int {
	n := len(b.targets)
	start := int(b.next.Add(1) % uint64(n))
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	for k := range n {
		i := (start + k) % n
		if until, ok := b.down[i]; !ok || now.After(until) {
			return i
		}
	}
	return start
}

func (b *balancer) markDown(i int) {
	b.mu.Lock()
	b.down[i] = time.Now().Add(downFor)
	b.mu.Unlock()
}

// do sends the request mk builds for an instance's base URL to the
// instances in turn until one answers with any HTTP status. It returns an
// error only when ctx ends first.
func (b *balancer) do(ctx context.Context, mk func(base string) (*http.Request, error)) (*http.Response, error) {
	var last error
	for tries := 0; ; tries++ {
		i := b.pick()
		req, err := mk(b.targets[i])
		if err != nil {
			return nil, err
		}
		resp, err := b.client.Do(req.WithContext(ctx))
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
		}
		last = err
		b.log.Debug("instance did not answer; failing over", slog.String("instance", b.targets[i]), slog.Any("error", err))
		b.markDown(i)
		b.failovers.Add(1)
		if tries%len(b.targets) == len(b.targets)-1 {
			// Every instance failed: wait a little before the next round.
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// backoff is the wait before the n-th retry (n from 0), as Telegram backs
// off on a failing webhook: quickly at first, then up to a second.
func backoff(n int) time.Duration {
	d := 50 * time.Millisecond << min(n, 5)
	return min(d, time.Second)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
