package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// CompletedResponse is a completed response as exports see it: its
// answers, scores and the week it counts in. An erased response has no
// answers, only its scores.
type CompletedResponse struct {
	ID        string
	PanelID   string // the firm's id across waves; "" once erased
	Wave      string // the wave's name; "" for a response of no wave (imported)
	Week      string // ISO week of completion, such as "2026-W48"
	Erased    bool
	Answers   map[string]dialogs.Answer
	Scores    map[string]float64 // by field
	Composite *float64
	TechCount *int
}

// CompletedFilter selects the completed responses to stream.
type CompletedFilter struct {
	Questionnaire dialogs.Ref
	Chamber       string // only responses counted under this chamber; "" for all
	Wave          string // only the responses of this wave (its id); "" for all
}

// exportPage is how many responses one round of EachCompleted reads, so
// that an export of any size holds only one page in memory.
const exportPage = 500

// EachCompleted calls fn for every completed response (status completed,
// or erased after completion) of one questionnaire version, in the order of
// their ids, with its answers and scores. It reads page by page and holds
// no query open while fn runs, so a slow writer does not pin a connection.
// An error from fn stops it and is returned as it is.
func (db *DB) EachCompleted(ctx context.Context, f CompletedFilter, fn func(CompletedResponse) error) error {
	key, err := db.panelKeyOf(ctx)
	if err != nil {
		return err
	}
	after := ""
	for {
		page, err := db.completedPage(ctx, f, key, after)
		if err != nil {
			return err
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(page) < exportPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

type completedRow struct {
	ID         string          `db:"id"`
	Respondent sql.NullString  `db:"respondent_id"`
	Wave       sql.NullString  `db:"wave"`
	Status     string          `db:"status"`
	Week       sql.NullString  `db:"completed_week"`
	Composite  sql.NullFloat64 `db:"composite"`
	TechCount  sql.NullInt64   `db:"tech_count"`
}

func (db *DB) completedPage(ctx context.Context, f CompletedFilter, key []byte, after string) ([]CompletedResponse, error) {
	where := `r.completed_at IS NOT NULL AND r.status IN ('completed', 'erased')
		AND r.questionnaire_id = ? AND r.questionnaire_version = ?`
	args := []any{f.Questionnaire.ID, f.Questionnaire.Version}
	if f.Chamber != "" {
		where += ` AND r.dim_chamber = ?`
		args = append(args, f.Chamber)
	}
	if f.Wave != "" {
		where += ` AND r.wave_id = ?`
		args = append(args, f.Wave)
	}
	var rows []completedRow
	q := `SELECT r.id, r.respondent_id, w.name AS wave, r.status, r.completed_week, r.composite, r.tech_count
		FROM responses r LEFT JOIN waves w ON w.id = r.wave_id
		WHERE ` + where + ` AND r.id > ? ORDER BY r.id LIMIT ` + fmt.Sprint(exportPage)
	if err := db.db.SelectContext(ctx, &rows, db.db.Rebind(q), slices.Concat(args, []any{after})...); err != nil {
		return nil, fmt.Errorf("read completed responses: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]CompletedResponse, len(rows))
	byID := make(map[string]*CompletedResponse, len(rows))
	for i, r := range rows {
		c := CompletedResponse{ID: r.ID, PanelID: panelID(key, r.Respondent.String), Wave: r.Wave.String,
			Week: r.Week.String, Erased: r.Status == string(survey.StatusErased),
			Answers: map[string]dialogs.Answer{}, Scores: map[string]float64{}}
		if r.Composite.Valid {
			c.Composite = &r.Composite.Float64
		}
		if r.TechCount.Valid {
			n := int(r.TechCount.Int64)
			c.TechCount = &n
		}
		out[i] = c
		byID[r.ID] = &out[i]
	}
	// The page is the id range (after, last]: one query each for its
	// answers and scores, whatever the page's size.
	rangeArgs := slices.Concat(args, []any{after, rows[len(rows)-1].ID})
	var answers []struct {
		Response string `db:"response_id"`
		Item     string `db:"item_id"`
		Value    string `db:"value"`
		NA       bool   `db:"na"`
		Skipped  bool   `db:"skipped"`
		Fixed    bool   `db:"fixed"`
		// Never set for a completed response (the dialog cannot complete
		// with a proposal unconfirmed), but read so that one would not be
		// exported as given.
		Prefilled bool `db:"prefilled"`
	}
	qa := `SELECT a.response_id, a.item_id, a.value, a.na, a.skipped, a.fixed, a.prefilled
		FROM answers a JOIN responses r ON r.id = a.response_id
		WHERE ` + where + ` AND r.id > ? AND r.id <= ?`
	if err := db.db.SelectContext(ctx, &answers, db.db.Rebind(qa), rangeArgs...); err != nil {
		return nil, fmt.Errorf("read answers of completed responses: %w", err)
	}
	for _, a := range answers {
		if c, ok := byID[a.Response]; ok {
			c.Answers[a.Item] = dialogs.Answer{Value: a.Value, NA: a.NA, Skipped: a.Skipped, Fixed: a.Fixed, Prefilled: a.Prefilled}
		}
	}
	var scores []struct {
		Response string  `db:"response_id"`
		Field    string  `db:"field"`
		Value    float64 `db:"value"`
	}
	qs := `SELECT s.response_id, s.field, s.value
		FROM scores s JOIN responses r ON r.id = s.response_id
		WHERE ` + where + ` AND r.id > ? AND r.id <= ?`
	if err := db.db.SelectContext(ctx, &scores, db.db.Rebind(qs), rangeArgs...); err != nil {
		return nil, fmt.Errorf("read scores of completed responses: %w", err)
	}
	for _, s := range scores {
		if c, ok := byID[s.Response]; ok {
			c.Scores[s.Field] = s.Value
		}
	}
	return out, nil
}

// ImportedResponse is a completed response whose answers were collected
// outside surveybot, such as in a chamber's own survey tool.
type ImportedResponse struct {
	Questionnaire dialogs.Ref
	Lang          dialogs.Lang
	Week          string // the ISO week it counts in; "" for the week of the import
	Answers       map[string]dialogs.Answer
	Scores        dialogs.Scores
	Dims          map[survey.Dimension]string
}

// ImportResponses runs fn in one transaction; each call of add stores one
// imported response as completed, under a new pseudonymous respondent with
// no channel identity, and returns its id. If fn returns an error, nothing
// is kept: an import with problems can be corrected and run again without
// leaving half a file behind. On SQLite the transaction holds the write
// lock until fn returns.
func (db *DB) ImportResponses(ctx context.Context, fn func(add func(ImportedResponse) (string, error)) error) error {
	// Imported answers count in the current wave; before any wave exists
	// they wait without one, and the next start puts them into the first.
	var wave sql.NullString
	switch w, err := db.CurrentWave(ctx, db.utcNow()); {
	case err == nil:
		wave = sql.NullString{String: w.ID, Valid: true}
	case !errors.Is(err, survey.ErrNoWave):
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.utcNow()
		return fn(func(ir ImportedResponse) (string, error) { return importResponse(ctx, tx, ir, now, wave) })
	})
}

func importResponse(ctx context.Context, tx *sqlx.Tx, ir ImportedResponse, now time.Time, wave sql.NullString) (string, error) {
	respondent, id := newID(), newID()
	if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO respondents (id, created_at) VALUES (?, ?)`), respondent, now); err != nil {
		return "", fmt.Errorf("insert respondent: %w", err)
	}
	week := ir.Week
	if week == "" {
		week = survey.ISOWeek(now)
	}
	s := survey.Step{Scores: &ir.Scores, Dims: ir.Dims}
	composite, tech := completion(s)
	const ins = `INSERT INTO responses (id, respondent_id, questionnaire_id, questionnaire_version, status, lang, seq,
		started_channel, started_at, consented_at, consent_channel, completed_at, completed_week, updated_at,
		dim_chamber, dim_sector, dim_size, dim_region, composite, tech_count, wave_id)
		VALUES (:id, :respondent, :qid, :qversion, 'completed', :lang, 1,
		:channel, :now, :now, :channel, :now, :week, :now,
		:chamber, :sector, :size, :region, :composite, :tech, :wave)`
	q, args, err := sqlx.Named(ins, map[string]any{
		"id": id, "respondent": respondent, "qid": ir.Questionnaire.ID, "qversion": ir.Questionnaire.Version,
		"lang": string(ir.Lang), "channel": survey.Import, "now": now, "week": week,
		"chamber": dim(s, survey.ByChamber), "sector": dim(s, survey.BySector), "size": dim(s, survey.BySize), "region": dim(s, survey.ByRegion),
		"composite": composite, "tech": tech, "wave": wave,
	})
	if err != nil {
		return "", fmt.Errorf("bind imported response: %w", err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
		return "", fmt.Errorf("insert imported response: %w", err)
	}
	if len(ir.Answers) > 0 {
		var b strings.Builder
		b.WriteString(`INSERT INTO answers (response_id, item_id, value, na, skipped, fixed, channel, answered_at) VALUES `)
		args := make([]any, 0, 8*len(ir.Answers))
		first := true
		for item, a := range ir.Answers {
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, id, item, a.Value, a.NA, a.Skipped, a.Fixed, survey.Import, now)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(b.String()), args...); err != nil {
			return "", fmt.Errorf("insert imported answers: %w", err)
		}
	}
	if len(ir.Scores.Fields) > 0 {
		var b strings.Builder
		b.WriteString(`INSERT INTO scores (response_id, field, value) VALUES `)
		args := make([]any, 0, 3*len(ir.Scores.Fields))
		first := true
		for field, v := range ir.Scores.Fields {
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString("(?, ?, ?)")
			args = append(args, id, field, v)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(b.String()), args...); err != nil {
			return "", fmt.Errorf("insert imported scores: %w", err)
		}
	}
	return id, nil
}
