package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

type waveRow struct {
	ID        string    `db:"id"`
	Name      string    `db:"name"`
	StartsAt  time.Time `db:"starts_at"`
	EndsAt    time.Time `db:"ends_at"`
	QID       string    `db:"questionnaire_id"`
	QVersion  int       `db:"questionnaire_version"`
	CreatedAt time.Time `db:"created_at"`
}

const waveCols = `id, name, starts_at, ends_at, questionnaire_id, questionnaire_version, created_at`

func (r waveRow) wave() survey.Wave {
	return survey.Wave{ID: r.ID, Name: r.Name, StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(),
		Questionnaire: dialogs.Ref{ID: r.QID, Version: r.QVersion}, CreatedAt: r.CreatedAt.UTC()}
}

// CreateWave adds a wave; its name must be free (ErrWaveExists).
func (db *DB) CreateWave(ctx context.Context, w survey.Wave) (survey.Wave, error) {
	w.Name = strings.TrimSpace(w.Name)
	w.ID, w.CreatedAt = newID(), db.utcNow()
	w.StartsAt, w.EndsAt = w.StartsAt.UTC(), w.EndsAt.UTC()
	const ins = `INSERT INTO waves (` + waveCols + `) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`
	res, err := db.db.ExecContext(ctx, db.db.Rebind(ins), w.ID, w.Name, w.StartsAt, w.EndsAt,
		w.Questionnaire.ID, w.Questionnaire.Version, w.CreatedAt)
	if err != nil {
		return survey.Wave{}, fmt.Errorf("create wave: %w", unstorable(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return survey.Wave{}, fmt.Errorf("wave %q: %w", w.Name, survey.ErrWaveExists)
	}
	return w, nil
}

// Waves lists every wave, the earliest first.
func (db *DB) Waves(ctx context.Context) ([]survey.Wave, error) {
	var rows []waveRow
	if err := db.db.SelectContext(ctx, &rows, `SELECT `+waveCols+` FROM waves ORDER BY starts_at, name`); err != nil {
		return nil, fmt.Errorf("list waves: %w", err)
	}
	out := make([]survey.Wave, len(rows))
	for i, r := range rows {
		out[i] = r.wave()
	}
	return out, nil
}

// Wave returns a wave by id or name, or ErrNotFound.
func (db *DB) Wave(ctx context.Context, idOrName string) (survey.Wave, error) {
	return db.getWave(ctx, `SELECT `+waveCols+` FROM waves WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1`,
		idOrName, idOrName, idOrName)
}

// CurrentWave returns the wave that started last at now, or ErrNoWave.
func (db *DB) CurrentWave(ctx context.Context, now time.Time) (survey.Wave, error) {
	w, err := db.getWave(ctx, `SELECT `+waveCols+` FROM waves WHERE starts_at <= ? ORDER BY starts_at DESC, name DESC LIMIT 1`, now.UTC())
	if errors.Is(err, survey.ErrNotFound) {
		return survey.Wave{}, survey.ErrNoWave
	}
	return w, err
}

// NextWave returns the first wave that starts after now, or ErrNotFound.
func (db *DB) NextWave(ctx context.Context, now time.Time) (survey.Wave, error) {
	return db.getWave(ctx, `SELECT `+waveCols+` FROM waves WHERE starts_at > ? ORDER BY starts_at, name LIMIT 1`, now.UTC())
}

// EnsureWave returns the current wave; where no wave was ever made (a
// fresh installation), it makes wave "1", serving q, open since the
// beginning (so no clock of any instance finds it not yet started) and
// planned to end in a year: the survey works without an operator's step,
// and the operator dates the waves that follow.
func (db *DB) EnsureWave(ctx context.Context, q dialogs.Ref) (survey.Wave, error) {
	now := db.utcNow()
	w, err := db.CurrentWave(ctx, now)
	if !errors.Is(err, survey.ErrNoWave) {
		return w, err
	}
	var n int
	if err := db.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM waves`); err != nil {
		return survey.Wave{}, fmt.Errorf("count waves: %w", err)
	}
	if n > 0 {
		return survey.Wave{}, survey.ErrNoWave // the first wave is planned, not started
	}
	first := survey.Wave{Name: "1", StartsAt: openSince(), EndsAt: now.AddDate(1, 0, 0), Questionnaire: q}
	_, err = db.CreateWave(ctx, first)
	if err != nil && !errors.Is(err, survey.ErrWaveExists) { // another instance made it
		return survey.Wave{}, err
	}
	return db.CurrentWave(ctx, now)
}

// openSince is the start of a wave made because there was none.
func openSince() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }

// firstWave is the wave that adopts the rows from before waves, named
// after the year it started.
func firstWave(start time.Time, q dialogs.Ref) survey.Wave {
	return survey.Wave{Name: fmt.Sprintf("%d-1", start.Year()), StartsAt: start, EndsAt: start.AddDate(1, 0, 0), Questionnaire: q}
}

func (db *DB) getWave(ctx context.Context, query string, args ...any) (survey.Wave, error) {
	var r waveRow
	err := db.db.GetContext(ctx, &r, db.db.Rebind(query), args...)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Wave{}, survey.ErrNotFound
	}
	if err != nil {
		return survey.Wave{}, fmt.Errorf("read wave: %w", err)
	}
	return r.wave(), nil
}

// adoptWaves puts the responses and campaigns of an installation from
// before waves into a first wave made from their dates: from the first
// response started (or campaign made) to the last one answered, serving
// the questionnaire of the latest response. It runs after the migrations
// and does nothing once every row has a wave.
func (db *DB) adoptWaves(ctx context.Context) error {
	var n int
	const count = `SELECT (SELECT COUNT(*) FROM responses WHERE wave_id IS NULL) + (SELECT COUNT(*) FROM campaigns WHERE wave_id IS NULL)`
	if err := db.db.GetContext(ctx, &n, count); err != nil {
		return fmt.Errorf("find responses without a wave: %w", err)
	}
	if n == 0 {
		return nil
	}
	// Plain columns, not MIN(): SQLite's driver reads times only from them.
	var ts [4]sql.NullTime
	for i, q := range []string{
		`SELECT started_at FROM responses WHERE wave_id IS NULL ORDER BY started_at LIMIT 1`,
		`SELECT starts_at FROM campaigns WHERE wave_id IS NULL ORDER BY starts_at LIMIT 1`,
		`SELECT updated_at FROM responses WHERE wave_id IS NULL ORDER BY updated_at DESC LIMIT 1`,
		`SELECT ends_at FROM campaigns WHERE wave_id IS NULL ORDER BY ends_at DESC LIMIT 1`,
	} {
		if err := db.db.GetContext(ctx, &ts[i], q); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("dates of the first wave: %w", err)
		}
	}
	start, end := earliest(ts[0], ts[1]), latest(ts[2], ts[3])
	if end.Before(start) {
		end = start
	}
	var ref struct {
		ID      string `db:"questionnaire_id"`
		Version int    `db:"questionnaire_version"`
	}
	err := db.db.GetContext(ctx, &ref, `SELECT questionnaire_id, questionnaire_version FROM responses WHERE wave_id IS NULL
		UNION ALL SELECT questionnaire_id, questionnaire_version FROM campaigns WHERE wave_id IS NULL LIMIT 1`)
	if err != nil {
		return fmt.Errorf("questionnaire of the first wave: %w", err)
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		// Two instances may migrate at once: the first wave is made once.
		w := firstWave(start, dialogs.Ref{ID: ref.ID, Version: ref.Version})
		const ins = `INSERT INTO waves (` + waveCols + `) SELECT ?, ?, ?, ?, ?, ?, ?
			WHERE NOT EXISTS (SELECT 1 FROM waves) ON CONFLICT (name) DO NOTHING`
		if _, err := tx.ExecContext(ctx, tx.Rebind(ins), newID(), w.Name, start, end, ref.ID, ref.Version, db.utcNow()); err != nil {
			return fmt.Errorf("make the first wave: %w", err)
		}
		if err := tx.GetContext(ctx, &w.ID, `SELECT id FROM waves ORDER BY starts_at LIMIT 1`); err != nil {
			return fmt.Errorf("read the first wave: %w", err)
		}
		for _, table := range []string{"responses", "campaigns"} {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE `+table+` SET wave_id = ? WHERE wave_id IS NULL`), w.ID); err != nil {
				return fmt.Errorf("put %s into the first wave: %w", table, err)
			}
		}
		return nil
	})
}

func earliest(ts ...sql.NullTime) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.Valid && (out.IsZero() || t.Time.Before(out)) {
			out = t.Time
		}
	}
	return out.UTC()
}

func latest(ts ...sql.NullTime) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.Valid && t.Time.After(out) {
			out = t.Time
		}
	}
	return out.UTC()
}

// previous is a respondent's latest completed response in a wave that
// started before waveID.
type previous struct {
	ID        string          `db:"id"`
	Wave      string          `db:"name"`
	Composite sql.NullFloat64 `db:"composite"`
}

func (db *DB) previous(ctx context.Context, respondentID, waveID string) (previous, error) {
	var p previous
	const q = `SELECT r.id, w.name, r.composite FROM responses r JOIN waves w ON w.id = r.wave_id
		WHERE r.respondent_id = ? AND r.status = 'completed'
			AND w.starts_at < (SELECT t.starts_at FROM waves t WHERE t.id = ?)
		ORDER BY w.starts_at DESC LIMIT 1`
	err := db.db.GetContext(ctx, &p, db.db.Rebind(q), respondentID, waveID)
	if errors.Is(err, sql.ErrNoRows) {
		return previous{}, survey.ErrNotFound
	}
	if err != nil {
		return previous{}, fmt.Errorf("previous wave's response: %w", err)
	}
	return p, nil
}

// PreviousScores returns the scores of a respondent's latest completed
// response in a wave that started before waveID, or ErrNotFound.
func (db *DB) PreviousScores(ctx context.Context, respondentID, waveID string) (survey.PastScores, error) {
	p, err := db.previous(ctx, respondentID, waveID)
	if err != nil {
		return survey.PastScores{}, err
	}
	fields, err := db.Scores(ctx, p.ID)
	if err != nil {
		return survey.PastScores{}, err
	}
	out := survey.PastScores{Wave: p.Wave, Fields: fields}
	if p.Composite.Valid {
		out.Composite = &p.Composite.Float64
	}
	return out, nil
}

// PreviousAnswers returns the answers of a respondent's latest completed
// response in a wave that started before waveID, or ErrNotFound: a new
// wave's screening is prefilled from them.
func (db *DB) PreviousAnswers(ctx context.Context, respondentID, waveID string) (map[string]dialogs.Answer, error) {
	p, err := db.previous(ctx, respondentID, waveID)
	if err != nil {
		return nil, err
	}
	return db.Answers(ctx, p.ID)
}

// MemberAnswers returns what a chamber's member list says about the firm a
// respondent answers for, as answers to screening items (sector, size,
// postcode), for prefilling a first wave; nil where it says nothing or
// the respondent is no member. Values are the list's; the dialog drops
// those the questionnaire does not accept.
func (db *DB) MemberAnswers(ctx context.Context, respondentID string) (map[string]string, error) {
	var m struct {
		Sector   string `db:"sector"`
		Size     string `db:"size_band"`
		District string `db:"district"`
	}
	const q = `SELECT m.sector, m.size_band, m.district FROM members m
		WHERE m.respondent_id = ? OR m.email IN (SELECT external_id FROM identities WHERE channel = 'email' AND respondent_id = ?)
		ORDER BY m.updated_at DESC LIMIT 1`
	err := db.db.GetContext(ctx, &m, db.db.Rebind(q), respondentID, respondentID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("member of a respondent: %w", err)
	}
	out := map[string]string{}
	for item, v := range map[string]string{"sector": m.Sector, "size": m.Size, "postcode": m.District} {
		if v = strings.TrimSpace(v); v != "" {
			out[item] = v
		}
	}
	return out, nil
}
