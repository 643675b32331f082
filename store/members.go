package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/survey"
)

// ErrDuplicateMember is returned when two rows of one import name the same
// member (the same e-mail address or member number).
var ErrDuplicateMember = errors.New("duplicate member")

// ImportMembers adds a chamber's members or updates those it has: a row
// is the member with the same member number, else the same e-mail address,
// else the same Slack user, else a new member. fields are the columns the
// list has (memberColumns' names; none: all): an update writes only those,
// a new member gets the zero value of the others. A row whose number,
// address or Slack user belongs to another member is ErrDuplicateMember.
// Everything is written in one transaction; imports into one chamber
// take turns.
func (db *DB) ImportMembers(ctx context.Context, chamberID string, ms []survey.Member, fields ...string) (survey.ImportResult, error) {
	var res survey.ImportResult
	now := db.utcNow()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		// Imports into one chamber take turns, so that the same list sent
		// twice at once updates the members the first one added instead
		// of adding them again (a unique violation). SQLite's writers
		// take turns anyway (BEGIN IMMEDIATE); on PostgreSQL the lock on
		// the chamber's row does it, and as it is NO KEY it does not hold
		// up rows of other tables that refer to the chamber.
		if db.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT id FROM chambers WHERE id = $1 FOR NO KEY UPDATE`, chamberID); err != nil {
				return fmt.Errorf("lock chamber: %w", err)
			}
		}
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
		cols := memberColumns()
		if len(fields) > 0 {
			cols = slices.DeleteFunc(cols, func(c string) bool { return !slices.Contains(fields, c) })
		}
		upd := `UPDATE members SET ` + strings.Join(cols, " = ?, ") + ` = ?, updated_at = ? WHERE id = ?`
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
			if id != "" {
				if seen[id] {
					return fmt.Errorf("%s: %w: the same member as an earlier row", m.Company, ErrDuplicateMember)
				}
				// Only the columns the list has: a list without, say, the
				// consent column leaves every member's consent as it was.
				args := make([]any, 0, len(cols)+2)
				for _, c := range cols {
					args = append(args, memberValue(m, c))
				}
				if _, err := tx.ExecContext(ctx, tx.Rebind(upd), append(args, now, id)...); err != nil {
					return fmt.Errorf("update member %s: %w", m.Company, err)
				}
				for i, c := range []string{"member_no", "email", "slack"} {
					if !slices.Contains(cols, c) {
						k[i] = keys[id][i] // kept as it was
					}
				}
				res.Updated++
			} else {
				id = newID()
				var args []any
				for _, c := range memberColumns() {
					args = append(args, memberValue(m, c))
				}
				added = append(added, append(args, now, id, chamberID, now))
				res.Created++
			}
			seen[id] = true
			index(id, k)
		}
		return insertRows(ctx, tx, "members", append(memberColumns(), "updated_at", "id", "chamber_id", "created_at"), added)
	})
	return res, err
}

// memberColumns are the columns of a member a list can have.
func memberColumns() []string {
	return []string{"member_no", "company", "contact_name", "email", "telegram", "slack",
		"sector", "size_band", "district", "lang", "consent"}
}

// memberValue is the value of one of memberColumns.
func memberValue(m survey.Member, col string) any {
	switch col {
	case "member_no":
		return nullString(m.MemberNo)
	case "company":
		return m.Company
	case "contact_name":
		return m.ContactName
	case "email":
		return nullString(m.Email)
	case "telegram":
		return m.Telegram
	case "slack":
		return nullString(m.Slack)
	case "sector":
		return m.Sector
	case "size_band":
		return m.SizeBand
	case "district":
		return m.District
	case "lang":
		return m.Lang
	case "consent":
		return m.Consent
	}
	panic("memberValue: unknown column " + col)
}

// memberSelect reads members straight into Member: the columns that may be
// NULL come back as "".
const memberSelect = `SELECT id, COALESCE(member_no, '') AS member_no, company, contact_name, COALESCE(email, '') AS email,
	telegram, COALESCE(slack, '') AS slack, sector, size_band, district, lang, consent FROM members`

// Members lists a chamber's members by company.
func (db *DB) Members(ctx context.Context, chamberID string) ([]survey.Member, error) {
	out := []survey.Member{}
	if err := db.db.SelectContext(ctx, &out, db.db.Rebind(memberSelect+` WHERE chamber_id = ? ORDER BY company, id`), chamberID); err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return out, nil
}

// ChamberByCode returns the chamber with an answer code, or ErrNotFound.
func (db *DB) ChamberByCode(ctx context.Context, code string) (survey.Chamber, error) {
	return chamberByCode(ctx, db.db, code)
}

// chamberByCode is ChamberByCode inside a transaction or out of one.
func chamberByCode(ctx context.Context, q sqlx.ExtContext, code string) (survey.Chamber, error) {
	var c survey.Chamber
	err := sqlx.GetContext(ctx, q, &c, q.Rebind(`SELECT id, code, name FROM chambers WHERE code = ?`), code)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Chamber{}, survey.ErrNotFound
	}
	if err != nil {
		return survey.Chamber{}, fmt.Errorf("read chamber: %w", err)
	}
	return c, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
