package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
)

// BenchmarkAggregate100k aggregates 100,000 completed responses (five field
// scores, screening answers, twelve weeks) by each dimension, as the
// indicators, exports and digest do. Goal: under 1 s per aggregation on
// SQLite and on PostgreSQL. Run:
//
//	SURVEYBOT_TEST_POSTGRES_DSN=… go test -run='^$' -bench=Aggregate100k -benchtime=3x ./store
func BenchmarkAggregate100k(b *testing.B) {
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		b.Fatal(err)
	}
	dbs := map[string]string{"sqlite": "sqlite:" + filepath.Join(b.TempDir(), "bench.db")}
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbs["postgres"] = storetest.PostgresDSN(b)
	}
	for name, dsn := range dbs {
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
		for _, dim := range []store.Dimension{store.Overall, store.BySector, store.ByRegion, store.ByWeek} {
			b.Run(name+"/"+string(dim), func(b *testing.B) {
				for b.Loop() {
					cells, err := db.Aggregate(ctx, q.Ref(), dim)
					if err != nil {
						b.Fatal(err)
					}
					if len(cells) == 0 {
						b.Fatal("no cells")
					}
				}
			})
		}
	}
}
