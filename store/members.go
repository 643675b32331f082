package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Member is a chamber's contact: a company and how to reach it.
type Member struct {
	ID          string `db:"id" json:"id"`
	MemberNo    string `db:"member_no" json:"member_no,omitempty"`
	Company     string `db:"company" json:"company"`
	ContactName string `db:"contact_name" json:"contact_name,omitempty"`
	Email       string `db:"email" json:"email,omitempty"`
	Telegram    bool   `db:"telegram" json:"telegram"`
	Slack       string `db:"slack" json:"slack,omitempty"`
	Sector      string `db:"sector" json:"sector,omitempty"`
	SizeBand    string `db:"size_band" json:"size_band,omitempty"`
	District    string `db:"district" json:"district,omitempty"`
	Lang        string `db:"lang" json:"lang"`
	Consent     bool   `db:"consent" json:"consent"`
}

// ImportResult says what an import did.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// ErrDuplicateMember is returned when two rows of one import name the same
// member (the same e-mail address or member number).
var ErrDuplicateMember = errors.New("duplicate member")

// ImportMembers adds a chamber's members or updates those it has: a row
// is the member with the same member number, else the same e-mail address,
// else the same Slack user, else a new member. A row whose number, address
// or Slack user belongs to another member is ErrDuplicateMember. Everything
// is written in one transaction.
func (db *DB) ImportMembers(ctx context.Context, chamberID string, ms []Member) (ImportResult, error) {
	var res ImportResult
	now := db.utcNow()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var existing []struct {
			ID       string         `db:"id"`
			MemberNo sql.NullString `db:"member_no"`
			Email    sql.NullString `db:"email"`
			Slack    sql.NullString `db:"slack"`
		}
		const sel = `SELECT id, member_no, email, slack FROM members WHERE chamber_id = ?`
		if err := tx.SelectContext(ctx, &existing, tx.Rebind(sel), chamberID); err != nil {
			return fmt.Errorf("read members: %w", err)
		}
		// A row is the member with its number, else its e-mail address,
		// else its Slack user.
		byNo, byEmail, bySlack := map[string]string{}, map[string]string{}, map[string]string{}
		keys := map[string][3]string{} // id: its number, address and Slack user
		index := func(id string, k [3]string) {
			old := keys[id]
			for i, m := range []map[string]string{byNo, byEmail, bySlack} {
				if old[i] != "" && m[old[i]] == id {
					delete(m, old[i])
				}
				if k[i] != "" {
					m[k[i]] = id
				}
			}
			keys[id] = k
		}
		for _, e := range existing {
			index(e.ID, [3]string{e.MemberNo.String, e.Email.String, e.Slack.String})
		}
		seen := map[string]bool{}
		const upd = `UPDATE members SET member_no = ?, company = ?, contact_name = ?, email = ?, telegram = ?, slack = ?,
			sector = ?, size_band = ?, district = ?, lang = ?, consent = ?, updated_at = ? WHERE id = ?`
		var added [][]any
		for _, m := range ms {
			m.Email = strings.ToLower(strings.TrimSpace(m.Email))
			k := [3]string{m.MemberNo, m.Email, m.Slack}
			id := ""
			for i, byKey := range []map[string]string{byNo, byEmail, bySlack} {
				if id == "" && k[i] != "" {
					id = byKey[k[i]]
				}
			}
			for i, byKey := range []map[string]string{byNo, byEmail, bySlack} {
				if other := byKey[k[i]]; k[i] != "" && other != "" && other != id {
					what := []string{"member number", "e-mail address", "Slack user"}[i]
					return fmt.Errorf("%s: %w: the %s %s belongs to another member", m.Company, ErrDuplicateMember, what, k[i])
				}
			}
			args := []any{nullString(m.MemberNo), m.Company, m.ContactName, nullString(m.Email), m.Telegram, nullString(m.Slack),
				m.Sector, m.SizeBand, m.District, m.Lang, m.Consent, now}
			if id != "" {
				if seen[id] {
					return fmt.Errorf("%s: %w: the same member as an earlier row", m.Company, ErrDuplicateMember)
				}
				if _, err := tx.ExecContext(ctx, tx.Rebind(upd), append(args, id)...); err != nil {
					return fmt.Errorf("update member %s: %w", m.Company, err)
				}
				res.Updated++
			} else {
				id = newID()
				added = append(added, append(args, id, chamberID, now))
				res.Created++
			}
			seen[id] = true
			index(id, k)
		}
		cols := []string{"member_no", "company", "contact_name", "email", "telegram", "slack",
			"sector", "size_band", "district", "lang", "consent", "updated_at", "id", "chamber_id", "created_at"}
		return insertRows(ctx, tx, "members", cols, added)
	})
	return res, err
}

// Members lists a chamber's members by company.
func (db *DB) Members(ctx context.Context, chamberID string) ([]Member, error) {
	var rows []struct {
		Member
		MemberNo sql.NullString `db:"member_no"`
		Email    sql.NullString `db:"email"`
		Slack    sql.NullString `db:"slack"`
	}
	const q = `SELECT id, member_no, company, contact_name, email, telegram, slack, sector, size_band, district, lang, consent
		FROM members WHERE chamber_id = ? ORDER BY company, id`
	if err := db.db.SelectContext(ctx, &rows, db.db.Rebind(q), chamberID); err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	out := make([]Member, len(rows))
	for i, r := range rows {
		out[i] = r.Member
		out[i].MemberNo, out[i].Email, out[i].Slack = r.MemberNo.String, r.Email.String, r.Slack.String
	}
	return out, nil
}

// ChamberByCode returns the chamber with an answer code, or ErrNotFound.
func (db *DB) ChamberByCode(ctx context.Context, code string) (Chamber, error) {
	var c Chamber
	err := db.db.GetContext(ctx, &c, db.db.Rebind(`SELECT id, code, name FROM chambers WHERE code = ?`), code)
	if errors.Is(err, sql.ErrNoRows) {
		return Chamber{}, ErrNotFound
	}
	if err != nil {
		return Chamber{}, fmt.Errorf("read chamber: %w", err)
	}
	return c, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
