package digest_test

import (
	"context"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/digest"
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
	for name, db := range storetest.SeededDBs(b, 100_000) {
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
