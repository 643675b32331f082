package store

import (
	"context"
	"fmt"
	"time"

	"github.com/surveybot/surveybot/survey"
)

// AddSubscriber adds a digest subscriber; adding one twice changes nothing.
func (db *DB) AddSubscriber(ctx context.Context, s survey.Subscriber) error {
	const q = `INSERT INTO digest_subscribers (kind, target, created_at) VALUES (?, ?, ?) ON CONFLICT (kind, target) DO NOTHING`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(q), s.Kind, s.Target, db.utcNow()); err != nil {
		return fmt.Errorf("add subscriber: %w", err)
	}
	return nil
}

// RemoveSubscriber removes a digest subscriber; it returns ErrNotFound if
// there was none.
func (db *DB) RemoveSubscriber(ctx context.Context, s survey.Subscriber) error {
	res, err := db.db.ExecContext(ctx, db.db.Rebind(`DELETE FROM digest_subscribers WHERE kind = ? AND target = ?`), s.Kind, s.Target)
	if err != nil {
		return fmt.Errorf("remove subscriber: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return survey.ErrNotFound
	}
	return nil
}

// Subscribers lists the digest subscribers.
func (db *DB) Subscribers(ctx context.Context) ([]survey.Subscriber, error) {
	var out []survey.Subscriber
	if err := db.db.SelectContext(ctx, &out, `SELECT kind, target FROM digest_subscribers ORDER BY kind, target`); err != nil {
		return nil, fmt.Errorf("list subscribers: %w", err)
	}
	return out, nil
}

// ClaimDigest claims the sending of a week's digest. One caller at a time
// gets true for a week; a claim whose sending was not recorded within
// lease (the claimer crashed, or building failed) lapses, and the next
// caller gets the week again, so a digest is not lost.
func (db *DB) ClaimDigest(ctx context.Context, week string, lease time.Duration) (bool, error) {
	now := db.utcNow()
	const q = `INSERT INTO digest_runs (week, claimed_at) VALUES (?, ?)
		ON CONFLICT (week) DO UPDATE SET claimed_at = excluded.claimed_at
		WHERE digest_runs.sent_at IS NULL AND digest_runs.claimed_at < ?`
	res, err := db.db.ExecContext(ctx, db.db.Rebind(q), week, now, now.Add(-lease))
	if err != nil {
		return false, fmt.Errorf("claim digest: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim digest: %w", err)
	}
	return n == 1, nil
}

// DigestSent records how a week's digest went out.
func (db *DB) DigestSent(ctx context.Context, week string, sent, failed int) error {
	const q = `UPDATE digest_runs SET sent = ?, failed = ?, sent_at = ? WHERE week = ?`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(q), sent, failed, db.utcNow(), week); err != nil {
		return fmt.Errorf("record digest: %w", err)
	}
	return nil
}
