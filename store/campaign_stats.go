package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/surveybot/surveybot/survey"
)

// CampaignStats counts a campaign's invitations and messages: per channel
// queued, sent, failed, skipped, opened (web), started and completed; per
// day the messages sent and the responses completed; and the reasons of
// failed and skipped messages. Only the campaign's own invitations count,
// and of the responses only those in the campaign's wave: opened (a web
// link followed), consented (consent given) and completed are counted
// apart, so a firm that answered an earlier wave is not counted again.
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
			SUM(CASE WHEN EXISTS (SELECT 1 FROM responses p WHERE p.respondent_id = i.respondent_id AND p.wave_id = ?
				AND p.consented_at IS NOT NULL AND p.status <> 'erased') THEN 1 ELSE 0 END) AS consented,
			SUM(CASE WHEN EXISTS (SELECT 1 FROM responses p WHERE p.respondent_id = i.respondent_id AND p.wave_id = ?
				AND p.status = 'completed') THEN 1 ELSE 0 END) AS completed,
			SUM((SELECT COUNT(*) FROM campaign_messages r WHERE r.invitation_id = i.id AND r.kind <> 'invitation' AND r.status = 'sent')) AS reminders
		FROM campaign_messages m JOIN invitations i ON i.id = m.invitation_id
		WHERE m.campaign_id = ? AND m.kind = 'invitation' GROUP BY m.channel ORDER BY m.channel`
	if err := db.db.SelectContext(ctx, &st.ByChannel, db.db.Rebind(byChannel), c.WaveID, c.WaveID, id); err != nil {
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
		t.Consented += s.Consented
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
		FROM invitations i JOIN responses p ON p.respondent_id = i.respondent_id AND p.status = 'completed' AND p.wave_id = ?
		WHERE i.campaign_id = ? GROUP BY CAST(date(p.completed_at) AS TEXT)`
	if err := db.db.SelectContext(ctx, &completed, db.db.Rebind(completedByDay), c.WaveID, id); err != nil {
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

// MessageCount is how many campaign messages of one channel are in one
// state.
type MessageCount struct {
	Channel string `db:"channel"`
	Status  string `db:"status"`
	N       int    `db:"n"`
}

// CampaignMessageCounts counts the messages of every campaign by channel
// and state: the queue (queued, sending) and the sends (sent, failed,
// skipped) of all instances, for the metrics.
func (db *DB) CampaignMessageCounts(ctx context.Context) ([]MessageCount, error) {
	const q = `SELECT channel, status, COUNT(*) AS n FROM campaign_messages GROUP BY channel, status ORDER BY channel, status`
	var out []MessageCount
	if err := db.db.SelectContext(ctx, &out, q); err != nil {
		return nil, fmt.Errorf("count campaign messages: %w", err)
	}
	return out, nil
}
