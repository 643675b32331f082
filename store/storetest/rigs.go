package storetest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// Sessions is a session store (bot.Sessions), as the rigs hand it out.
type Sessions interface {
	Lock(ctx context.Context, id string) (unlock func(), err error)
	Load(ctx context.Context, id string) (survey.Session, bool, error)
	Save(ctx context.Context, id string, s survey.Session) error
	Delete(ctx context.Context, id string) error
}

// KV is a key-value store with expiry (the channels' KV: dedupe records,
// last messages, counters).
type KV interface {
	SetNX(ctx context.Context, key, val string, ttl time.Duration) (bool, error)
	Set(ctx context.Context, key, val string, ttl time.Duration) error
	Get(ctx context.Context, key string) (string, bool, error)
	Del(ctx context.Context, key string) error
	Raise(ctx context.Context, key string, val int64, ttl time.Duration) (int64, error)
}

// Rig is one combination of stores as operators run them: SQLite with
// in-process sessions and key-value store, or PostgreSQL with Redis.
type Rig struct {
	Name string
	DB   *store.DB
	// Sessions returns the rig's session store. For Redis each call is a
	// new client on the same keys, like another instance; in-process,
	// every call shares one store, like one instance.
	Sessions func() Sessions
	KV       KV
	Redis    *redis.Client // nil in-process
	Prefix   string        // the Redis key prefix of this test
}

// Memory is the embedded default: a SQLite file, in-process sessions and
// key-value store.
func Memory(t testing.TB) Rig {
	t.Helper()
	mem := store.NewMemorySessions(time.Hour)
	return Rig{Name: "sqlite+memory", DB: SQLite(t), Sessions: func() Sessions { return mem }, KV: store.NewMemoryKV()}
}

// Servers is the production setup: PostgreSQL (a schema of its own) and
// Redis (a key prefix of its own). It skips the test if they are not
// enabled.
func Servers(t testing.TB) Rig {
	t.Helper()
	db := Postgres(t)
	rdb, prefix := Redis(t)
	return Rig{
		Name: "postgres+redis", DB: db, Redis: rdb, Prefix: prefix, KV: store.NewRedisKV(rdb, prefix),
		Sessions: func() Sessions {
			c, err := store.OpenRedis(context.Background(), os.Getenv(RedisEnv))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return store.NewRedisSessions(c, store.RedisOptions{Prefix: prefix, TTL: time.Hour})
		},
	}
}

// Rigs returns the embedded default always, and the production setup
// when PostgreSQL and Redis are enabled.
func Rigs(t testing.TB) []Rig {
	t.Helper()
	rigs := []Rig{Memory(t)}
	if ServersEnabled(t) {
		rigs = append(rigs, Servers(t))
	}
	return rigs
}
