package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/survey"
)

// RespondentByIdentity returns the pseudonymous id of the respondent known
// by an identity, or ErrNotFound.
func (db *DB) RespondentByIdentity(ctx context.Context, who survey.Identity) (string, error) {
	var id string
	const q = `SELECT respondent_id FROM identities WHERE channel = ? AND external_id = ?`
	err := db.db.GetContext(ctx, &id, db.db.Rebind(q), who.Channel, who.External)
	if errors.Is(err, sql.ErrNoRows) {
		return "", survey.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("respondent by identity: %w", err)
	}
	return id, nil
}

// EnsureRespondent returns the respondent known by an identity, creating a
// new pseudonymous respondent if there is none. Two callers racing for the
// same new identity get the same respondent.
func (db *DB) EnsureRespondent(ctx context.Context, who survey.Identity) (string, error) {
	if id, err := db.RespondentByIdentity(ctx, who); !errors.Is(err, survey.ErrNotFound) {
		return id, err
	}
	id := newID()
	now := db.utcNow()
	created := false
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		const insR = `INSERT INTO respondents (id, created_at) VALUES (?, ?)`
		if _, err := tx.ExecContext(ctx, tx.Rebind(insR), id, now); err != nil {
			return fmt.Errorf("insert respondent: %w", err)
		}
		const insI = `INSERT INTO identities (channel, external_id, respondent_id, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (channel, external_id) DO NOTHING`
		res, err := tx.ExecContext(ctx, tx.Rebind(insI), who.Channel, who.External, id, now)
		if err != nil {
			return fmt.Errorf("insert identity: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("insert identity: %w", err)
		}
		if n == 0 {
			return errIdentityTaken
		}
		created = true
		return nil
	})
	if errors.Is(err, errIdentityTaken) || (err != nil && !created) {
		// Someone else created it meanwhile (or our insert lost a race).
		if existing, err2 := db.RespondentByIdentity(ctx, who); err2 == nil {
			return existing, nil
		}
	}
	if err != nil {
		return "", err
	}
	return id, nil
}

var errIdentityTaken = errors.New("identity taken")

// LinkIdentity adds another channel identity to a respondent, so that a
// response begun on one channel can be continued on another.
func (db *DB) LinkIdentity(ctx context.Context, respondentID string, who survey.Identity) error {
	const q = `INSERT INTO identities (channel, external_id, respondent_id, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (channel, external_id) DO UPDATE SET respondent_id = excluded.respondent_id`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(q), who.Channel, who.External, respondentID, db.utcNow()); err != nil {
		return fmt.Errorf("link identity: %w", err)
	}
	return nil
}

// EraseRespondent removes a respondent's identities, answers, invitations
// and the keys of their inputs. Scores of completed responses stay, cut
// loose from the respondent and with their times reduced to the day, so
// they count in the indicators but cannot be tied back. It returns what
// the caller must erase outside SQL: the live sessions of the responses,
// and what the channels keep of the identities.
func (db *DB) EraseRespondent(ctx context.Context, respondentID string) (survey.Erased, error) {
	var out survey.Erased
	optOutHash, err := db.optOutHasher(ctx)
	if err != nil {
		return out, err
	}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		out = survey.Erased{}
		var n int
		if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM respondents WHERE id = ?`), respondentID); err != nil {
			return fmt.Errorf("find respondent: %w", err)
		}
		if n == 0 {
			return survey.ErrNotFound
		}
		var rows []struct {
			ID          string       `db:"id"`
			Status      string       `db:"status"`
			StartedAt   time.Time    `db:"started_at"`
			ConsentedAt sql.NullTime `db:"consented_at"`
			CompletedAt sql.NullTime `db:"completed_at"`
			DeclinedAt  sql.NullTime `db:"declined_at"`
		}
		const list = `SELECT id, status, started_at, consented_at, completed_at, declined_at
			FROM responses WHERE respondent_id = ?`
		if err := tx.SelectContext(ctx, &rows, tx.Rebind(list), respondentID); err != nil {
			return fmt.Errorf("list responses: %w", err)
		}
		today := day(db.utcNow())
		for _, r := range rows {
			out.Responses = append(out.Responses, r.ID)
			if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM answers WHERE response_id = ?`), r.ID); err != nil {
				return fmt.Errorf("delete answers: %w", err)
			}
			// The keys of its inputs name the platform's update ids, with
			// exact times.
			if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM input_keys WHERE response_id = ?`), r.ID); err != nil {
				return fmt.Errorf("delete input keys: %w", err)
			}
			if r.Status != "completed" {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM scores WHERE response_id = ?`), r.ID); err != nil {
					return fmt.Errorf("delete scores: %w", err)
				}
			}
			const anon = `UPDATE responses SET
				respondent_id = NULL, status = 'erased', erased_at = ?,
				dim_chamber = NULL, dim_sector = NULL, dim_size = NULL, dim_region = NULL,
				started_channel = 'erased', consent_channel = NULL,
				started_at = ?, updated_at = ?, consented_at = ?, completed_at = ?, declined_at = ?
				WHERE id = ?`
			_, err := tx.ExecContext(ctx, tx.Rebind(anon), today, day(r.StartedAt), today,
				dayOrNull(r.ConsentedAt), dayOrNull(r.CompletedAt), dayOrNull(r.DeclinedAt), r.ID)
			if err != nil {
				return fmt.Errorf("anonymise response: %w", err)
			}
		}
		// Someone who had their data erased is not invited again: their
		// addresses go on the opt-out list (as hashes), and a chamber's
		// member record of them loses its consent to be contacted.
		const qi = `SELECT channel, external_id AS external FROM identities WHERE respondent_id = ? ORDER BY channel, external_id`
		if err := tx.SelectContext(ctx, &out.Identities, tx.Rebind(qi), respondentID); err != nil {
			return fmt.Errorf("read identities: %w", err)
		}
		for _, who := range out.Identities {
			if who.Channel != survey.Email {
				continue
			}
			if err := insertOptOut(ctx, tx, optOutHash(who.External), day(db.utcNow())); err != nil {
				return fmt.Errorf("opt out erased address: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE members SET consent = ? WHERE respondent_id = ?`), false, respondentID); err != nil {
			return fmt.Errorf("withdraw member consent: %w", err)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM identities WHERE respondent_id = ?`), respondentID); err != nil {
			return fmt.Errorf("delete identities: %w", err)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM respondents WHERE id = ?`), respondentID); err != nil {
			return fmt.Errorf("delete respondent: %w", err)
		}
		return nil
	})
	if err != nil {
		return survey.Erased{}, fmt.Errorf("erase respondent %s: %w", respondentID, err)
	}
	return out, nil
}

// day cuts a time down to its date, so an erased response's times no
// longer match any message log.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func dayOrNull(t sql.NullTime) sql.NullTime {
	if !t.Valid {
		return t
	}
	return sql.NullTime{Time: day(t.Time), Valid: true}
}
