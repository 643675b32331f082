package store

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/surveybot/surveybot/survey"
)

// panelSecret names the panel key kept in the database when none is
// configured.
const panelSecret = "panel"

// WithPanelKey sets the key panel ids are derived under. Kept outside the
// database, a dump of it cannot link a panel id to a respondent; without
// it, one is made and kept in the database. Changing it gives every firm
// a new panel id: files exported before no longer match.
func WithPanelKey(key []byte) Option { return func(db *DB) { db.panelKey = key } }

// panelKeyOf returns the panel key: the configured one, else the one kept
// in the database, made by whichever instance asks first.
func (db *DB) panelKeyOf(ctx context.Context) ([]byte, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.panelKey == nil {
		key, err := db.Secret(ctx, panelSecret)
		if err != nil {
			return nil, fmt.Errorf("panel key: %w", err)
		}
		db.panelKey = key
	}
	return db.panelKey, nil
}

// PanelIDLen is the length of a panel id: 20 base32 characters, 100 bits.
const PanelIDLen = 20

// panelID is a firm's id in every export of every wave: an HMAC of its
// respondent under the panel key, so that neither a member number nor a
// respondent id yields it without the key. It is computed, never stored:
// erasure cuts the response from its respondent, and with that from its
// panel id. "" for a response without a respondent (erased).
func panelID(key []byte, respondentID string) string {
	if respondentID == "" {
		return ""
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("panel:" + respondentID))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)))[:PanelIDLen]
}

// PanelResponse is one firm's completed response in one wave, as the
// panel export sees it: scores and screening dimensions, no answers.
type PanelResponse struct {
	PanelID     string
	Wave        string    // the wave's name
	WaveStart   time.Time // when the wave started: the order of a firm's waves
	CompletedAt time.Time
	Scores      map[string]float64 // by field
	Composite   *float64
	TechCount   *int
	Dims        map[survey.Dimension]string // chamber, sector, size, region; absent where unknown
}

// PanelFilter selects the responses of a panel export.
type PanelFilter struct {
	Questionnaire string // the questionnaire's id: every version of it, across waves
	Chamber       string // only responses counted under this chamber; "" for all
}

type panelRow struct {
	ID          string          `db:"id"`
	Respondent  string          `db:"respondent_id"`
	Wave        string          `db:"wave"`
	WaveStart   time.Time       `db:"wave_start"`
	CompletedAt time.Time       `db:"completed_at"`
	Composite   sql.NullFloat64 `db:"composite"`
	TechCount   sql.NullInt64   `db:"tech_count"`
	Chamber     sql.NullString  `db:"dim_chamber"`
	Sector      sql.NullString  `db:"dim_sector"`
	Size        sql.NullString  `db:"dim_size"`
	Region      sql.NullString  `db:"dim_region"`
}

// EachPanel calls fn for every completed response that belongs to a firm
// (it has a respondent, so an erased firm has none) and to a wave, ordered
// by panel id and then by wave. The rows are read page by page but sorted
// in memory: an order by respondent would let whoever knows the
// respondents link the rows without the key. A row holds only scores and
// dimensions, so even a large panel fits.
func (db *DB) EachPanel(ctx context.Context, f PanelFilter, fn func(PanelResponse) error) error {
	key, err := db.panelKeyOf(ctx)
	if err != nil {
		return err
	}
	var all []PanelResponse
	for after := ""; ; {
		page, last, err := db.panelPage(ctx, f, key, after)
		if err != nil {
			return err
		}
		all = append(all, page...)
		if len(page) < exportPage {
			break
		}
		after = last
	}
	slices.SortFunc(all, func(a, b PanelResponse) int {
		return cmp.Or(strings.Compare(a.PanelID, b.PanelID), a.WaveStart.Compare(b.WaveStart), strings.Compare(a.Wave, b.Wave))
	})
	for _, r := range all {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// panelPage reads the responses after the id after and returns them with
// the last id read.
func (db *DB) panelPage(ctx context.Context, f PanelFilter, key []byte, after string) ([]PanelResponse, string, error) {
	where := `r.status = 'completed' AND r.completed_at IS NOT NULL AND r.respondent_id IS NOT NULL
		AND r.questionnaire_id = ?`
	args := []any{f.Questionnaire}
	if f.Chamber != "" {
		where += ` AND r.dim_chamber = ?`
		args = append(args, f.Chamber)
	}
	var rows []panelRow
	q := `SELECT r.id, r.respondent_id, w.name AS wave, w.starts_at AS wave_start, r.completed_at,
			r.composite, r.tech_count, r.dim_chamber, r.dim_sector, r.dim_size, r.dim_region
		FROM responses r JOIN waves w ON w.id = r.wave_id
		WHERE ` + where + ` AND r.id > ? ORDER BY r.id LIMIT ` + fmt.Sprint(exportPage)
	if err := db.db.SelectContext(ctx, &rows, db.db.Rebind(q), slices.Concat(args, []any{after})...); err != nil {
		return nil, "", fmt.Errorf("read panel responses: %w", err)
	}
	if len(rows) == 0 {
		return nil, "", nil
	}
	out := make([]PanelResponse, len(rows))
	byID := make(map[string]*PanelResponse, len(rows))
	for i, r := range rows {
		p := PanelResponse{PanelID: panelID(key, r.Respondent), Wave: r.Wave, WaveStart: r.WaveStart.UTC(),
			CompletedAt: r.CompletedAt.UTC(), Scores: map[string]float64{}, Dims: map[survey.Dimension]string{}}
		if r.Composite.Valid {
			p.Composite = &r.Composite.Float64
		}
		if r.TechCount.Valid {
			n := int(r.TechCount.Int64)
			p.TechCount = &n
		}
		for d, v := range map[survey.Dimension]sql.NullString{survey.ByChamber: r.Chamber, survey.BySector: r.Sector, survey.BySize: r.Size, survey.ByRegion: r.Region} {
			if v.Valid && v.String != "" {
				p.Dims[d] = v.String
			}
		}
		out[i] = p
		byID[r.ID] = &out[i]
	}
	last := rows[len(rows)-1].ID
	var scores []struct {
		Response string  `db:"response_id"`
		Field    string  `db:"field"`
		Value    float64 `db:"value"`
	}
	qs := `SELECT s.response_id, s.field, s.value
		FROM scores s JOIN responses r ON r.id = s.response_id
		WHERE ` + where + ` AND r.id > ? AND r.id <= ?`
	if err := db.db.SelectContext(ctx, &scores, db.db.Rebind(qs), slices.Concat(args, []any{after, last})...); err != nil {
		return nil, "", fmt.Errorf("read scores of panel responses: %w", err)
	}
	for _, s := range scores {
		if p, ok := byID[s.Response]; ok {
			p.Scores[s.Field] = s.Value
		}
	}
	return out, last, nil
}
