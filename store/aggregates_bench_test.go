package store_test

import (
	"context"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
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
	for name, db := range storetest.SeededDBs(b, 100_000) {
		for _, dim := range []survey.Dimension{survey.Overall, survey.BySector, survey.ByRegion, survey.ByWeek} {
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
