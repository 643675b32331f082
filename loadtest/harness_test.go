package loadtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
)

// TestHarness runs the harness against real `surveybot serve` processes:
// on SQLite with one instance always, and on the machine's PostgreSQL and
// Redis with one and with two instances when their variables are set.
// Every respondent's answers must be in SQL exactly as given, with 20 %
// of the updates and forms delivered twice and 10 % once more late.
func TestHarness(t *testing.T) {
	type variant struct {
		name      string
		instances int
		servers   bool
		dups      float64
	}
	variants := []variant{{"sqlite/1", 1, false, 0.2}}
	if storetest.ServersEnabled(t) {
		variants = append(variants, variant{"postgres+redis/1", 1, true, 0}, variant{"postgres+redis/2", 2, true, 0.2})
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			st := stores{dsn: "sqlite:" + filepath.Join(t.TempDir(), "load.db"), prefix: "surveybot:"}
			if v.servers {
				st.dsn = storetest.PostgresDSN(t)
				_, st.prefix = storetest.Redis(t)
				st.redisURL = os.Getenv(storetest.RedisEnv)
			}
			fake := telegramtest.New(t, testToken)
			serves := startServes(t, v.instances, st, fake)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			rep := runHarness(t, ctx, Config{
				Targets: targets(serves), BotAPI: fake, WebhookSecret: testSecret, DSN: st.dsn,
				Telegram: 12, Web: 6, Concurrency: 8, Duplicates: v.dups, Late: 0.1, Seed: 1,
				Deadline: time.Minute, Log: testrig.Log(t),
			})
			if v.dups > 0 && rep.Channels[kindTelegram].Duplicates == 0 {
				t.Errorf("no update was delivered twice")
			}
		})
	}
}
