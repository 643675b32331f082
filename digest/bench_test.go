package digest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/digest"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
)

// BenchmarkBuild builds the digest of 2026-W48 over 100,000 completed
// responses spread over twelve weeks: the aggregates, the disclosure
// control, the text and the PNG chart. Goal: under 2 s. Run:
//
//	SURVEYBOT_TEST_POSTGRES_DSN=… go test -run='^$' -bench=Build -benchtime=3x ./digest
func BenchmarkBuild(b *testing.B) {
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		b.Fatal(err)
	}
	dsns := map[string]string{"sqlite": "sqlite:" + filepath.Join(b.TempDir(), "digest.db")}
	if os.Getenv(storetest.PostgresEnv) != "" {
		dsns["postgres"] = storetest.PostgresDSN(b)
	}
	for name, dsn := range dsns {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		if err := db.RegisterQuestionnaire(ctx, q.Ref(), dialogs.CoreSource()); err != nil {
			b.Fatal(err)
		}
		storetest.SeedCompleted(b, dsn, 100_000)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				d, err := digest.Build(ctx, db, q, "2026-W48")
				if err != nil {
					b.Fatal(err)
				}
				if len(d.Chart) == 0 || d.Text() == "" {
					b.Fatal("empty digest")
				}
			}
		})
	}
}
