package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

type campaignRow struct {
	ID                   string         `db:"id"`
	ChamberID            string         `db:"chamber_id"`
	ChamberCode          sql.NullString `db:"chamber_code"`
	ChamberName          string         `db:"chamber_name"`
	Name                 string         `db:"name"`
	QuestionnaireID      string         `db:"questionnaire_id"`
	QuestionnaireVersion int            `db:"questionnaire_version"`
	WaveID               sql.NullString `db:"wave_id"`
	WaveName             sql.NullString `db:"wave_name"`
	Channels             string         `db:"channels"`
	StartsAt             time.Time      `db:"starts_at"`
	EndsAt               time.Time      `db:"ends_at"`
	Reminders            string         `db:"reminders"`
	QuietFrom            string         `db:"quiet_from"`
	QuietUntil           string         `db:"quiet_until"`
	QuietSunday          bool           `db:"quiet_sunday"`
	Timezone             string         `db:"timezone"`
	Lang                 string         `db:"lang"`
	Personal             bool           `db:"personal"`
	OpenLink             sql.NullString `db:"open_link"`
	Status               string         `db:"status"`
	CreatedAt            time.Time      `db:"created_at"`
	LaunchedAt           sql.NullTime   `db:"launched_at"`
}

const campaignCols = `c.id, c.chamber_id, ch.code AS chamber_code, ch.name AS chamber_name, c.name, c.questionnaire_id,
	c.questionnaire_version, c.channels, c.starts_at, c.ends_at, c.reminders, c.quiet_from, c.quiet_until, c.quiet_sunday,
	c.timezone, c.lang, c.personal, c.open_link, c.status, c.created_at, c.launched_at, c.wave_id, w.name AS wave_name
	FROM campaigns c JOIN chambers ch ON ch.id = c.chamber_id LEFT JOIN waves w ON w.id = c.wave_id`

func (r campaignRow) campaign() survey.Campaign {
	c := survey.Campaign{
		ID: r.ID, ChamberID: r.ChamberID, ChamberCode: r.ChamberCode.String, ChamberName: r.ChamberName, Name: r.Name,
		Questionnaire: dialogs.Ref{ID: r.QuestionnaireID, Version: r.QuestionnaireVersion},
		WaveID:        r.WaveID.String, Wave: r.WaveName.String,
		Channels: channelList(r.Channels),
		StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(),
		QuietFrom: r.QuietFrom, QuietUntil: r.QuietUntil, QuietSunday: r.QuietSunday, Timezone: r.Timezone,
		Lang: dialogs.Lang(r.Lang), Personal: r.Personal, OpenLink: r.OpenLink.String,
		Status: survey.CampaignStatus(r.Status), CreatedAt: r.CreatedAt.UTC(), Reminders: []int{},
	}
	for _, d := range strings.Split(r.Reminders, ",") {
		if n, err := strconv.Atoi(d); err == nil {
			c.Reminders = append(c.Reminders, n)
		}
	}
	if r.LaunchedAt.Valid {
		t := r.LaunchedAt.Time.UTC()
		c.LaunchedAt = &t
	}
	return c
}

// CreateCampaign stores a new campaign as a draft, in c.WaveID or else
// the current wave; the caller has validated it. It returns the campaign
// with its id.
func (db *DB) CreateCampaign(ctx context.Context, c survey.Campaign) (survey.Campaign, error) {
	if c.WaveID == "" {
		w, err := db.EnsureWave(ctx, c.Questionnaire)
		if err != nil {
			return survey.Campaign{}, fmt.Errorf("wave of a new campaign: %w", err)
		}
		c.WaveID = w.ID
	}
	c.ID = newID()
	c.Status = survey.CampaignDraft
	c.CreatedAt = db.utcNow()
	days := make([]string, len(c.Reminders))
	for i, d := range c.Reminders {
		days[i] = strconv.Itoa(d)
	}
	const ins = `INSERT INTO campaigns (id, chamber_id, name, questionnaire_id, questionnaire_version, channels, starts_at, ends_at,
		reminders, quiet_from, quiet_until, quiet_sunday, timezone, lang, personal, open_link, status, created_at, wave_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	_, err := db.db.ExecContext(ctx, db.db.Rebind(ins), c.ID, c.ChamberID, c.Name, c.Questionnaire.ID, c.Questionnaire.Version,
		joinChannels(c.Channels), c.StartsAt.UTC(), c.EndsAt.UTC(), strings.Join(days, ","), c.QuietFrom, c.QuietUntil,
		c.QuietSunday, c.Timezone, string(c.Lang), c.Personal, nullString(c.OpenLink), string(c.Status), c.CreatedAt, c.WaveID)
	if err != nil {
		return survey.Campaign{}, fmt.Errorf("create campaign: %w", err)
	}
	return db.Campaign(ctx, c.ID)
}

// Campaign returns a campaign, or ErrNotFound.
func (db *DB) Campaign(ctx context.Context, id string) (survey.Campaign, error) {
	return getCampaign(ctx, db.db, id)
}

func getCampaign(ctx context.Context, q sqlx.ExtContext, id string) (survey.Campaign, error) {
	var r campaignRow
	err := sqlx.GetContext(ctx, q, &r, q.Rebind(`SELECT `+campaignCols+` WHERE c.id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Campaign{}, survey.ErrNotFound
	}
	if err != nil {
		return survey.Campaign{}, fmt.Errorf("read campaign: %w", err)
	}
	return r.campaign(), nil
}

// Campaigns lists a chamber's campaigns, or every campaign for an empty
// chamberID, newest first.
func (db *DB) Campaigns(ctx context.Context, chamberID string) ([]survey.Campaign, error) {
	var rows []campaignRow
	q := `SELECT ` + campaignCols + ` WHERE (? = '' OR c.chamber_id = ?) ORDER BY c.created_at DESC, c.id`
	if err := db.db.SelectContext(ctx, &rows, db.db.Rebind(q), chamberID, chamberID); err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	out := make([]survey.Campaign, len(rows))
	for i, r := range rows {
		out[i] = r.campaign()
	}
	return out, nil
}

// SetCampaignStatus moves a campaign to status to if it is in one of from;
// otherwise it returns ErrCampaignState (ErrNotFound for no campaign).
func (db *DB) SetCampaignStatus(ctx context.Context, id string, to survey.CampaignStatus, from ...survey.CampaignStatus) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		return setStatus(ctx, tx, id, to, from...)
	})
}

func setStatus(ctx context.Context, tx *sqlx.Tx, id string, to survey.CampaignStatus, from ...survey.CampaignStatus) error {
	// One conditional UPDATE, so that a pause and a launch racing on two
	// instances cannot both believe they won.
	args := []any{string(to), id}
	for _, f := range from {
		args = append(args, string(f))
	}
	q := `UPDATE campaigns SET status = ? WHERE id = ? AND status IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(from)), ", ") + `)`
	res, err := tx.ExecContext(ctx, tx.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("set campaign status: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set campaign status: %w", err)
	} else if n == 1 {
		return nil
	}
	var cur string
	err = tx.GetContext(ctx, &cur, tx.Rebind(`SELECT status FROM campaigns WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("read campaign: %w", err)
	}
	return fmt.Errorf("campaign is %s: %w", cur, survey.ErrCampaignState)
}

// Secret returns the shared secret of a name, made from 32 random bytes
// by whichever instance asks first.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	const ins = `INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(ins), name, hex.EncodeToString(b[:]), db.utcNow()); err != nil {
		return nil, fmt.Errorf("make secret %s: %w", name, err)
	}
	var v string
	if err := db.db.GetContext(ctx, &v, db.db.Rebind(`SELECT value FROM secrets WHERE name = ?`), name); err != nil {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	return hex.DecodeString(v)
}

// channelList reads a campaign's channels column ("email,telegram").
func channelList(s string) []survey.Channel {
	var chs []survey.Channel
	for _, c := range strings.Split(s, ",") {
		chs = append(chs, survey.Channel(c))
	}
	return chs
}

// joinChannels writes a campaign's channels column.
func joinChannels(chs []survey.Channel) string {
	s := make([]string, len(chs))
	for i, c := range chs {
		s[i] = string(c)
	}
	return strings.Join(s, ",")
}
