package bot_test

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
)

// flushDB empties a Redis database of its own (db 15), as FLUSHALL would,
// without touching the keys other test packages use at the same time.
func flushableRedis(t testing.TB) *redis.Client {
	t.Helper()
	u, err := url.Parse(os.Getenv(storetest.RedisEnv))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/15"
	c, err := store.OpenRedis(context.Background(), u.String())
	if err != nil {
		t.Fatalf("%s is set but Redis cannot be reached: %v", storetest.RedisEnv, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
