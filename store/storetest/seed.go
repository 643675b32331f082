package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/store"
)

// SeedCompleted writes n completed responses of the shared questionnaire
// straight into the database a DSN names (migrated already): five field
// scores each, screening answers and dimensions, completions spread over
// twelve weeks (2026-W37 to W48). It is for benchmarks, where storing
// 100,000 responses one by one would take an hour.
func SeedCompleted(t testing.TB, dsn string, n int) {
	t.Helper()
	postgres := strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
	driver, source := "pgx", dsn
	if !postgres {
		driver = "sqlite"
		source = "file:" + strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := seedCompleted(context.Background(), db, postgres, n); err != nil {
		t.Fatal(err)
	}
}

// seedCompleted writes n completed responses with SQL that generates them,
// so that seeding 100,000 takes seconds, not an hour of single inserts.
func seedCompleted(ctx context.Context, db *sql.DB, postgres bool, n int) error {
	series := fmt.Sprintf("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %d)", n)
	from := "FROM s"
	fields := "(SELECT 'consulting' AS f UNION ALL SELECT 'projects' UNION ALL SELECT 'maturity' UNION ALL SELECT 'broadband_business' UNION ALL SELECT 'skills') fs"
	week := "'2026-W' || substr('0' || (37 + g % 12), -2, 2)"
	num := "CAST(%s AS REAL)"
	if postgres {
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
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	_, err := db.ExecContext(ctx, "ANALYZE")
	return err
}

// SeededDBs returns, by name, every database the benchmarks use (SQLite
// always, PostgreSQL when enabled), migrated, with the shared questionnaire
// registered and n completed responses seeded.
func SeededDBs(t testing.TB, n int) map[string]*store.DB {
	t.Helper()
	dsns := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "seeded.db")}
	if os.Getenv(PostgresEnv) != "" {
		dsns["postgres"] = PostgresDSN(t)
	}
	out := map[string]*store.DB{}
	for name, dsn := range dsns {
		out[name] = open(t, dsn)
		SeedCompleted(t, dsn, n)
	}
	return out
}
