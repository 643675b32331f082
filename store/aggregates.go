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
	held, err := db.aggregate(ctx, q, dim, survey.Slice{}, "CAST('' AS TEXT)")
	if err != nil {
		return nil, err
	}
	cells := make([]survey.Cell, len(held))
	for i, h := range held {
		cells[i] = h.Cell
	}
	return cells, nil
}

// AggregateHeld is Aggregate over the responses completed in one ISO week
// ("2026-W48"), or over all if week is "", with every cell split by the
// chamber the responses are counted under: that chamber's key exports
// them, so indicators.Disclose must count them against it.
func (db *DB) AggregateHeld(ctx context.Context, q dialogs.Ref, dim survey.Dimension, week string) ([]survey.HeldCell, error) {
	return db.aggregate(ctx, q, dim, survey.Slice{Week: week}, "COALESCE(r.dim_chamber, '')")
}

func (db *DB) aggregate(ctx context.Context, q dialogs.Ref, dim survey.Dimension, slice survey.Slice, holder string) ([]survey.HeldCell, error) {
	var group string
	from := "responses r"
	switch dim {
	case survey.ByWave:
		group = "COALESCE(w.name, '')"
		from = "responses r LEFT JOIN waves w ON w.id = r.wave_id"
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
	if slice.Week != "" {
		done += " AND r.completed_week = ?"
		args = append(args, slice.Week)
	}
	if slice.WaveID != "" {
		done += " AND r.wave_id = ?"
		args = append(args, slice.WaveID)
	}
	query := fmt.Sprintf(`SELECT %[1]s AS grp, %[6]s AS holder, s.field AS field, COUNT(*) AS n, SUM(s.value) AS total, %[2]s
		FROM %[7]s JOIN scores s ON s.response_id = r.id
		WHERE %[3]s
		GROUP BY %[1]s, %[6]s, s.field
		UNION ALL
		SELECT %[1]s AS grp, %[6]s AS holder, '%[4]s' AS field, COUNT(*) AS n, SUM(r.composite) AS total, %[5]s
		FROM %[7]s
		WHERE %[3]s AND r.composite IS NOT NULL
		GROUP BY %[1]s, %[6]s
		ORDER BY field, grp, holder`, group, bands("s.value"), done, survey.CompositeField, bands("r.composite"), holder, from)
	full := append(append([]any{}, args...), args...)
	var cells []survey.HeldCell
	if err := db.db.SelectContext(ctx, &cells, db.db.Rebind(query), full...); err != nil {
		return nil, fmt.Errorf("aggregate by %s: %w", dim, err)
	}
	return cells, nil
}

// livePeerCells aggregates the completed responses of a questionnaire
// version by sector, size band and field, in one scan; it takes the
// questionnaire's id and version twice.
const livePeerCells = `SELECT COALESCE(r.dim_sector, '') AS sector, COALESCE(r.dim_size, '') AS size, s.field AS field, COUNT(*) AS n, SUM(s.value) AS total
	FROM responses r JOIN scores s ON s.response_id = r.id
	WHERE ` + peerDone + `
	GROUP BY COALESCE(r.dim_sector, ''), COALESCE(r.dim_size, ''), s.field
	UNION ALL
	SELECT COALESCE(r.dim_sector, ''), COALESCE(r.dim_size, ''), '` + survey.CompositeField + `', COUNT(*), SUM(r.composite)
	FROM responses r
	WHERE ` + peerDone + ` AND r.composite IS NOT NULL
	GROUP BY COALESCE(r.dim_sector, ''), COALESCE(r.dim_size, '')`

// peerDone: completed responses (erased after completion too), one per
// firm: a firm that answered several waves is compared by its latest, so
// a group's n counts firms, not a firm twice.
const peerDone = `r.completed_at IS NOT NULL AND r.status IN ('completed', 'erased') AND r.questionnaire_id = ? AND r.questionnaire_version = ?
	AND (r.respondent_id IS NULL OR NOT EXISTS (SELECT 1 FROM responses l WHERE l.respondent_id = r.respondent_id
		AND l.status = 'completed' AND l.completed_at > r.completed_at
		AND l.questionnaire_id = r.questionnaire_id AND l.questionnaire_version = r.questionnaire_version))`

// PublishPeers brings the published peer figures of a questionnaire
// version up to date and returns them. A cell (sector, size band, field)
// is published, or replaced by its live value, only when at least step
// more responses stand behind it than behind what was published before.
// Any two states of a cell, and so of any sum of cells, differ by none or
// by at least step responses, whichever instance read them and whenever.
// The rule is kept by one upsert, so instances publishing at once cannot
// break it.
func (db *DB) PublishPeers(ctx context.Context, q dialogs.Ref, step int) ([]survey.PeerCell, error) {
	const publish = `INSERT INTO peer_figures (questionnaire_id, questionnaire_version, sector, size, field, n, total, published_at)
		SELECT ?, ?, live.sector, live.size, live.field, live.n, live.total, ? FROM (` + livePeerCells + `) live
		WHERE live.n >= ?
		ON CONFLICT (questionnaire_id, questionnaire_version, sector, size, field)
		DO UPDATE SET n = excluded.n, total = excluded.total, published_at = excluded.published_at
		WHERE excluded.n >= peer_figures.n + ?`
	args := []any{q.ID, q.Version, db.utcNow(), q.ID, q.Version, q.ID, q.Version, step, step}
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(publish), args...); err != nil {
		return nil, fmt.Errorf("publish peer figures: %w", err)
	}
	const read = `SELECT sector, size, field, n, total FROM peer_figures
		WHERE questionnaire_id = ? AND questionnaire_version = ?`
	var cells []survey.PeerCell
	if err := db.db.SelectContext(ctx, &cells, db.db.Rebind(read), q.ID, q.Version); err != nil {
		return nil, fmt.Errorf("read peer figures: %w", err)
	}
	return cells, nil
}
