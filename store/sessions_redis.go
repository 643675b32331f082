package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/surveybot/surveybot/survey"
)

// RedisSessions keeps sessions in Redis, shared by every instance. Each
// session is a hash {seq, state} under prefix+"session:"+id with a TTL;
// locks are keys under prefix+"lock:"+id.
type RedisSessions struct {
	rdb     redis.UniversalClient
	prefix  string
	ttl     time.Duration
	lockTTL time.Duration
	wait    time.Duration

	save   *redis.Script
	unlock *redis.Script
}

// RedisOptions configures RedisSessions.
type RedisOptions struct {
	Prefix   string        // key prefix, such as "surveybot:"
	TTL      time.Duration // how long an idle session is kept
	LockTTL  time.Duration // how long a lock holds if its holder dies
	LockWait time.Duration // how long Lock waits for a busy response
}

// NewRedisSessions returns a session store on rdb.
func NewRedisSessions(rdb redis.UniversalClient, o RedisOptions) *RedisSessions {
	if o.LockTTL <= 0 {
		o.LockTTL = 10 * time.Second
	}
	if o.LockWait <= 0 {
		o.LockWait = 5 * time.Second
	}
	return &RedisSessions{
		rdb: rdb, prefix: o.Prefix, ttl: o.TTL, lockTTL: o.LockTTL, wait: o.LockWait,
		// Only a newer state may replace a stored one, so a slow writer
		// cannot put an old state back.
		save: redis.NewScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '-1')
if cur > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'state', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`),
		// Only the holder may release a lock.
		unlock: redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`),
	}
}

// OpenRedis connects to the Redis a URL names ("redis://host:6379/0",
// "rediss://…" for TLS) and checks that it answers.
func OpenRedis(ctx context.Context, url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("connect to redis: %w", err)
	}
	return rdb, nil
}

func (r *RedisSessions) sessionKey(id string) string { return r.prefix + "session:" + id }
func (r *RedisSessions) lockKey(id string) string    { return r.prefix + "lock:" + id }

// Lock serialises the inputs of one response across every instance. It
// retries until the lock is free, ctx ends or the wait is over; a lock
// whose holder died frees itself after the lock TTL.
func (r *RedisSessions) Lock(ctx context.Context, id string) (func(), error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	key := r.lockKey(id)
	deadline := time.Now().Add(r.wait)
	backoff := time.Millisecond
	for {
		ok, err := r.rdb.SetNX(ctx, key, token, r.lockTTL).Result()
		if err != nil {
			if ctx.Err() != nil {
				return nil, survey.ErrBusy // as when ctx ends while waiting
			}
			return nil, fmt.Errorf("lock response: %w", err)
		}
		if ok {
			return func() {
				// A fresh context: the lock must go even if the request's context ended.
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
				defer cancel()
				_ = r.unlock.Run(ctx, r.rdb, []string{key}, token).Err()
			}, nil
		}
		if time.Now().After(deadline) {
			return nil, survey.ErrBusy
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, survey.ErrBusy
		case <-t.C:
		}
		backoff = min(backoff*2, 50*time.Millisecond)
	}
}

// Load returns the session of a response, if Redis still has it.
func (r *RedisSessions) Load(ctx context.Context, id string) (survey.Session, bool, error) {
	vals, err := r.rdb.HMGet(ctx, r.sessionKey(id), "seq", "state").Result()
	if err != nil {
		return survey.Session{}, false, fmt.Errorf("load session: %w", err)
	}
	seqS, ok1 := vals[0].(string)
	stateS, ok2 := vals[1].(string)
	if !ok1 || !ok2 {
		return survey.Session{}, false, nil
	}
	var s survey.Session
	if s.Seq, err = strconv.ParseInt(seqS, 10, 64); err != nil {
		return survey.Session{}, false, nil // unreadable: rebuild from SQL
	}
	if err := json.Unmarshal([]byte(stateS), &s.State); err != nil {
		return survey.Session{}, false, nil
	}
	return s, true, nil
}

// Save stores a session unless Redis holds a newer one.
func (r *RedisSessions) Save(ctx context.Context, id string, s survey.Session) error {
	state, err := json.Marshal(s.State)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	err = r.save.Run(ctx, r.rdb, []string{r.sessionKey(id)}, s.Seq, state, r.ttl.Milliseconds()).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// Delete drops a session.
func (r *RedisSessions) Delete(ctx context.Context, id string) error {
	if err := r.rdb.Del(ctx, r.sessionKey(id)).Err(); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Ping checks that Redis answers, for /readyz.
func (r *RedisSessions) Ping(ctx context.Context) error { return r.rdb.Ping(ctx).Err() }
