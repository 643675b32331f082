package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// CreateInvitation creates a respondent and a personal invitation for them.
// It returns the invitation and its key: 128 random bits as 22 characters of
// A-Za-z0-9_-, fit for a Telegram deep link and a URL. Only the key's hash
// is stored; the key cannot be shown again.
func (db *DB) CreateInvitation(ctx context.Context, ni survey.NewInvitation) (survey.Invitation, string, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	key := base64.RawURLEncoding.EncodeToString(b[:])
	fixed, err := json.Marshal(ni.Fixed)
	if err != nil {
		return survey.Invitation{}, "", fmt.Errorf("encode fixed answers: %w", err)
	}
	if ni.Fixed == nil {
		fixed = []byte("{}")
	}
	now := db.utcNow()
	inv := survey.Invitation{ID: newID(), RespondentID: newID(), Lang: ni.Lang, Fixed: ni.Fixed, ExpiresAt: now.Add(ni.TTL)}
	email := strings.ToLower(strings.TrimSpace(ni.Email))
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		existing := ""
		if email != "" {
			const q = `SELECT respondent_id FROM identities WHERE channel = 'email' AND external_id = ?`
			if err := tx.GetContext(ctx, &existing, tx.Rebind(q), email); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("find invitee: %w", err)
			}
		}
		if existing != "" {
			inv.RespondentID = existing
		} else {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO respondents (id, created_at) VALUES (?, ?)`), inv.RespondentID, now); err != nil {
				return fmt.Errorf("insert respondent: %w", err)
			}
			if email != "" {
				const ins = `INSERT INTO identities (channel, external_id, respondent_id, created_at) VALUES ('email', ?, ?, ?)`
				if _, err := tx.ExecContext(ctx, tx.Rebind(ins), email, inv.RespondentID, now); err != nil {
					return fmt.Errorf("insert invitee address: %w", err)
				}
			}
		}
		const ins = `INSERT INTO invitations (id, key_hash, respondent_id, lang, fixed, chamber, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
		chamber := sql.NullString{String: ni.Fixed["chamber"], Valid: ni.Fixed["chamber"] != ""}
		if _, err := tx.ExecContext(ctx, tx.Rebind(ins), inv.ID, survey.HashKey(key), inv.RespondentID, string(ni.Lang), string(fixed), chamber, inv.ExpiresAt, now); err != nil {
			return fmt.Errorf("insert invitation: %w", err)
		}
		return nil
	})
	if err != nil {
		return survey.Invitation{}, "", err
	}
	return inv, key, nil
}

// InvitationByKey finds the invitation a key opens. It returns ErrNotFound
// for a key that never existed or whose respondent was erased, and
// ErrExpired for one past its expiry or revoked.
func (db *DB) InvitationByKey(ctx context.Context, key string) (survey.Invitation, error) {
	var row struct {
		ID           string       `db:"id"`
		RespondentID string       `db:"respondent_id"`
		Lang         string       `db:"lang"`
		Fixed        string       `db:"fixed"`
		ExpiresAt    time.Time    `db:"expires_at"`
		RevokedAt    sql.NullTime `db:"revoked_at"`
	}
	const q = `SELECT id, respondent_id, lang, fixed, expires_at, revoked_at FROM invitations WHERE key_hash = ?`
	err := db.db.GetContext(ctx, &row, db.db.Rebind(q), survey.HashKey(key))
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Invitation{}, survey.ErrNotFound
	}
	if err != nil {
		return survey.Invitation{}, fmt.Errorf("read invitation: %w", err)
	}
	inv := survey.Invitation{ID: row.ID, RespondentID: row.RespondentID, Lang: dialogs.Lang(row.Lang), ExpiresAt: row.ExpiresAt.UTC()}
	if err := json.Unmarshal([]byte(row.Fixed), &inv.Fixed); err != nil {
		return survey.Invitation{}, fmt.Errorf("decode invitation: %w", err)
	}
	if row.RevokedAt.Valid || !db.utcNow().Before(inv.ExpiresAt) {
		return inv, survey.ErrExpired
	}
	return inv, nil
}

// OptOutByInvitation records that the invitee of an invitation wants no
// more e-mail: every address of the invitation's respondent goes on the
// opt-out list. An unknown or expired key is no error for an unsubscribe
// link: it returns ErrNotFound only for a key that never existed.
func (db *DB) OptOutByInvitation(ctx context.Context, key string) error {
	var rid string
	err := db.db.GetContext(ctx, &rid, db.db.Rebind(`SELECT respondent_id FROM invitations WHERE key_hash = ?`), survey.HashKey(key))
	if errors.Is(err, sql.ErrNoRows) {
		return survey.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("find invitation: %w", err)
	}
	// The respondent's addresses, and the address of the chamber member a
	// campaign invited, which may not (yet) be one of them.
	var addrs []string
	const q = `SELECT external_id FROM identities WHERE channel = 'email' AND respondent_id = ?
		UNION SELECT m.email FROM invitations i JOIN members m ON m.id = i.member_id
		WHERE i.key_hash = ? AND m.email IS NOT NULL`
	if err := db.db.SelectContext(ctx, &addrs, db.db.Rebind(q), rid, survey.HashKey(key)); err != nil {
		return fmt.Errorf("find addresses: %w", err)
	}
	for _, a := range addrs {
		if err := db.OptOut(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// InvitedByChamber counts, per chamber (by its answer code), the
// respondents invited before until and those of them who completed before
// until, for response rates as of a moment.
func (db *DB) InvitedByChamber(ctx context.Context, until time.Time) (map[string]survey.Invited, error) {
	var rows []struct {
		Chamber string `db:"chamber"`
		survey.Invited
	}
	const q = `SELECT i.chamber AS chamber, COUNT(DISTINCT i.respondent_id) AS invited,
			COUNT(DISTINCT CASE WHEN r.completed_at IS NOT NULL AND r.completed_at < ? THEN r.respondent_id END) AS completed
		FROM invitations i LEFT JOIN responses r ON r.respondent_id = i.respondent_id
		WHERE i.chamber IS NOT NULL AND i.created_at < ? GROUP BY i.chamber`
	until = until.UTC()
	if err := db.db.SelectContext(ctx, &rows, db.db.Rebind(q), until, until); err != nil {
		return nil, fmt.Errorf("count invitations: %w", err)
	}
	out := make(map[string]survey.Invited, len(rows))
	for _, r := range rows {
		out[r.Chamber] = r.Invited
	}
	return out, nil
}
