package store

import (
	"context"
	"fmt"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// Aggregate computes, in SQL, n, sum and the five-band distribution of
// every field score and of the composite, per group of a dimension, over
// the completed responses of one questionnaire version. Responses whose
// respondent was erased count, in group "".
func (db *DB) Aggregate(ctx context.Context, q dialogs.Ref, dim survey.Dimension) ([]survey.Cell, error) {
	return db.AggregateWeek(ctx, q, dim, "")
}

// AggregateWeek is Aggregate over the responses completed in one ISO week
// ("2026-W48"), or over all if week is "".
func (db *DB) AggregateWeek(ctx context.Context, q dialogs.Ref, dim survey.Dimension, week string) ([]survey.Cell, error) {
	var group string
	switch dim {
	case survey.Overall:
		group = "CAST('' AS TEXT)" // not a bare literal, which PostgreSQL refuses in GROUP BY
	case survey.ByWeek:
		group = "COALESCE(r.completed_week, '')"
	case survey.ByChamber, survey.BySector, survey.BySize, survey.ByRegion:
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
		ORDER BY field, grp`, group, bands("s.value"), done, survey.CompositeField, bands("r.composite"))
	full := append(append([]any{}, args...), args...)
	var cells []survey.Cell
	if err := db.db.SelectContext(ctx, &cells, db.db.Rebind(query), full...); err != nil {
		return nil, fmt.Errorf("aggregate by %s: %w", dim, err)
	}
	return cells, nil
}

// PeerCells aggregates the completed responses of a questionnaire version
// by sector, size band and field, in one scan.
func (db *DB) PeerCells(ctx context.Context, q dialogs.Ref) ([]survey.PeerCell, error) {
	const done = `r.completed_at IS NOT NULL AND r.status IN ('completed', 'erased') AND r.questionnaire_id = ? AND r.questionnaire_version = ?`
	const query = `SELECT COALESCE(r.dim_sector, '') AS sector, COALESCE(r.dim_size, '') AS size, s.field AS field, COUNT(*) AS n, SUM(s.value) AS total
		FROM responses r JOIN scores s ON s.response_id = r.id
		WHERE ` + done + `
		GROUP BY COALESCE(r.dim_sector, ''), COALESCE(r.dim_size, ''), s.field
		UNION ALL
		SELECT COALESCE(r.dim_sector, ''), COALESCE(r.dim_size, ''), '` + survey.CompositeField + `', COUNT(*), SUM(r.composite)
		FROM responses r
		WHERE ` + done + ` AND r.composite IS NOT NULL
		GROUP BY COALESCE(r.dim_sector, ''), COALESCE(r.dim_size, '')`
	var cells []survey.PeerCell
	if err := db.db.SelectContext(ctx, &cells, db.db.Rebind(query), q.ID, q.Version, q.ID, q.Version); err != nil {
		return nil, fmt.Errorf("peer figures: %w", err)
	}
	return cells, nil
}

// CountsByWeekAndChamber counts completed responses by ISO week, chamber
// and field for the weeks from first to last ("2026-W37" … "2026-W48"),
// in one scan.
func (db *DB) CountsByWeekAndChamber(ctx context.Context, q dialogs.Ref, first, last string) ([]survey.WeekChamberCount, error) {
	const done = `r.completed_at IS NOT NULL AND r.status IN ('completed', 'erased') AND r.questionnaire_id = ? AND r.questionnaire_version = ?
		AND r.completed_week >= ? AND r.completed_week <= ?`
	const query = `SELECT r.completed_week AS week, COALESCE(r.dim_chamber, '') AS chamber, s.field AS field, COUNT(*) AS n
		FROM responses r JOIN scores s ON s.response_id = r.id
		WHERE ` + done + `
		GROUP BY r.completed_week, COALESCE(r.dim_chamber, ''), s.field
		UNION ALL
		SELECT r.completed_week, COALESCE(r.dim_chamber, ''), '` + survey.CompositeField + `', COUNT(*)
		FROM responses r
		WHERE ` + done + ` AND r.composite IS NOT NULL
		GROUP BY r.completed_week, COALESCE(r.dim_chamber, '')`
	var out []survey.WeekChamberCount
	args := []any{q.ID, q.Version, first, last}
	if err := db.db.SelectContext(ctx, &out, db.db.Rebind(query), append(args, args...)...); err != nil {
		return nil, fmt.Errorf("counts by week and chamber: %w", err)
	}
	return out, nil
}
