package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// MemoryKV is a small key-value store with expiry in this process, for
// channel bookkeeping (seen update ids, the last question message of a
// chat) on a single instance.
type MemoryKV struct {
	now func() time.Time

	mu sync.Mutex
	m  map[string]kvEntry
	n  int
}

type kvEntry struct {
	val     string
	expires time.Time
}

// NewMemoryKV returns an empty in-process key-value store.
func NewMemoryKV() *MemoryKV { return &MemoryKV{now: time.Now, m: map[string]kvEntry{}} }

// SetNX sets key to val for ttl unless it is set; it reports whether it set it.
func (k *MemoryKV) SetNX(ctx context.Context, key, val string, ttl time.Duration) (bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e, ok := k.m[key]; ok && k.now().Before(e.expires) {
		return false, nil
	}
	k.set(key, val, ttl)
	return true, nil
}

// Set sets key to val for ttl.
func (k *MemoryKV) Set(ctx context.Context, key, val string, ttl time.Duration) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.set(key, val, ttl)
	return nil
}

func (k *MemoryKV) set(key, val string, ttl time.Duration) {
	now := k.now()
	k.m[key] = kvEntry{val: val, expires: now.Add(ttl)}
	// Every so often, drop what has expired, so the map does not grow forever.
	if k.n++; k.n%1024 == 0 {
		for key, e := range k.m {
			if !now.Before(e.expires) {
				delete(k.m, key)
			}
		}
	}
}

// Get returns the value of key, if set and not expired.
func (k *MemoryKV) Get(ctx context.Context, key string) (string, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.m[key]
	if !ok || !k.now().Before(e.expires) {
		return "", false, nil
	}
	return e.val, true, nil
}

// Raise sets key to val unless it holds a larger number already, in one
// step, and returns what it held before (0 if nothing).
func (k *MemoryKV) Raise(ctx context.Context, key string, val int64, ttl time.Duration) (int64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var prev int64
	if e, ok := k.m[key]; ok && k.now().Before(e.expires) {
		prev, _ = strconv.ParseInt(e.val, 10, 64)
	}
	if val > prev {
		k.set(key, strconv.FormatInt(val, 10), ttl)
	}
	return prev, nil
}

// Del removes key.
func (k *MemoryKV) Del(ctx context.Context, key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, key)
	return nil
}

// RedisKV is the key-value store in Redis, shared by every instance.
type RedisKV struct {
	rdb    redis.UniversalClient
	prefix string
	raise  *redis.Script
}

// NewRedisKV returns a key-value store on rdb whose keys start with prefix.
func NewRedisKV(rdb redis.UniversalClient, prefix string) *RedisKV {
	return &RedisKV{rdb: rdb, prefix: prefix, raise: redis.NewScript(`
local prev = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tonumber(ARGV[1]) > prev then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return prev`)}
}

// Raise sets key to val unless it holds a larger number already, in one
// step shared by all instances, and returns what it held before.
func (k *RedisKV) Raise(ctx context.Context, key string, val int64, ttl time.Duration) (int64, error) {
	prev, err := k.raise.Run(ctx, k.rdb, []string{k.prefix + key}, val, ttl.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis raise: %w", err)
	}
	return prev, nil
}

// SetNX sets key to val for ttl unless it is set; it reports whether it set it.
func (k *RedisKV) SetNX(ctx context.Context, key, val string, ttl time.Duration) (bool, error) {
	ok, err := k.rdb.SetNX(ctx, k.prefix+key, val, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redis setnx: %w", err)
	}
	return ok, nil
}

// Set sets key to val for ttl.
func (k *RedisKV) Set(ctx context.Context, key, val string, ttl time.Duration) error {
	if err := k.rdb.Set(ctx, k.prefix+key, val, ttl).Err(); err != nil {
		return fmt.Errorf("redis set: %w", err)
	}
	return nil
}

// Get returns the value of key, if set.
func (k *RedisKV) Get(ctx context.Context, key string) (string, bool, error) {
	v, err := k.rdb.Get(ctx, k.prefix+key).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("redis get: %w", err)
	}
	return v, true, nil
}

// Del removes key.
func (k *RedisKV) Del(ctx context.Context, key string) error {
	if err := k.rdb.Del(ctx, k.prefix+key).Err(); err != nil {
		return fmt.Errorf("redis del: %w", err)
	}
	return nil
}
