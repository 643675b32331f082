package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// FirmScores returns, per firm and wave, the field scores and the
// composite (under survey.CompositeField) of the completed responses of
// questionnaire q in the waves from and to (ids), each with the chamber
// it is counted under. Erased responses have no firm any more and are
// left out; chamber, if not "", keeps only the responses counted under
// that chamber.
func (db *DB) FirmScores(ctx context.Context, q dialogs.Ref, from, to, chamber string) ([]survey.FirmScore, error) {
	done := `r.status = 'completed' AND r.completed_at IS NOT NULL AND r.respondent_id IS NOT NULL
		AND r.questionnaire_id = ? AND r.questionnaire_version = ? AND r.wave_id IN (?, ?)`
	args := []any{q.ID, q.Version, from, to}
	if chamber != "" {
		done += ` AND r.dim_chamber = ?`
		args = append(args, chamber)
	}
	query := `SELECT r.respondent_id AS firm, r.wave_id AS wave, COALESCE(r.dim_chamber, '') AS holder, s.field AS field, s.value AS value
		FROM responses r JOIN scores s ON s.response_id = r.id
		WHERE ` + done + `
		UNION ALL
		SELECT r.respondent_id, r.wave_id, COALESCE(r.dim_chamber, ''), '` + survey.CompositeField + `', r.composite
		FROM responses r
		WHERE ` + done + ` AND r.composite IS NOT NULL
		ORDER BY firm, wave, field`
	var out []survey.FirmScore
	if err := db.db.SelectContext(ctx, &out, db.db.Rebind(query), append(append([]any{}, args...), args...)...); err != nil {
		return nil, fmt.Errorf("firm scores of two waves: %w", err)
	}
	return out, nil
}

type panelFigureRow struct {
	Field   string  `db:"field"`
	N       int     `db:"n"`
	SumFrom float64 `db:"total_from"`
	SumTo   float64 `db:"total_to"`
	Held    string  `db:"held"`
	Version int     `db:"version"`
}

// panelHeld is how a panel figure's chamber counts are kept.
type panelHeld struct {
	Both map[string]int `json:"both"`
	From map[string]int `json:"from"`
	To   map[string]int `json:"to"`
}

func (r panelFigureRow) figure() (survey.PanelFigure, error) {
	var h panelHeld
	if err := json.Unmarshal([]byte(r.Held), &h); err != nil {
		return survey.PanelFigure{}, fmt.Errorf("read panel figure %s: %w", r.Field, err)
	}
	return survey.PanelFigure{Field: r.Field, N: r.N, SumFrom: r.SumFrom, SumTo: r.SumTo, Both: h.Both, FromHeld: h.From, ToHeld: h.To}, nil
}

// PublishPanel brings the published panel figures of the waves from and
// to (ids) up to date with live and returns them. A field without a
// published figure gets its live one; a published one is replaced only
// where replaces(published, live) says so. Each replacement is a
// compare-and-swap on the version read, so instances publishing at once
// each replace only what the rule was checked against.
func (db *DB) PublishPanel(ctx context.Context, from, to string, live []survey.PanelFigure,
	replaces func(published, live survey.PanelFigure) bool) ([]survey.PanelFigure, error) {
	for _, p := range live {
		held, err := json.Marshal(panelHeld{Both: p.Both, From: p.FromHeld, To: p.ToHeld})
		if err != nil {
			return nil, fmt.Errorf("publish panel figure: %w", err)
		}
		for range 3 { // another instance replaced it in between: read again
			done, err := db.publishPanelOnce(ctx, from, to, p, string(held), replaces)
			if err != nil {
				return nil, err
			}
			if done {
				break
			}
		}
	}
	var rows []panelFigureRow
	err := db.db.SelectContext(ctx, &rows, db.db.Rebind(`SELECT field, n, total_from, total_to, held, version
		FROM panel_figures WHERE from_wave = ? AND to_wave = ? ORDER BY field`), from, to)
	if err != nil {
		return nil, fmt.Errorf("read panel figures: %w", err)
	}
	out := make([]survey.PanelFigure, 0, len(rows))
	for _, r := range rows {
		p, err := r.figure()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// publishPanelOnce publishes p unless the rule keeps the published
// figure; done is false when another instance wrote the figure since it
// was read.
func (db *DB) publishPanelOnce(ctx context.Context, from, to string, p survey.PanelFigure, held string,
	replaces func(published, live survey.PanelFigure) bool) (done bool, err error) {
	var cur panelFigureRow
	err = db.db.GetContext(ctx, &cur, db.db.Rebind(`SELECT field, n, total_from, total_to, held, version
		FROM panel_figures WHERE from_wave = ? AND to_wave = ? AND field = ?`), from, to, p.Field)
	var res sql.Result
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err = db.db.ExecContext(ctx, db.db.Rebind(`INSERT INTO panel_figures
			(from_wave, to_wave, field, n, total_from, total_to, held, version, published_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (from_wave, to_wave, field) DO NOTHING`),
			from, to, p.Field, p.N, p.SumFrom, p.SumTo, held, db.utcNow())
	case err != nil:
		return false, fmt.Errorf("read panel figure: %w", err)
	default:
		pub, err := cur.figure()
		if err != nil {
			return false, err
		}
		if !replaces(pub, p) {
			return true, nil
		}
		res, err = db.db.ExecContext(ctx, db.db.Rebind(`UPDATE panel_figures
			SET n = ?, total_from = ?, total_to = ?, held = ?, version = version + 1, published_at = ?
			WHERE from_wave = ? AND to_wave = ? AND field = ? AND version = ?`),
			p.N, p.SumFrom, p.SumTo, held, db.utcNow(), from, to, p.Field, cur.Version)
		if err != nil {
			return false, fmt.Errorf("replace panel figure: %w", err)
		}
	}
	if err != nil {
		return false, fmt.Errorf("publish panel figure: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("publish panel figure: %w", err)
	}
	return n > 0, nil
}
