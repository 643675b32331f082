package store

import (
	"context"
	"fmt"

	"github.com/surveybot/surveybot/dialogs"
)

// Dimension is what figures are broken down by.
type Dimension string

// The dimensions. Chamber, sector and size come from the screening
// answers, region from the first two digits of the postcode (the
// "Leitregion", until a postcode-to-district table is added), week from
// the ISO week of completion.
const (
	Overall   Dimension = "overall"
	ByChamber Dimension = "chamber"
	BySector  Dimension = "sector"
	BySize    Dimension = "size"
	ByRegion  Dimension = "region"
	ByWeek    Dimension = "week"
)

// Dimensions lists every dimension.
func Dimensions() []Dimension {
	return []Dimension{Overall, ByChamber, BySector, BySize, ByRegion, ByWeek}
}

// CompositeField is the Field of a cell that holds the composite index.
const CompositeField = "composite"

// Cell is one aggregate: the responses of one group with a score in one
// field. Group "" holds the responses without a value for the dimension
// (not answered, "keine Angabe", or erased).
type Cell struct {
	Group string  `db:"grp"`
	Field string  `db:"field"`
	N     int     `db:"n"`
	Sum   float64 `db:"total"`
	B1    int     `db:"b1"` // scores 0–19
	B2    int     `db:"b2"` // 20–39
	B3    int     `db:"b3"` // 40–59
	B4    int     `db:"b4"` // 60–79
	B5    int     `db:"b5"` // 80–100
}

// Mean is the cell's mean score.
func (c Cell) Mean() float64 {
	if c.N == 0 {
		return 0
	}
	return c.Sum / float64(c.N)
}

// Bands returns the distribution of the cell's scores in five bands of 20.
func (c Cell) Bands() [5]int { return [5]int{c.B1, c.B2, c.B3, c.B4, c.B5} }

// Aggregate computes, in SQL, n, sum and the five-band distribution of
// every field score and of the composite, per group of a dimension, over
// the completed responses of one questionnaire version. Responses whose
// respondent was erased count, in group "".
func (db *DB) Aggregate(ctx context.Context, q dialogs.Ref, dim Dimension) ([]Cell, error) {
	return db.AggregateWeek(ctx, q, dim, "")
}

// AggregateWeek is Aggregate over the responses completed in one ISO week
// ("2026-W48"), or over all if week is "".
func (db *DB) AggregateWeek(ctx context.Context, q dialogs.Ref, dim Dimension, week string) ([]Cell, error) {
	var group string
	switch dim {
	case Overall:
		group = "CAST('' AS TEXT)" // not a bare literal, which PostgreSQL refuses in GROUP BY
	case ByWeek:
		group = "COALESCE(r.completed_week, '')"
	case ByChamber, BySector, BySize, ByRegion:
		group = "COALESCE(r.dim_" + string(dim) + ", '')"
	default:
		return nil, fmt.Errorf("aggregate: unknown dimension %q", dim)
	}
	bands := func(v string) string {
		return fmt.Sprintf(`SUM(CASE WHEN %[1]s < 20 THEN 1 ELSE 0 END) AS b1,
			SUM(CASE WHEN %[1]s >= 20 AND %[1]s < 40 THEN 1 ELSE 0 END) AS b2,
			SUM(CASE WHEN %[1]s >= 40 AND %[1]s < 60 THEN 1 ELSE 0 END) AS b3,
			SUM(CASE WHEN %[1]s >= 60 AND %[1]s < 80 THEN 1 ELSE 0 END) AS b4,
			SUM(CASE WHEN %[1]s >= 80 THEN 1 ELSE 0 END) AS b5`, v)
	}
	// Completed responses: status completed, or erased after completion.
	done := `r.completed_at IS NOT NULL AND r.status IN ('completed', 'erased')
		AND r.questionnaire_id = ? AND r.questionnaire_version = ?`
	args := []any{q.ID, q.Version}
	if week != "" {
		done += " AND r.completed_week = ?"
		args = append(args, week)
	}
	query := fmt.Sprintf(`SELECT %[1]s AS grp, s.field AS field, COUNT(*) AS n, SUM(s.value) AS total, %[2]s
		FROM responses r JOIN scores s ON s.response_id = r.id
		WHERE %[3]s
		GROUP BY %[1]s, s.field
		UNION ALL
		SELECT %[1]s AS grp, '%[4]s' AS field, COUNT(*) AS n, SUM(r.composite) AS total, %[5]s
		FROM responses r
		WHERE %[3]s AND r.composite IS NOT NULL
		GROUP BY %[1]s
		ORDER BY field, grp`, group, bands("s.value"), done, CompositeField, bands("r.composite"))
	full := append(append([]any{}, args...), args...)
	var cells []Cell
	if err := db.db.SelectContext(ctx, &cells, db.db.Rebind(query), full...); err != nil {
		return nil, fmt.Errorf("aggregate by %s: %w", dim, err)
	}
	return cells, nil
}

// PeerLevel is how close a benchmark's peers are to the respondent.
type PeerLevel int

// The peer levels, closest first.
const (
	PeersSectorSize PeerLevel = iota // same sector and size band
	PeersSector                      // same sector
	PeersAll                         // everyone
)

// PeerCell is the completed responses of one sector and size band with a
// score in one field (or the composite): the stuff of peer comparisons.
type PeerCell struct {
	Sector string  `db:"sector"` // "" for no answer
	Size   string  `db:"size"`
	Field  string  `db:"field"`
	N      int     `db:"n"`
	Sum    float64 `db:"total"`
}

// PeerCells aggregates the completed responses of a questionnaire version
// by sector, size band and field, in one scan.
func (db *DB) PeerCells(ctx context.Context, q dialogs.Ref) ([]PeerCell, error) {
	const done = `r.completed_at IS NOT NULL AND r.status IN ('completed', 'erased') AND r.questionnaire_id = ? AND r.questionnaire_version = ?`
	const query = `SELECT COALESCE(r.dim_sector, '') AS sector, COALESCE(r.dim_size, '') AS size, s.field AS field, COUNT(*) AS n, SUM(s.value) AS total
		FROM responses r JOIN scores s ON s.response_id = r.id
		WHERE ` + done + `
		GROUP BY COALESCE(r.dim_sector, ''), COALESCE(r.dim_size, ''), s.field
		UNION ALL
		SELECT COALESCE(r.dim_sector, ''), COALESCE(r.dim_size, ''), '` + CompositeField + `', COUNT(*), SUM(r.composite)
		FROM responses r
		WHERE ` + done + ` AND r.composite IS NOT NULL
		GROUP BY COALESCE(r.dim_sector, ''), COALESCE(r.dim_size, '')`
	var cells []PeerCell
	if err := db.db.SelectContext(ctx, &cells, db.db.Rebind(query), q.ID, q.Version, q.ID, q.Version); err != nil {
		return nil, fmt.Errorf("peer figures: %w", err)
	}
	return cells, nil
}

// DimsOf returns the screening answers a completed response is counted
// under: chamber, sector and size band as answered, and the region, the
// first two digits of the postcode. "keine Angabe" counts under none.
func DimsOf(answers map[string]dialogs.Answer) map[Dimension]string {
	out := map[Dimension]string{}
	for _, d := range []Dimension{ByChamber, BySector, BySize} {
		if a, ok := answers[string(d)]; ok && a.Given() {
			out[d] = a.Value
		}
	}
	if a, ok := answers["postcode"]; ok && a.Given() && len(a.Value) >= 2 {
		out[ByRegion] = a.Value[:2]
	}
	return out
}

// WeekChamberCount is how many completed responses of one week and one
// chamber have a score in one field (or the composite).
type WeekChamberCount struct {
	Week    string `db:"week"`
	Chamber string `db:"chamber"`
	Field   string `db:"field"`
	N       int    `db:"n"`
}

// CountsByWeekAndChamber counts completed responses by ISO week, chamber
// and field for the weeks from first to last ("2026-W37" … "2026-W48"),
// in one scan.
func (db *DB) CountsByWeekAndChamber(ctx context.Context, q dialogs.Ref, first, last string) ([]WeekChamberCount, error) {
	const done = `r.completed_at IS NOT NULL AND r.status IN ('completed', 'erased') AND r.questionnaire_id = ? AND r.questionnaire_version = ?
		AND r.completed_week >= ? AND r.completed_week <= ?`
	const query = `SELECT r.completed_week AS week, COALESCE(r.dim_chamber, '') AS chamber, s.field AS field, COUNT(*) AS n
		FROM responses r JOIN scores s ON s.response_id = r.id
		WHERE ` + done + `
		GROUP BY r.completed_week, COALESCE(r.dim_chamber, ''), s.field
		UNION ALL
		SELECT r.completed_week, COALESCE(r.dim_chamber, ''), '` + CompositeField + `', COUNT(*)
		FROM responses r
		WHERE ` + done + ` AND r.composite IS NOT NULL
		GROUP BY r.completed_week, COALESCE(r.dim_chamber, '')`
	var out []WeekChamberCount
	args := []any{q.ID, q.Version, first, last}
	if err := db.db.SelectContext(ctx, &out, db.db.Rebind(query), append(args, args...)...); err != nil {
		return nil, fmt.Errorf("counts by week and chamber: %w", err)
	}
	return out, nil
}
