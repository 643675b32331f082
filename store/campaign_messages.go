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

// QueueReminders queues a reminder of the given kind (such as
// "reminder-7") for every invitation of a campaign whose invitation went
// out before sentBefore, whose respondent has not completed the
// campaign's questionnaire and who has no message of that kind yet. The
// reminder goes on the invitation's channel. It returns how many were
// queued; running it again queues no second reminder of a kind.
func (db *DB) QueueReminders(ctx context.Context, campaignID, kind string, sentBefore time.Time, enqueue Enqueue) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := getCampaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		if c.Status != survey.CampaignRunning {
			return fmt.Errorf("campaign is %s: %w", c.Status, survey.ErrCampaignState)
		}
		var due []struct {
			Invitation string         `db:"invitation_id"`
			Channel    survey.Channel `db:"channel"`
		}
		const sel = `SELECT i.id AS invitation_id, m.channel FROM invitations i
			JOIN campaign_messages m ON m.invitation_id = i.id AND m.kind = 'invitation' AND m.status = 'sent' AND m.sent_at < ?
			WHERE i.campaign_id = ?
			AND NOT EXISTS (SELECT 1 FROM campaign_messages r WHERE r.invitation_id = i.id AND r.kind = ?)
			AND NOT EXISTS (SELECT 1 FROM responses p WHERE p.respondent_id = i.respondent_id AND p.status = 'completed'
				AND p.wave_id = ?)
			ORDER BY i.id`
		if err := tx.SelectContext(ctx, &due, tx.Rebind(sel), sentBefore.UTC(), campaignID, kind, c.WaveID); err != nil {
			return fmt.Errorf("find invitations to remind: %w", err)
		}
		now := db.utcNow()
		ids := newSeqIDs(now)
		rows := make([][]any, len(due))
		queued := make([]QueuedMessage, len(due))
		for i, d := range due {
			id := ids.next()
			rows[i] = []any{id, campaignID, d.Invitation, kind, d.Channel, "queued", now, now}
			queued[i] = QueuedMessage{ID: id, Channel: d.Channel}
		}
		cols := []string{"id", "campaign_id", "invitation_id", "kind", "channel", "status", "queued_at", "updated_at"}
		if err := insertRows(ctx, tx, "campaign_messages", cols, rows); err != nil {
			return err
		}
		n = len(queued)
		if n == 0 {
			return nil
		}
		return enqueue(ctx, tx.Tx, queued)
	})
	return n, err
}

// queuedMessages returns a campaign's messages still waiting to be sent.
func queuedMessages(ctx context.Context, q sqlx.ExtContext, campaignID string) ([]QueuedMessage, error) {
	var rows []struct {
		ID      string         `db:"id"`
		Channel survey.Channel `db:"channel"`
	}
	const sel = `SELECT id, channel FROM campaign_messages WHERE campaign_id = ? AND status = 'queued' ORDER BY queued_at, id`
	if err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(sel), campaignID); err != nil {
		return nil, fmt.Errorf("read queued messages: %w", err)
	}
	out := make([]QueuedMessage, len(rows))
	for i, r := range rows {
		out[i] = QueuedMessage(r)
	}
	return out, nil
}

// ResumeCampaign sets a paused campaign running again and queues the send
// jobs of its waiting messages in the same transaction.
func (db *DB) ResumeCampaign(ctx context.Context, id string, enqueue Enqueue) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := setStatus(ctx, tx, id, survey.CampaignRunning, survey.CampaignPaused); err != nil {
			return err
		}
		rows, err := queuedMessages(ctx, tx, id)
		if err != nil {
			return err
		}
		n = len(rows)
		if n == 0 {
			return nil
		}
		return enqueue(ctx, tx.Tx, rows)
	})
	return n, err
}

// Outgoing is everything a send job needs to know about one message.
type Outgoing struct {
	MessageID    string
	Kind         string // invitation, reminder-…
	Channel      survey.Channel
	Status       string // queued, sending, sent, failed, skipped
	InvitationID string
	ExpiresAt    time.Time
	Lang         dialogs.Lang
	Campaign     survey.Campaign
	Member       survey.Member
	TelegramChat string // the chat of the member's respondent, if known
	OptedOut     bool   // the member's address is on the opt-out list
	Completed    bool   // the respondent completed the questionnaire
}

// OutgoingMessage reads a message for its send job, or ErrNotFound if it
// is gone (its respondent was erased).
func (db *DB) OutgoingMessage(ctx context.Context, id string) (Outgoing, error) {
	var r struct {
		ID           string         `db:"id"`
		Kind         string         `db:"kind"`
		Channel      survey.Channel `db:"channel"`
		Status       string         `db:"status"`
		CampaignID   string         `db:"campaign_id"`
		InvitationID string         `db:"invitation_id"`
		ExpiresAt    time.Time      `db:"expires_at"`
		Lang         string         `db:"lang"`
		RespondentID string         `db:"respondent_id"`
		MemberID     sql.NullString `db:"member_id"`
	}
	const q = `SELECT m.id, m.kind, m.channel, m.status, m.campaign_id, m.invitation_id, i.expires_at, i.lang, i.respondent_id, i.member_id
		FROM campaign_messages m JOIN invitations i ON i.id = m.invitation_id WHERE m.id = ?`
	err := db.db.GetContext(ctx, &r, db.db.Rebind(q), id)
	if errors.Is(err, sql.ErrNoRows) {
		return Outgoing{}, survey.ErrNotFound
	}
	if err != nil {
		return Outgoing{}, fmt.Errorf("read message: %w", err)
	}
	o := Outgoing{MessageID: r.ID, Kind: r.Kind, Channel: r.Channel, Status: r.Status, InvitationID: r.InvitationID,
		ExpiresAt: r.ExpiresAt.UTC(), Lang: dialogs.Lang(r.Lang)}
	if o.Campaign, err = db.Campaign(ctx, r.CampaignID); err != nil {
		return Outgoing{}, err
	}
	if r.MemberID.Valid {
		err := db.db.GetContext(ctx, &o.Member, db.db.Rebind(memberSelect+` WHERE id = ?`), r.MemberID.String)
		if err != nil && !errors.Is(err, sql.ErrNoRows) { // a member removed: no consent, skipped
			return Outgoing{}, fmt.Errorf("read member: %w", err)
		}
	}
	if o.Member.Email != "" {
		if o.OptedOut, err = db.OptedOut(ctx, o.Member.Email); err != nil {
			return Outgoing{}, err
		}
	}
	const qt = `SELECT COALESCE(MIN(external_id), '') FROM identities WHERE channel = ? AND respondent_id = ?`
	if err := db.db.GetContext(ctx, &o.TelegramChat, db.db.Rebind(qt), survey.Telegram, r.RespondentID); err != nil {
		return Outgoing{}, fmt.Errorf("read telegram chat: %w", err)
	}
	var done int
	const qc = `SELECT COUNT(*) FROM responses WHERE respondent_id = ? AND status = 'completed' AND wave_id = ?`
	if err := db.db.GetContext(ctx, &done, db.db.Rebind(qc), r.RespondentID, o.Campaign.WaveID); err != nil {
		return Outgoing{}, fmt.Errorf("read completion: %w", err)
	}
	o.Completed = done > 0
	return o, nil
}

// ClaimMessage marks a queued message as being sent, before the platform
// is called. It reports false if the message is not queued (any more):
// another worker has it, or it was sent, skipped or failed. A message left
// "sending" by a worker that died is never claimed again, so no member
// gets a message twice.
func (db *DB) ClaimMessage(ctx context.Context, id string) (bool, error) {
	const q = `UPDATE campaign_messages SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'queued'`
	res, err := db.db.ExecContext(ctx, db.db.Rebind(q), db.utcNow(), id)
	if err != nil {
		return false, fmt.Errorf("claim message: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim message: %w", err)
	}
	return n == 1, nil
}

// ReleaseMessage puts a claimed message back in the queue after the
// platform said for sure it did not take it (a 429, a refused connection).
func (db *DB) ReleaseMessage(ctx context.Context, id string) error {
	const q = `UPDATE campaign_messages SET status = 'queued', updated_at = ? WHERE id = ? AND status = 'sending'`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(q), db.utcNow(), id); err != nil {
		return fmt.Errorf("release message: %w", err)
	}
	return nil
}

// FinishMessage records what became of a message: sent, failed or
// skipped, with a reason for the last two. Only a queued or claimed
// message changes.
func (db *DB) FinishMessage(ctx context.Context, id, status, reason string) error {
	now := db.utcNow()
	var sent sql.NullTime
	if status == "sent" {
		sent = sql.NullTime{Time: now, Valid: true}
	}
	const q = `UPDATE campaign_messages SET status = ?, reason = ?, sent_at = ?, updated_at = ?
		WHERE id = ? AND status IN ('queued', 'sending')`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(q), status, reason, sent, now, id); err != nil {
		return fmt.Errorf("record message %s: %w", status, err)
	}
	return nil
}

// MarkOpened records the first time a personal link was opened.
func (db *DB) MarkOpened(ctx context.Context, key string) error {
	const q = `UPDATE invitations SET opened_at = ? WHERE key_hash = ? AND opened_at IS NULL AND campaign_id IS NOT NULL`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(q), db.utcNow(), survey.HashKey(key)); err != nil {
		return fmt.Errorf("mark invitation opened: %w", err)
	}
	return nil
}
