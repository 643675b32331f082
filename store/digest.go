package store

import (
	"context"
	"fmt"
)

// Subscriber receives the weekly digest.
type Subscriber struct {
	Kind   string `db:"kind"`   // slack, telegram or email
	Target string `db:"target"` // channel id, chat id or address
}

// AddSubscriber adds a digest subscriber; adding one twice changes nothing.
func (db *DB) AddSubscriber(ctx context.Context, s Subscriber) error {
	const q = `INSERT INTO digest_subscribers (kind, target, created_at) VALUES (?, ?, ?) ON CONFLICT (kind, target) DO NOTHING`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(q), s.Kind, s.Target, db.utcNow()); err != nil {
		return fmt.Errorf("add subscriber: %w", err)
	}
	return nil
}

// RemoveSubscriber removes a digest subscriber; it returns ErrNotFound if
// there was none.
func (db *DB) RemoveSubscriber(ctx context.Context, s Subscriber) error {
	res, err := db.db.ExecContext(ctx, db.db.Rebind(`DELETE FROM digest_subscribers WHERE kind = ? AND target = ?`), s.Kind, s.Target)
	if err != nil {
		return fmt.Errorf("remove subscriber: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Subscribers lists the digest subscribers.
func (db *DB) Subscribers(ctx context.Context) ([]Subscriber, error) {
	var out []Subscriber
	if err := db.db.SelectContext(ctx, &out, `SELECT kind, target FROM digest_subscribers ORDER BY kind, target`); err != nil {
		return nil, fmt.Errorf("list subscribers: %w", err)
	}
	return out, nil
}

// ClaimDigest claims the sending of a week's digest. Exactly one caller
// ever gets true for a week, however many instances try at once.
func (db *DB) ClaimDigest(ctx context.Context, week string) (bool, error) {
	const q = `INSERT INTO digest_runs (week, claimed_at) VALUES (?, ?) ON CONFLICT (week) DO NOTHING`
	res, err := db.db.ExecContext(ctx, db.db.Rebind(q), week, db.utcNow())
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
	const q = `UPDATE digest_runs SET sent = ?, failed = ? WHERE week = ?`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(q), sent, failed, week); err != nil {
		return fmt.Errorf("record digest: %w", err)
	}
	return nil
}
