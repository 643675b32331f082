package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

type responseRow struct {
	ID           string          `db:"id"`
	RespondentID sql.NullString  `db:"respondent_id"`
	QID          string          `db:"questionnaire_id"`
	QVersion     int             `db:"questionnaire_version"`
	Status       string          `db:"status"`
	Lang         string          `db:"lang"`
	Seq          int64           `db:"seq"`
	StartedAt    time.Time       `db:"started_at"`
	CompletedAt  sql.NullTime    `db:"completed_at"`
	Composite    sql.NullFloat64 `db:"composite"`
	TechCount    sql.NullInt64   `db:"tech_count"`
	WaveID       sql.NullString  `db:"wave_id"`
}

const responseCols = `id, respondent_id, questionnaire_id, questionnaire_version, status, lang, seq,
	started_at, completed_at, composite, tech_count, wave_id`

func (r responseRow) toResponse() survey.Response {
	out := survey.Response{
		ID:            r.ID,
		RespondentID:  r.RespondentID.String,
		Questionnaire: dialogs.Ref{ID: r.QID, Version: r.QVersion},
		Status:        survey.Status(r.Status),
		Lang:          dialogs.Lang(r.Lang),
		Seq:           r.Seq,
		StartedAt:     r.StartedAt.UTC(),
		WaveID:        r.WaveID.String,
	}
	if r.CompletedAt.Valid {
		t := r.CompletedAt.Time.UTC()
		out.CompletedAt = &t
	}
	if r.Composite.Valid {
		out.Composite = &r.Composite.Float64
	}
	if r.TechCount.Valid {
		n := int(r.TechCount.Int64)
		out.TechCount = &n
	}
	return out
}

// Response returns one response by id.
func (db *DB) Response(ctx context.Context, id string) (survey.Response, error) {
	var row responseRow
	err := db.db.GetContext(ctx, &row, db.db.Rebind(`SELECT `+responseCols+` FROM responses WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Response{}, survey.ErrNotFound
	}
	if err != nil {
		return survey.Response{}, fmt.Errorf("read response: %w", err)
	}
	return row.toResponse(), nil
}

// LatestResponse returns a respondent's most recent response, or ErrNotFound.
func (db *DB) LatestResponse(ctx context.Context, respondentID string) (survey.Response, error) {
	var row responseRow
	const q = `SELECT ` + responseCols + ` FROM responses WHERE respondent_id = ?
		ORDER BY started_at DESC, id DESC LIMIT 1`
	err := db.db.GetContext(ctx, &row, db.db.Rebind(q), respondentID)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Response{}, survey.ErrNotFound
	}
	if err != nil {
		return survey.Response{}, fmt.Errorf("latest response: %w", err)
	}
	return row.toResponse(), nil
}

// CreateResponse starts a response in status started, with its fixed
// answers, in nr.WaveID or else the current wave (EnsureWave), and its
// prefilled ones (nr.Prefill), which are stored as unconfirmed proposals,
// never as fixed. A respondent has one response per wave: where they have
// one in it already, it returns ErrWaveResponse and creates nothing.
func (db *DB) CreateResponse(ctx context.Context, nr survey.NewResponse) (survey.Response, error) {
	if nr.WaveID == "" {
		w, err := db.EnsureWave(ctx, nr.Questionnaire)
		if err != nil {
			return survey.Response{}, fmt.Errorf("wave of a new response: %w", err)
		}
		nr.WaveID = w.ID
	}
	now := db.utcNow()
	r := survey.Response{
		ID: newID(), RespondentID: nr.RespondentID, Questionnaire: nr.Questionnaire,
		Status: survey.StatusStarted, Lang: nr.Lang, StartedAt: now, WaveID: nr.WaveID,
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		const ins = `INSERT INTO responses (id, respondent_id, questionnaire_id, questionnaire_version, status, lang, seq,
			started_channel, started_at, updated_at, wave_id) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
			ON CONFLICT (respondent_id, wave_id) DO NOTHING`
		res, err := tx.ExecContext(ctx, tx.Rebind(ins), r.ID, nr.RespondentID, nr.Questionnaire.ID, nr.Questionnaire.Version,
			string(survey.StatusStarted), string(nr.Lang), nr.Channel, now, now, nr.WaveID)
		if err != nil {
			return fmt.Errorf("insert response: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("insert response: %w", err)
		} else if n == 0 {
			return survey.ErrWaveResponse
		}
		for item, a := range nr.Fixed {
			a.Fixed = true // known beforehand, never asked: a restored dialog must not offer to change it
			if err := upsertAnswer(ctx, tx, r.ID, item, a, nr.Channel, now); err != nil {
				return err
			}
		}
		for item, a := range nr.Prefill {
			if _, fixed := nr.Fixed[item]; fixed {
				continue // what the invitation fixed is never proposed
			}
			a.Fixed, a.Prefilled = false, true
			if err := upsertAnswer(ctx, tx, r.ID, item, a, nr.Channel, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return survey.Response{}, err
	}
	return r, nil
}

// ResponseInWave returns a respondent's response in a wave, or ErrNotFound.
func (db *DB) ResponseInWave(ctx context.Context, respondentID, waveID string) (survey.Response, error) {
	var row responseRow
	err := db.db.GetContext(ctx, &row, db.db.Rebind(`SELECT `+responseCols+` FROM responses WHERE respondent_id = ? AND wave_id = ?`),
		respondentID, waveID)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Response{}, survey.ErrNotFound
	}
	if err != nil {
		return survey.Response{}, fmt.Errorf("response in wave: %w", err)
	}
	return row.toResponse(), nil
}

// Answers returns the stored answers of a response, keyed by item id.
func (db *DB) Answers(ctx context.Context, responseID string) (map[string]dialogs.Answer, error) {
	var rows []struct {
		Item      string `db:"item_id"`
		Value     string `db:"value"`
		NA        bool   `db:"na"`
		Skipped   bool   `db:"skipped"`
		Fixed     bool   `db:"fixed"`
		Prefilled bool   `db:"prefilled"`
	}
	const q = `SELECT item_id, value, na, skipped, fixed, prefilled FROM answers WHERE response_id = ?`
	if err := db.db.SelectContext(ctx, &rows, db.db.Rebind(q), responseID); err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	out := make(map[string]dialogs.Answer, len(rows))
	for _, r := range rows {
		out[r.Item] = dialogs.Answer{Value: r.Value, NA: r.NA, Skipped: r.Skipped, Fixed: r.Fixed, Prefilled: r.Prefilled}
	}
	return out, nil
}

// Scores returns the stored field scores of a response.
func (db *DB) Scores(ctx context.Context, responseID string) (map[string]float64, error) {
	var rows []struct {
		Field string  `db:"field"`
		Value float64 `db:"value"`
	}
	if err := db.db.SelectContext(ctx, &rows, db.db.Rebind(`SELECT field, value FROM scores WHERE response_id = ?`), responseID); err != nil {
		return nil, fmt.Errorf("read scores: %w", err)
	}
	out := make(map[string]float64, len(rows))
	for _, r := range rows {
		out[r.Field] = r.Value
	}
	return out, nil
}

// InputApplied reports whether an input with this key was applied.
func (db *DB) InputApplied(ctx context.Context, key string) (bool, error) {
	var n int
	if err := db.db.GetContext(ctx, &n, db.db.Rebind(`SELECT COUNT(*) FROM input_keys WHERE key = ?`), key); err != nil {
		return false, fmt.Errorf("read input keys: %w", err)
	}
	return n > 0, nil
}

// ApplyStep stores one step in one transaction: the answers accepted or
// dropped, the status, and on completion the field scores, composite and
// technology count. It returns the new seq, or ErrConflict if the response
// moved on since Seq (the caller reloads and tries again).
func (db *DB) ApplyStep(ctx context.Context, s survey.Step) (int64, error) {
	if db.dialect == Postgres {
		seq, err := db.applyStepPostgres(ctx, s)
		return seq, unstorable(err)
	}
	now := db.utcNow()
	status := survey.StatusOf(s.Phase)
	composite, tech := completion(s)
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if s.InputKey != "" {
			const ins = `INSERT INTO input_keys (key, response_id, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`
			res, err := tx.ExecContext(ctx, tx.Rebind(ins), s.InputKey, s.ResponseID, now)
			if err != nil {
				return fmt.Errorf("record input: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("record input: %w", err)
			} else if n == 0 {
				return survey.ErrDuplicate
			}
		}
		const upd = `UPDATE responses SET
			seq = seq + 1,
			status = :status,
			lang = :lang,
			updated_at = :now,
			consented_at = CASE WHEN :status IN ('consented', 'completed') THEN COALESCE(consented_at, :now) ELSE consented_at END,
			consent_channel = CASE WHEN :status IN ('consented', 'completed') THEN COALESCE(consent_channel, :channel) ELSE consent_channel END,
			declined_at = CASE WHEN :status = 'declined' THEN :now ELSE declined_at END,
			completed_at = CASE WHEN :status = 'completed' THEN COALESCE(completed_at, :now) ELSE NULL END,
			completed_week = CASE WHEN :status = 'completed' THEN COALESCE(completed_week, :week) ELSE NULL END,
			dim_chamber = CASE WHEN :status = 'completed' THEN :chamber ELSE NULL END,
			dim_sector = CASE WHEN :status = 'completed' THEN :sector ELSE NULL END,
			dim_size = CASE WHEN :status = 'completed' THEN :size ELSE NULL END,
			dim_region = CASE WHEN :status = 'completed' THEN :region ELSE NULL END,
			composite = CASE WHEN :status = 'completed' THEN CAST(:composite AS DOUBLE PRECISION) ELSE NULL END,
			tech_count = CASE WHEN :status = 'completed' THEN CAST(:tech AS INTEGER) ELSE NULL END
			WHERE id = :id AND seq = :seq AND status <> 'erased'`
		q, args, err := sqlx.Named(upd, map[string]any{
			"status": string(status), "lang": string(s.Lang), "now": now, "channel": s.Channel,
			"composite": composite, "tech": tech, "id": s.ResponseID, "seq": s.Seq, "week": survey.ISOWeek(now),
			"chamber": dim(s, survey.ByChamber), "sector": dim(s, survey.BySector), "size": dim(s, survey.BySize), "region": dim(s, survey.ByRegion),
		})
		if err != nil {
			return fmt.Errorf("bind step: %w", err)
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(q), args...)
		if err != nil {
			return fmt.Errorf("update response: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update response: %w", err)
		} else if n == 0 {
			return survey.ErrConflict
		}
		for _, c := range s.Changes {
			if c.Dropped {
				const del = `DELETE FROM answers WHERE response_id = ? AND item_id = ?`
				if _, err := tx.ExecContext(ctx, tx.Rebind(del), s.ResponseID, c.Item); err != nil {
					return fmt.Errorf("drop answer: %w", err)
				}
				continue
			}
			if err := upsertAnswer(ctx, tx, s.ResponseID, c.Item, c.Answer, s.Channel, now); err != nil {
				return err
			}
		}
		if s.Scores != nil {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM scores WHERE response_id = ?`), s.ResponseID); err != nil {
				return fmt.Errorf("clear scores: %w", err)
			}
			for field, v := range s.Scores.Fields {
				const ins = `INSERT INTO scores (response_id, field, value) VALUES (?, ?, ?)`
				if _, err := tx.ExecContext(ctx, tx.Rebind(ins), s.ResponseID, field, v); err != nil {
					return fmt.Errorf("store score: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return s.Seq + 1, nil
}

func completion(s survey.Step) (sql.NullFloat64, sql.NullInt64) {
	var composite sql.NullFloat64
	var tech sql.NullInt64
	if s.Scores != nil {
		if s.Scores.Composite != nil {
			composite = sql.NullFloat64{Float64: *s.Scores.Composite, Valid: true}
		}
		if s.Scores.TechCount != nil {
			tech = sql.NullInt64{Int64: int64(*s.Scores.TechCount), Valid: true}
		}
	}
	return composite, tech
}

// applyStepPostgres does what ApplyStep does in one statement, and so in
// one round trip and one implicit transaction: the data-modifying CTEs only
// act if the guarded UPDATE found the response at the expected seq.
func (db *DB) applyStepPostgres(ctx context.Context, s survey.Step) (int64, error) {
	const q = `WITH upd AS (
		UPDATE responses SET
			seq = seq + 1,
			status = $1,
			lang = $2,
			updated_at = $3,
			consented_at = CASE WHEN $1 IN ('consented', 'completed') THEN COALESCE(consented_at, $3) ELSE consented_at END,
			consent_channel = CASE WHEN $1 IN ('consented', 'completed') THEN COALESCE(consent_channel, $4) ELSE consent_channel END,
			declined_at = CASE WHEN $1 = 'declined' THEN $3 ELSE declined_at END,
			completed_at = CASE WHEN $1 = 'completed' THEN COALESCE(completed_at, $3) ELSE NULL END,
			completed_week = CASE WHEN $1 = 'completed' THEN COALESCE(completed_week, $17) ELSE NULL END,
			dim_chamber = CASE WHEN $1 = 'completed' THEN $19::text ELSE NULL END,
			dim_sector = CASE WHEN $1 = 'completed' THEN $20::text ELSE NULL END,
			dim_size = CASE WHEN $1 = 'completed' THEN $21::text ELSE NULL END,
			dim_region = CASE WHEN $1 = 'completed' THEN $22::text ELSE NULL END,
			composite = CASE WHEN $1 = 'completed' THEN $5::double precision ELSE NULL END,
			tech_count = CASE WHEN $1 = 'completed' THEN $6::integer ELSE NULL END
		WHERE id = $7 AND seq = $8 AND status <> 'erased'
			AND ($18 = '' OR NOT EXISTS (SELECT 1 FROM input_keys WHERE key = $18))
		RETURNING id
	), keyed AS (
		INSERT INTO input_keys (key, response_id, created_at)
		SELECT $18, upd.id, $3 FROM upd WHERE $18 <> ''
	), dropped AS (
		DELETE FROM answers WHERE response_id IN (SELECT id FROM upd) AND item_id = ANY($9::text[])
	), saved AS (
		INSERT INTO answers (response_id, item_id, value, na, skipped, fixed, prefilled, channel, answered_at)
		SELECT upd.id, a.item, a.value, a.na, a.skipped, a.fixed, a.prefilled, $4, $3
		FROM upd, unnest($10::text[], $11::text[], $12::boolean[], $13::boolean[], $14::boolean[], $23::boolean[]) AS a (item, value, na, skipped, fixed, prefilled)
		ON CONFLICT (response_id, item_id) DO UPDATE SET value = excluded.value, na = excluded.na,
			skipped = excluded.skipped, fixed = excluded.fixed, prefilled = excluded.prefilled,
			channel = excluded.channel, answered_at = excluded.answered_at
	), scored AS (
		INSERT INTO scores (response_id, field, value)
		SELECT upd.id, f.field, f.value FROM upd, unnest($15::text[], $16::double precision[]) AS f (field, value)
		ON CONFLICT (response_id, field) DO UPDATE SET value = excluded.value
	)
	SELECT COUNT(*) FROM upd`
	var drop, items, values []string
	var nas, skips, fixeds, prefilleds []bool
	for _, c := range s.Changes {
		if c.Dropped {
			drop = append(drop, c.Item)
			continue
		}
		items = append(items, c.Item)
		values = append(values, c.Answer.Value)
		nas = append(nas, c.Answer.NA)
		skips = append(skips, c.Answer.Skipped)
		fixeds = append(fixeds, c.Answer.Fixed)
		prefilleds = append(prefilleds, c.Answer.Prefilled)
	}
	var fields []string
	var scores []float64
	if s.Scores != nil {
		for f, v := range s.Scores.Fields {
			fields = append(fields, f)
			scores = append(scores, v)
		}
	}
	composite, tech := completion(s)
	now := db.utcNow()
	var n int
	err := db.db.QueryRowContext(ctx, q, string(survey.StatusOf(s.Phase)), string(s.Lang), now, s.Channel,
		composite, tech, s.ResponseID, s.Seq, nonNil(drop), nonNil(items), nonNil(values), nonNil(nas), nonNil(skips), nonNil(fixeds),
		nonNil(fields), nonNil(scores), survey.ISOWeek(now), s.InputKey,
		dim(s, survey.ByChamber), dim(s, survey.BySector), dim(s, survey.BySize), dim(s, survey.ByRegion),
		nonNil(prefilleds)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store step: %w", err)
	}
	if n == 0 {
		if s.InputKey != "" {
			if done, err := db.InputApplied(ctx, s.InputKey); err == nil && done {
				return 0, survey.ErrDuplicate
			}
		}
		return 0, survey.ErrConflict
	}
	return s.Seq + 1, nil
}

// nonNil sends an empty array, not NULL, so unnest and ANY stay simple.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func upsertAnswer(ctx context.Context, tx *sqlx.Tx, responseID, item string, a dialogs.Answer, channel survey.Channel, now time.Time) error {
	const q = `INSERT INTO answers (response_id, item_id, value, na, skipped, fixed, prefilled, channel, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (response_id, item_id) DO UPDATE SET value = excluded.value, na = excluded.na,
			skipped = excluded.skipped, fixed = excluded.fixed, prefilled = excluded.prefilled,
			channel = excluded.channel, answered_at = excluded.answered_at`
	if _, err := tx.ExecContext(ctx, tx.Rebind(q), responseID, item, a.Value, a.NA, a.Skipped, a.Fixed, a.Prefilled, channel, now); err != nil {
		return fmt.Errorf("store answer %s: %w", item, err)
	}
	return nil
}

// AnswerRecords returns the stored answers of a response with their channel
// and time, oldest first.
func (db *DB) AnswerRecords(ctx context.Context, responseID string) ([]survey.AnswerRecord, error) {
	var rows []struct {
		Item      string         `db:"item_id"`
		Value     string         `db:"value"`
		NA        bool           `db:"na"`
		Skipped   bool           `db:"skipped"`
		Fixed     bool           `db:"fixed"`
		Prefilled bool           `db:"prefilled"`
		Channel   survey.Channel `db:"channel"`
		At        time.Time      `db:"answered_at"`
	}
	const q = `SELECT item_id, value, na, skipped, fixed, prefilled, channel, answered_at FROM answers
		WHERE response_id = ? ORDER BY answered_at, item_id`
	if err := db.db.SelectContext(ctx, &rows, db.db.Rebind(q), responseID); err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	out := make([]survey.AnswerRecord, len(rows))
	for i, r := range rows {
		out[i] = survey.AnswerRecord{Item: r.Item, Answer: dialogs.Answer{Value: r.Value, NA: r.NA, Skipped: r.Skipped, Fixed: r.Fixed, Prefilled: r.Prefilled}, Channel: r.Channel, At: r.At.UTC()}
	}
	return out, nil
}

// CurrentResponse returns the most recent response of the respondent known
// by an identity, in one query, or ErrNotFound.
func (db *DB) CurrentResponse(ctx context.Context, who survey.Identity) (survey.Response, error) {
	return db.identityResponse(ctx, who, "")
}

// WaveResponse returns the response in a wave of the respondent an
// identity belongs to, or ErrNotFound.
func (db *DB) WaveResponse(ctx context.Context, who survey.Identity, waveID string) (survey.Response, error) {
	return db.identityResponse(ctx, who, waveID)
}

func (db *DB) identityResponse(ctx context.Context, who survey.Identity, waveID string) (survey.Response, error) {
	var row responseRow
	const q = `SELECT r.id, r.respondent_id, r.questionnaire_id, r.questionnaire_version, r.status, r.lang, r.seq,
			r.started_at, r.completed_at, r.composite, r.tech_count, r.wave_id
		FROM identities i JOIN responses r ON r.respondent_id = i.respondent_id
		WHERE i.channel = ? AND i.external_id = ? AND (? = '' OR r.wave_id = ?)
		ORDER BY r.started_at DESC, r.id DESC LIMIT 1`
	err := db.db.GetContext(ctx, &row, db.db.Rebind(q), who.Channel, who.External, waveID, waveID)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Response{}, survey.ErrNotFound
	}
	if err != nil {
		return survey.Response{}, fmt.Errorf("current response: %w", err)
	}
	return row.toResponse(), nil
}

// dim returns a step's value for a dimension, NULL if it has none.
func dim(s survey.Step, d survey.Dimension) sql.NullString {
	v, ok := s.Dims[d]
	return sql.NullString{String: v, Valid: ok && v != ""}
}

// PruneInputKeys forgets the input keys recorded before cutoff: channels
// deliver an input again within hours (Telegram, Slack), not weeks.
func (db *DB) PruneInputKeys(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := db.db.ExecContext(ctx, db.db.Rebind(`DELETE FROM input_keys WHERE created_at < ?`), cutoff.UTC())
	if err != nil {
		return 0, fmt.Errorf("prune input keys: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
