package outbox

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces the messages of a queue. Wait blocks until key may send one
// message and the global budget allows it, or ctx ends.
type Limiter interface {
	Wait(ctx context.Context, key string) error
}

// Limits are the send rates a platform allows, in messages per second. A
// rate of zero or less means no limit; a burst below one counts as one.
// Telegram allows about PerKey 1 (burst 3) and Global 30 (burst 30).
type Limits struct {
	PerKey      float64 // messages per second to one recipient
	PerKeyBurst int     // messages one recipient may get at once
	Global      float64 // messages per second in all
	GlobalBurst int     // messages that may go out at once in all
}

// defaultSweepEvery is how often a MemoryLimiter looks for idle keys.
const defaultSweepEvery = time.Minute

// MemoryLimiter is a Limiter for a single instance: one token bucket per key,
// created when the key first sends and dropped once it is full again (a full
// bucket is the same as a new one), plus one bucket for all keys.
type MemoryLimiter struct {
	perKey      rate.Limit
	perKeyBurst int
	global      *rate.Limiter

	mu         sync.Mutex
	keys       map[string]*keyBucket
	sweepEvery time.Duration
	lastSweep  time.Time
}

type keyBucket struct {
	lim     *rate.Limiter
	waiters int // a bucket someone waits on must stay, even if full
}

// NewMemoryLimiter returns a Limiter that keeps its buckets in memory.
func NewMemoryLimiter(l Limits) *MemoryLimiter {
	return &MemoryLimiter{
		perKey:      rateLimit(l.PerKey),
		perKeyBurst: max(l.PerKeyBurst, 1),
		global:      rate.NewLimiter(rateLimit(l.Global), max(l.GlobalBurst, 1)),
		keys:        make(map[string]*keyBucket),
		sweepEvery:  defaultSweepEvery,
		lastSweep:   time.Now(),
	}
}

func rateLimit(perSecond float64) rate.Limit {
	if perSecond <= 0 {
		return rate.Inf
	}
	return rate.Limit(perSecond)
}

// Wait blocks until key may send one message and the global budget allows
// it, or ctx ends.
func (m *MemoryLimiter) Wait(ctx context.Context, key string) error {
	if m.perKey != rate.Inf {
		b := m.acquire(key)
		err := b.lim.Wait(ctx)
		m.release(b)
		if err != nil {
			return fmt.Errorf("wait for recipient %s: %w", pseudonym(key), err)
		}
	}
	if err := m.global.Wait(ctx); err != nil {
		return fmt.Errorf("wait for global limit: %w", err)
	}
	return nil
}

func (m *MemoryLimiter) acquire(key string) *keyBucket {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if now.Sub(m.lastSweep) >= m.sweepEvery {
		m.lastSweep = now
		for k, b := range m.keys {
			if b.waiters == 0 && b.lim.TokensAt(now) >= float64(m.perKeyBurst) {
				delete(m.keys, k)
			}
		}
	}
	b, ok := m.keys[key]
	if !ok {
		b = &keyBucket{lim: rate.NewLimiter(m.perKey, m.perKeyBurst)}
		m.keys[key] = b
	}
	b.waiters++
	return b
}

func (m *MemoryLimiter) release(b *keyBucket) {
	m.mu.Lock()
	b.waiters--
	m.mu.Unlock()
}
