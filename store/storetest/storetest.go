// Package storetest gives tests real stores: a migrated SQLite file always,
// and PostgreSQL and Redis when their environment variables are set. Each
// test gets its own PostgreSQL schema and Redis key prefix. When a variable
// is set but its server cannot be reached, the test fails; it never skips
// silently in CI.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
)

// The environment variables that enable the server-backed tests.
const (
	PostgresEnv = "SURVEYBOT_TEST_POSTGRES_DSN"
	RedisEnv    = "SURVEYBOT_TEST_REDIS_URL"
)

// SQLite returns a migrated SQLite database in a temporary file, with the
// shared questionnaire registered.
func SQLite(t testing.TB, opts ...store.Option) *store.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "surveybot.db"), opts...)
}

// PostgresDSN returns the DSN of a fresh schema of its own for this test,
// dropped when the test ends. It skips the test if PostgresEnv is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests disabled: set %s (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sqlx.ConnectContext(ctx, "pgx", base)
	if err != nil {
		t.Fatalf("%s is set but PostgreSQL cannot be reached: %v", PostgresEnv, err)
	}
	schema := "t_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres returns a migrated database in a fresh schema, or skips the test
// if PostgresEnv is unset.
func Postgres(t testing.TB, opts ...store.Option) *store.DB {
	t.Helper()
	return open(t, PostgresDSN(t), opts...)
}

// DBs returns every SQL database the tests can use: SQLite always,
// PostgreSQL when enabled.
func DBs(t testing.TB) map[string]*store.DB {
	t.Helper()
	dbs := map[string]*store.DB{"sqlite": SQLite(t)}
	if os.Getenv(PostgresEnv) != "" {
		dbs["postgres"] = Postgres(t)
	}
	return dbs
}

func open(t testing.TB, dsn string, opts ...store.Option) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, dsn, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RegisterQuestionnaire(ctx, q.Ref(), dialogs.CoreSource()); err != nil {
		t.Fatal(err)
	}
	return db
}

// Redis returns a client and a key prefix of this test's own, whose keys
// are deleted when the test ends. It skips the test if RedisEnv is unset.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	u := os.Getenv(RedisEnv)
	if u == "" {
		t.Skipf("Redis tests disabled: set %s (for example redis://127.0.0.1:6379/0)", RedisEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rdb, err := store.OpenRedis(ctx, u)
	if err != nil {
		t.Fatalf("%s is set but Redis cannot be reached: %v", RedisEnv, err)
	}
	prefix := "surveybot-test:" + randomHex(6) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	return rdb, prefix
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ServersEnabled reports whether the PostgreSQL and Redis tests are enabled. The
// tests that run PostgreSQL and Redis together need both: setting only one
// variable fails the test rather than quietly skipping it.
func ServersEnabled(t testing.TB) bool {
	t.Helper()
	pg, rd := os.Getenv(PostgresEnv) != "", os.Getenv(RedisEnv) != ""
	if pg != rd {
		t.Fatalf("set both %s and %s to run the PostgreSQL + Redis tests, or neither", PostgresEnv, RedisEnv)
	}
	return pg
}
