package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// RedisLimiter is a Limiter shared by every instance that uses the same
// Redis and prefix: GCRA limits per key and in all, kept by redis_rate.
// Its keys are "rate:" + prefix + "key:" + key and "rate:" + prefix +
// "global" (redis_rate adds "rate:"); each expires once its limit is back
// to full.
type RedisLimiter struct {
	lim    *redis_rate.Limiter
	prefix string
	perKey *redis_rate.Limit // nil: no limit
	global *redis_rate.Limit

	// globalTurn lets one lane of this instance at a time poll the global
	// limit, so that a thousand waiting lanes do not all ask Redis every
	// time a slot comes free.
	globalTurn chan struct{}
}

// NewRedisLimiter returns a Limiter on rdb. prefix names the platform
// account whose limits are shared, such as "surveybot:telegram:"; two
// channels must not share one.
func NewRedisLimiter(rdb redis.UniversalClient, prefix string, l Limits) *RedisLimiter {
	return &RedisLimiter{
		lim:        redis_rate.NewLimiter(rdb),
		prefix:     prefix,
		perKey:     gcraLimit(l.PerKey, l.PerKeyBurst),
		global:     gcraLimit(l.Global, l.GlobalBurst),
		globalTurn: make(chan struct{}, 1),
	}
}

// gcraLimit turns a rate per second into redis_rate's integer form: one
// message per period gives the same emission interval for any rate.
func gcraLimit(perSecond float64, burst int) *redis_rate.Limit {
	if perSecond <= 0 {
		return nil
	}
	return &redis_rate.Limit{
		Rate:   1,
		Period: time.Duration(float64(time.Second) / perSecond),
		Burst:  max(burst, 1),
	}
}

// Wait blocks until key may send one message and the global budget allows
// it, or ctx ends. It sleeps for the RetryAfter Redis returns and asks
// again, since another instance may take the slot first.
func (r *RedisLimiter) Wait(ctx context.Context, key string) error {
	if r.perKey != nil {
		if err := r.wait(ctx, r.prefix+"key:"+key, *r.perKey); err != nil {
			return fmt.Errorf("wait for recipient %s: %w", pseudonym(key), err)
		}
	}
	if r.global == nil {
		return nil
	}
	select {
	case r.globalTurn <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for global limit: %w", ctx.Err())
	}
	defer func() { <-r.globalTurn }()
	if err := r.wait(ctx, r.prefix+"global", *r.global); err != nil {
		return fmt.Errorf("wait for global limit: %w", err)
	}
	return nil
}

func (r *RedisLimiter) wait(ctx context.Context, key string, l redis_rate.Limit) error {
	for {
		res, err := r.lim.Allow(ctx, key, l)
		if err != nil {
			return fmt.Errorf("redis rate limit: %w", err)
		}
		if res.Allowed > 0 {
			return nil
		}
		if err := sleep(ctx, res.RetryAfter); err != nil {
			return err
		}
	}
}

// sleep waits for d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
