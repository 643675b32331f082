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
	var group, join string
	var args []any
	switch dim {
	case Overall:
		group = "''"
	case ByWeek:
		group = "COALESCE(r.completed_week, '')"
	case ByChamber, BySector, BySize:
		group = "COALESCE(d.value, '')"
		join = "LEFT JOIN answers d ON d.response_id = r.id AND d.item_id = ? AND d.na = FALSE AND d.skipped = FALSE"
		args = append(args, string(dim))
	case ByRegion:
		group = "COALESCE(SUBSTR(d.value, 1, 2), '')"
		join = "LEFT JOIN answers d ON d.response_id = r.id AND d.item_id = 'postcode' AND d.na = FALSE AND d.skipped = FALSE"
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
	// Each is put in its group once; then its scores are counted.
	query := fmt.Sprintf(`WITH g AS MATERIALIZED (
			SELECT r.id AS id, %[1]s AS grp, r.composite AS composite
			FROM responses r %[2]s
			WHERE r.completed_at IS NOT NULL AND r.status IN ('completed', 'erased')
				AND r.questionnaire_id = ? AND r.questionnaire_version = ?
		)
		SELECT g.grp AS grp, s.field AS field, COUNT(*) AS n, SUM(s.value) AS total, %[3]s
		FROM g JOIN scores s ON s.response_id = g.id
		GROUP BY g.grp, s.field
		UNION ALL
		SELECT g.grp AS grp, '%[4]s' AS field, COUNT(*) AS n, SUM(g.composite) AS total, %[5]s
		FROM g WHERE g.composite IS NOT NULL
		GROUP BY g.grp
		ORDER BY field, grp`, group, join, bands("s.value"), CompositeField, bands("g.composite"))
	full := append(append([]any{}, args...), q.ID, q.Version)
	var cells []Cell
	if err := db.db.SelectContext(ctx, &cells, db.db.Rebind(query), full...); err != nil {
		return nil, fmt.Errorf("aggregate by %s: %w", dim, err)
	}
	return cells, nil
}
