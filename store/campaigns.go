package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	c.timezone, c.lang, c.personal, c.open_link, c.status, c.created_at, c.launched_at
	FROM campaigns c JOIN chambers ch ON ch.id = c.chamber_id`

func (r campaignRow) campaign() survey.Campaign {
	c := survey.Campaign{
		ID: r.ID, ChamberID: r.ChamberID, ChamberCode: r.ChamberCode.String, ChamberName: r.ChamberName, Name: r.Name,
		Questionnaire: dialogs.Ref{ID: r.QuestionnaireID, Version: r.QuestionnaireVersion},
		Channels:      channelList(r.Channels),
		StartsAt:      r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(),
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

// CreateCampaign stores a new campaign as a draft; the caller has
// validated it. It returns the campaign with its id.
func (db *DB) CreateCampaign(ctx context.Context, c survey.Campaign) (survey.Campaign, error) {
	c.ID = newID()
	c.Status = survey.CampaignDraft
	c.CreatedAt = db.utcNow()
	days := make([]string, len(c.Reminders))
	for i, d := range c.Reminders {
		days[i] = strconv.Itoa(d)
	}
	const ins = `INSERT INTO campaigns (id, chamber_id, name, questionnaire_id, questionnaire_version, channels, starts_at, ends_at,
		reminders, quiet_from, quiet_until, quiet_sunday, timezone, lang, personal, open_link, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	_, err := db.db.ExecContext(ctx, db.db.Rebind(ins), c.ID, c.ChamberID, c.Name, c.Questionnaire.ID, c.Questionnaire.Version,
		joinChannels(c.Channels), c.StartsAt.UTC(), c.EndsAt.UTC(), strings.Join(days, ","), c.QuietFrom, c.QuietUntil,
		c.QuietSunday, c.Timezone, string(c.Lang), c.Personal, nullString(c.OpenLink), string(c.Status), c.CreatedAt)
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
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
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
					WHERE t.channel = 'telegram' AND t.respondent_id = COALESCE(m.respondent_id, e.respondent_id)), '') AS telegram_chat
			FROM members m LEFT JOIN identities e ON e.channel = 'email' AND e.external_id = m.email
			WHERE m.chamber_id = ? AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.campaign_id = ? AND i.member_id = m.id)
			ORDER BY m.id`
		if err := tx.SelectContext(ctx, &members, tx.Rebind(sel), c.ChamberID, id); err != nil {
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
			if m.Email != "" && optedOut[addressHash(m.Email)] {
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
			invitations = append(invitations, []any{invID, HashKey(l.Key(invID)), rid, lang, string(fixed), c.ChamberCode,
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

// optOutSet reads the hashes of every address that asked for no more
// messages.
func optOutSet(ctx context.Context, tx *sqlx.Tx) (map[string]bool, error) {
	var hashes []string
	if err := tx.SelectContext(ctx, &hashes, `SELECT address_hash FROM optouts`); err != nil {
		return nil, fmt.Errorf("read opt-outs: %w", err)
	}
	set := make(map[string]bool, len(hashes))
	for _, h := range hashes {
		set[h] = true
	}
	return set, nil
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

// insertRows inserts rows: on PostgreSQL in one statement per table, the
// columns passed as arrays (unnest); on SQLite with multi-row INSERTs of as
// many rows as its parameter limit allows.
func insertRows(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if tx.DriverName() == "pgx" {
		return insertUnnest(ctx, tx, table, cols, rows)
	}
	per := max(1, 30000/len(cols))
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for len(rows) > 0 {
		n := min(per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(cols))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// insertUnnest inserts rows on PostgreSQL as one array per column. The
// values of a column are all strings (or NULL strings), bools, times or
// ints.
func insertUnnest(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any) error {
	args := make([]any, len(cols))
	casts := make([]string, len(cols))
	for c := range cols {
		switch rows[0][c].(type) {
		case bool:
			v := make([]bool, len(rows))
			for i, r := range rows {
				v[i] = r[c].(bool)
			}
			args[c], casts[c] = v, "boolean[]"
		case time.Time:
			v := make([]time.Time, len(rows))
			for i, r := range rows {
				v[i] = r[c].(time.Time)
			}
			args[c], casts[c] = v, "timestamp[]"
		case int:
			v := make([]int64, len(rows))
			for i, r := range rows {
				v[i] = int64(r[c].(int))
			}
			args[c], casts[c] = v, "bigint[]"
		default:
			v := make([]*string, len(rows))
			for i, r := range rows {
				switch x := r[c].(type) {
				case string:
					v[i] = &x
				case survey.Channel:
					str := string(x)
					v[i] = &str
				case sql.NullString:
					if x.Valid {
						v[i] = &x.String
					}
				case nil:
				default:
					return fmt.Errorf("insert %s: column %s: unexpected %T", table, cols[c], x)
				}
			}
			args[c], casts[c] = v, "text[]"
		}
	}
	params := make([]string, len(cols))
	for c := range cols {
		params[c] = fmt.Sprintf("$%d::%s", c+1, casts[c])
	}
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") SELECT * FROM unnest(" + strings.Join(params, ", ") + ")"
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("insert %s: %w", table, err)
	}
	return nil
}

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
				AND p.questionnaire_id = ? AND p.questionnaire_version = ?)
			ORDER BY i.id`
		if err := tx.SelectContext(ctx, &due, tx.Rebind(sel), sentBefore.UTC(), campaignID, kind, c.Questionnaire.ID, c.Questionnaire.Version); err != nil {
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
	const qt = `SELECT COALESCE(MIN(external_id), '') FROM identities WHERE channel = 'telegram' AND respondent_id = ?`
	if err := db.db.GetContext(ctx, &o.TelegramChat, db.db.Rebind(qt), r.RespondentID); err != nil {
		return Outgoing{}, fmt.Errorf("read telegram chat: %w", err)
	}
	var done int
	const qc = `SELECT COUNT(*) FROM responses WHERE respondent_id = ? AND status = 'completed' AND questionnaire_id = ? AND questionnaire_version = ?`
	if err := db.db.GetContext(ctx, &done, db.db.Rebind(qc), r.RespondentID, o.Campaign.Questionnaire.ID, o.Campaign.Questionnaire.Version); err != nil {
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
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(q), db.utcNow(), HashKey(key)); err != nil {
		return fmt.Errorf("mark invitation opened: %w", err)
	}
	return nil
}

// CampaignStats counts a campaign's invitations and messages: per channel
// queued, sent, failed, skipped, opened (web), started and completed; per
// day the messages sent and the responses completed; and the reasons of
// failed and skipped messages. A respondent counts as started or completed
// with any response to the campaign's questionnaire.
func (db *DB) CampaignStats(ctx context.Context, id string) (survey.CampaignStats, error) {
	c, err := db.Campaign(ctx, id)
	if err != nil {
		return survey.CampaignStats{}, err
	}
	st := survey.CampaignStats{Campaign: c, ByChannel: []survey.ChannelStats{}, ByDay: []survey.DayStats{}, Reasons: []survey.Reason{}}
	const byChannel = `SELECT m.channel,
			COUNT(*) AS invited,
			SUM(CASE WHEN m.status = 'queued' THEN 1 ELSE 0 END) AS queued,
			SUM(CASE WHEN m.status = 'sending' THEN 1 ELSE 0 END) AS sending,
			SUM(CASE WHEN m.status = 'sent' THEN 1 ELSE 0 END) AS sent,
			SUM(CASE WHEN m.status = 'failed' THEN 1 ELSE 0 END) AS failed,
			SUM(CASE WHEN m.status = 'skipped' THEN 1 ELSE 0 END) AS skipped,
			SUM(CASE WHEN i.opened_at IS NOT NULL THEN 1 ELSE 0 END) AS opened,
			SUM(CASE WHEN EXISTS (SELECT 1 FROM responses p WHERE p.respondent_id = i.respondent_id AND p.status <> 'erased'
				AND p.questionnaire_id = ? AND p.questionnaire_version = ?) THEN 1 ELSE 0 END) AS started,
			SUM(CASE WHEN EXISTS (SELECT 1 FROM responses p WHERE p.respondent_id = i.respondent_id AND p.status = 'completed'
				AND p.questionnaire_id = ? AND p.questionnaire_version = ?) THEN 1 ELSE 0 END) AS completed,
			SUM((SELECT COUNT(*) FROM campaign_messages r WHERE r.invitation_id = i.id AND r.kind <> 'invitation' AND r.status = 'sent')) AS reminders
		FROM campaign_messages m JOIN invitations i ON i.id = m.invitation_id
		WHERE m.campaign_id = ? AND m.kind = 'invitation' GROUP BY m.channel ORDER BY m.channel`
	q := c.Questionnaire
	if err := db.db.SelectContext(ctx, &st.ByChannel, db.db.Rebind(byChannel), q.ID, q.Version, q.ID, q.Version, id); err != nil {
		return survey.CampaignStats{}, fmt.Errorf("count campaign by channel: %w", err)
	}
	st.Total.Channel = "all"
	for _, s := range st.ByChannel {
		t := &st.Total
		t.Invited += s.Invited
		t.Queued += s.Queued
		t.Sending += s.Sending
		t.Sent += s.Sent
		t.Failed += s.Failed
		t.Skipped += s.Skipped
		t.Opened += s.Opened
		t.Started += s.Started
		t.Completed += s.Completed
		t.Reminders += s.Reminders
	}
	var sent, completed []struct {
		Day string `db:"day"`
		N   int    `db:"n"`
	}
	const sentByDay = `SELECT CAST(date(sent_at) AS TEXT) AS day, COUNT(*) AS n FROM campaign_messages
		WHERE campaign_id = ? AND status = 'sent' GROUP BY CAST(date(sent_at) AS TEXT)`
	if err := db.db.SelectContext(ctx, &sent, db.db.Rebind(sentByDay), id); err != nil {
		return survey.CampaignStats{}, fmt.Errorf("count sends by day: %w", err)
	}
	const completedByDay = `SELECT CAST(date(p.completed_at) AS TEXT) AS day, COUNT(DISTINCT i.id) AS n
		FROM invitations i JOIN responses p ON p.respondent_id = i.respondent_id AND p.status = 'completed'
			AND p.questionnaire_id = ? AND p.questionnaire_version = ?
		WHERE i.campaign_id = ? GROUP BY CAST(date(p.completed_at) AS TEXT)`
	if err := db.db.SelectContext(ctx, &completed, db.db.Rebind(completedByDay), q.ID, q.Version, id); err != nil {
		return survey.CampaignStats{}, fmt.Errorf("count completions by day: %w", err)
	}
	days := map[string]*survey.DayStats{}
	day := func(d string) *survey.DayStats {
		if days[d] == nil {
			days[d] = &survey.DayStats{Day: d}
		}
		return days[d]
	}
	for _, s := range sent {
		day(s.Day).Sent = s.N
	}
	for _, s := range completed {
		day(s.Day).Completed = s.N
	}
	for _, d := range days {
		st.ByDay = append(st.ByDay, *d)
	}
	slices.SortFunc(st.ByDay, func(a, b survey.DayStats) int { return strings.Compare(a.Day, b.Day) })
	const reasons = `SELECT status, reason, COUNT(*) AS n FROM campaign_messages
		WHERE campaign_id = ? AND status IN ('failed', 'skipped') GROUP BY status, reason ORDER BY COUNT(*) DESC, reason`
	if err := db.db.SelectContext(ctx, &st.Reasons, db.db.Rebind(reasons), id); err != nil {
		return survey.CampaignStats{}, fmt.Errorf("count failure reasons: %w", err)
	}
	return st, nil
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
