package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
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
	if dsn := os.Getenv("SURVEYBOT_TEST_POSTGRES_DSN"); dsn != "" {
		dbs["postgres"] = benchSchema(b, dsn)
	}
	for name, dsn := range dbs {
		db, err := Open(ctx, dsn)
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
		if err := seedCompleted(ctx, db, 100_000); err != nil {
			b.Fatal(err)
		}
		for _, dim := range []Dimension{Overall, BySector, ByRegion, ByWeek} {
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

// benchSchema makes a schema of its own for the benchmark on PostgreSQL.
func benchSchema(b *testing.B, dsn string) string {
	ctx := context.Background()
	admin, err := Open(ctx, dsn)
	if err != nil {
		b.Fatalf("SURVEYBOT_TEST_POSTGRES_DSN is set but PostgreSQL cannot be reached: %v", err)
	}
	schema := fmt.Sprintf("bench_%d", os.Getpid())
	if _, err := admin.db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_, _ = admin.db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	sep := "?"
	if containsQuery(dsn) {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

func containsQuery(s string) bool {
	for _, r := range s {
		if r == '?' {
			return true
		}
	}
	return false
}

// seedCompleted writes n completed responses with SQL that generates them,
// so that seeding 100,000 takes seconds, not an hour of single inserts.
func seedCompleted(ctx context.Context, db *DB, n int) error {
	series := fmt.Sprintf("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %d)", n)
	from := "FROM s"
	fields := "(SELECT 'consulting' AS f UNION ALL SELECT 'projects' UNION ALL SELECT 'maturity' UNION ALL SELECT 'broadband_business' UNION ALL SELECT 'skills') fs"
	week := "'2026-W' || substr('0' || (37 + g % 12), -2, 2)"
	num := "CAST(%s AS REAL)"
	if db.dialect == Postgres {
		series = ""
		from = fmt.Sprintf("FROM generate_series(1, %d) g", n)
		week = "'2026-W' || lpad((37 + g % 12)::text, 2, '0')"
		num = "(%s)::double precision"
	}
	const (
		sectorExpr   = "CASE g % 5 WHEN 0 THEN 'handwerk' WHEN 1 THEN 'industrie' WHEN 2 THEN 'handel' WHEN 3 THEN 'dienstleistung' ELSE 'other' END"
		sizeExpr     = "CASE g % 4 WHEN 0 THEN 's1_9' WHEN 1 THEN 's10_49' WHEN 2 THEN 's50_249' ELSE 's250' END"
		postcodeExpr = "CAST(21000 + (g * 7919) % 28000 AS TEXT)"
		chamberExpr  = "CASE g % 3 WHEN 0 THEN 'hwk_h' WHEN 1 THEN 'ihk_h' ELSE 'hwk_ol' END"
	)
	stmts := []string{
		series + ` INSERT INTO responses (id, questionnaire_id, questionnaire_version, status, lang, seq, started_channel,
			started_at, updated_at, completed_at, completed_week, composite, dim_sector, dim_size, dim_chamber, dim_region)
			SELECT 'b' || g, 'dimn', 1, 'completed', 'de', 1, 'bench', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ` + week + `, ` + fmt.Sprintf(num, "g * 37 % 101") + `,
				` + sectorExpr + `, ` + sizeExpr + `, ` + chamberExpr + `, SUBSTR(` + postcodeExpr + `, 1, 2) ` + from,
		series + ` INSERT INTO scores (response_id, field, value)
			SELECT 'b' || g, fs.f, ` + fmt.Sprintf(num, "(g * 13 + length(fs.f) * 7) % 101") + ` ` + from + `, ` + fields,
	}
	for item, expr := range map[string]string{"sector": sectorExpr, "size": sizeExpr, "postcode": postcodeExpr, "chamber": chamberExpr} {
		stmts = append(stmts, series+` INSERT INTO answers (response_id, item_id, value, channel, answered_at)
			SELECT 'b' || g, '`+item+`', `+expr+`, 'bench', CURRENT_TIMESTAMP `+from)
	}
	for _, s := range stmts {
		if _, err := db.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	if db.dialect == Postgres {
		_, err := db.db.ExecContext(ctx, "ANALYZE")
		return err
	}
	_, err := db.db.ExecContext(ctx, "ANALYZE")
	return err
}
