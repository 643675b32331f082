package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/survey"
)

// QueuedMessage is a message waiting for a send job.
type QueuedMessage struct {
	ID      string
	Channel survey.Channel
}

// Enqueue adds the send jobs of messages in the transaction that created
// them, so a message exists exactly when its job does.
type Enqueue func(ctx context.Context, tx *sql.Tx, msgs []QueuedMessage) error

// Launch is how LaunchCampaign creates invitations.
type Launch struct {
	// Key returns the key of an invitation from its id; only its hash is
	// stored. It is derived, not random, so that a reminder can carry the
	// same link without the key being kept.
	Key func(invitationID string) string
	// Channel picks the channel a member is invited on, "" for none.
	Channel func(survey.Reach) survey.Channel
	Enqueue Enqueue
}

// LaunchCampaign invites every member of the campaign's chamber who
// agreed to be contacted and is not invited yet: in one transaction it
// creates their respondents (or reuses those of earlier invitations),
// the invitations, one queued message each on the first channel the
// member can be reached on, and the send jobs (l.Enqueue). A draft or
// running campaign can be launched; launching again invites members
// added since.
func (db *DB) LaunchCampaign(ctx context.Context, id string, l Launch) (survey.LaunchResult, error) {
	res := survey.LaunchResult{ByChannel: map[survey.Channel]int{}}
	optOutHash, err := db.optOutHasher(ctx)
	if err != nil {
		return res, err
	}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		res = survey.LaunchResult{ByChannel: map[survey.Channel]int{}}
		c, err := getCampaign(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := setStatus(ctx, tx, id, survey.CampaignRunning, survey.CampaignDraft, survey.CampaignRunning); err != nil {
			return err
		}
		now := db.utcNow()
		if !now.Before(c.EndsAt) {
			return fmt.Errorf("campaign ended %s: %w", c.EndsAt.Format(time.DateOnly), survey.ErrCampaignState)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE campaigns SET launched_at = COALESCE(launched_at, ?) WHERE id = ?`), now, id); err != nil {
			return fmt.Errorf("mark launched: %w", err)
		}
		if !c.Personal {
			return nil
		}
		var members []struct {
			ID           string `db:"id"`
			Email        string `db:"email"`
			Telegram     bool   `db:"telegram"`
			Slack        string `db:"slack"`
			Lang         string `db:"lang"`
			Consent      bool   `db:"consent"`
			Member       string `db:"member_respondent"`
			ByEmail      string `db:"email_respondent"`
			TelegramChat string `db:"telegram_chat"`
		}
		const sel = `SELECT m.id, COALESCE(m.email, '') AS email, m.telegram, COALESCE(m.slack, '') AS slack, m.lang, m.consent,
				COALESCE(m.respondent_id, '') AS member_respondent, COALESCE(e.respondent_id, '') AS email_respondent,
				COALESCE((SELECT MIN(t.external_id) FROM identities t
					WHERE t.channel = ? AND t.respondent_id = COALESCE(m.respondent_id, e.respondent_id)), '') AS telegram_chat
			FROM members m LEFT JOIN identities e ON e.channel = ? AND e.external_id = m.email
			WHERE m.chamber_id = ? AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.campaign_id = ? AND i.member_id = m.id)
			ORDER BY m.id`
		if err := tx.SelectContext(ctx, &members, tx.Rebind(sel), survey.Telegram, survey.Email, c.ChamberID, id); err != nil {
			return fmt.Errorf("read members: %w", err)
		}
		optedOut, err := optOutSet(ctx, tx)
		if err != nil {
			return err
		}
		fixed, _ := json.Marshal(map[string]string{"chamber": c.ChamberCode})
		ids := newSeqIDs(now)
		var respondents, identities, invitations, messages, links [][]any
		var queued []QueuedMessage
		for _, m := range members {
			if !m.Consent {
				res.NoConsent++
				continue
			}
			if m.Email != "" && optedOut[optOutHash(m.Email)] {
				res.OptedOut++
				continue
			}
			ch := l.Channel(survey.Reach{Email: m.Email, Telegram: m.Telegram, TelegramChat: m.TelegramChat, Slack: m.Slack})
			if ch == "" {
				res.Unreachable++
				continue
			}
			rid := m.Member
			if rid == "" {
				rid = m.ByEmail
			}
			if rid == "" {
				rid = newID()
				respondents = append(respondents, []any{rid, now})
			}
			if m.Email != "" && m.ByEmail == "" {
				// The address becomes the respondent's, so an unsubscribe,
				// an erasure by address and the next launch find them.
				identities = append(identities, []any{survey.Email, m.Email, rid, now})
			}
			if rid != m.Member && m.Email == "" {
				// A member with an address is found by it next time; one
				// without (Slack only) keeps their respondent on the row.
				links = append(links, []any{m.ID, rid})
			}
			lang := m.Lang
			if lang == "" {
				lang = string(c.Lang)
			}
			invID, msgID := ids.next(), ids.next()
			invitations = append(invitations, []any{invID, survey.HashKey(l.Key(invID)), rid, lang, string(fixed), c.ChamberCode,
				c.EndsAt, now, c.ID, m.ID})
			messages = append(messages, []any{msgID, c.ID, invID, "invitation", ch, "queued", now, now})
			queued = append(queued, QueuedMessage{ID: msgID, Channel: ch})
			res.Invited++
			res.ByChannel[ch]++
		}
		steps := []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"respondents", []string{"id", "created_at"}, respondents}, // the chamber is the invitation's
			{"identities", []string{"channel", "external_id", "respondent_id", "created_at"}, identities},
			{"invitations", []string{"id", "key_hash", "respondent_id", "lang", "fixed", "chamber", "expires_at", "created_at", "campaign_id", "member_id"}, invitations},
			{"campaign_messages", []string{"id", "campaign_id", "invitation_id", "kind", "channel", "status", "queued_at", "updated_at"}, messages},
		}
		for _, s := range steps {
			if err := insertRows(ctx, tx, s.table, s.cols, s.rows); err != nil {
				return err
			}
		}
		if err := linkMembers(ctx, tx, links); err != nil {
			return err
		}
		if len(queued) > 0 {
			return l.Enqueue(ctx, tx.Tx, queued)
		}
		return nil
	})
	return res, err
}

// seqIDs makes ids for the rows of one launch that sort in the order they
// are made (the time, a counter, then random bits, in order-preserving
// base32hex), so their index entries are appended rather than scattered
// over the index: a launch of 100,000 writes far fewer pages. Only for
// invitations and messages, whose creation time is in the row anyway;
// respondents and responses keep random ids, which tell nothing.
type seqIDs struct {
	prefix [6]byte
	n      uint32
}

func newSeqIDs(t time.Time) *seqIDs {
	var s seqIDs
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		s.prefix[i] = byte(ms >> (8 * (5 - i)))
	}
	return &s
}

func (s *seqIDs) next() string {
	var b [16]byte
	copy(b[:6], s.prefix[:])
	binary.BigEndian.PutUint32(b[6:10], s.n)
	s.n++
	_, _ = rand.Read(b[10:])
	return strings.ToLower(base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// linkMembers records the respondent of each member (pairs of member id
// and respondent id).
func linkMembers(ctx context.Context, tx *sqlx.Tx, pairs [][]any) error {
	if len(pairs) == 0 {
		return nil
	}
	if tx.DriverName() == "pgx" {
		ids, rids := make([]string, len(pairs)), make([]string, len(pairs))
		for i, p := range pairs {
			ids[i], rids[i] = p[0].(string), p[1].(string)
		}
		const q = `UPDATE members SET respondent_id = v.r FROM unnest($1::text[], $2::text[]) AS v(id, r) WHERE members.id = v.id`
		if _, err := tx.ExecContext(ctx, q, ids, rids); err != nil {
			return fmt.Errorf("link members to respondents: %w", err)
		}
		return nil
	}
	const per = 500
	for len(pairs) > 0 {
		n := min(per, len(pairs))
		var b strings.Builder
		args := make([]any, 0, 2*n)
		b.WriteString(`UPDATE members SET respondent_id = v.column2 FROM (VALUES `)
		for i, p := range pairs[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?)")
			args = append(args, p...)
		}
		b.WriteString(`) AS v WHERE members.id = v.column1`)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("link members to respondents: %w", err)
		}
		pairs = pairs[n:]
	}
	return nil
}
