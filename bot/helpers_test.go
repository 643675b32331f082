package bot_test

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
)

// setup is one combination of SQL database and session store, as operators
// run them: SQLite with in-process sessions, PostgreSQL with Redis.
type setup struct {
	name string
	db   *store.DB
	// sessions returns a session store; for Redis, each call is a new
	// client on the same keys, like another instance.
	sessions func() bot.Sessions
	rdb      *redis.Client // Redis only
}

func setups(t testing.TB) []setup {
	t.Helper()
	mem := store.NewMemorySessions(time.Hour)
	out := []setup{{name: "sqlite+memory", db: storetest.SQLite(t), sessions: func() bot.Sessions { return mem }}}
	if storetest.Servers(t) {
		db := storetest.Postgres(t)
		rdb, prefix := storetest.Redis(t)
		out = append(out, setup{
			name: "postgres+redis", db: db, rdb: rdb,
			sessions: func() bot.Sessions {
				c, err := store.OpenRedis(context.Background(), os.Getenv(storetest.RedisEnv))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				return store.NewRedisSessions(c, store.RedisOptions{Prefix: prefix, TTL: time.Hour})
			},
		})
	}
	return out
}

func core(t testing.TB) *dialogs.Questionnaire {
	t.Helper()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// question returns the question prompt of a reply, if it has one.
func question(r bot.Reply) (dialogs.Prompt, bool) {
	for _, p := range r.Prompts {
		if p.Kind == dialogs.PromptQuestion || p.Kind == dialogs.PromptConsent {
			return p, true
		}
	}
	return dialogs.Prompt{}, false
}

// answerFor picks a valid answer to a prompt, as a button press that names
// the prompt it belongs to. choice picks which option (wrapping around).
func answerFor(p dialogs.Prompt, choice int) dialogs.Input {
	switch p.Type {
	case dialogs.Postcode:
		return dialogs.Input{Text: "30159", Item: p.Item}
	case dialogs.Integer:
		return dialogs.Input{Text: "12", Item: p.Item}
	case dialogs.FreeText:
		return dialogs.Input{Text: "Testantwort", Item: p.Item}
	case dialogs.Multi:
		// One option toggled and done in one typed line.
		n := choice%(len(p.Options)-1) + 1
		return dialogs.Input{Text: itoa(n) + " fertig", Item: p.Item}
	}
	if p.Kind == dialogs.PromptConsent {
		return dialogs.Input{Choice: dialogs.CodeYes, Item: p.Item}
	}
	opts := p.Options[:len(p.Options)-1] // without "keine Angabe"
	return dialogs.Input{Choice: opts[choice%len(opts)].Code, Item: p.Item}
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

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
