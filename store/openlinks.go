package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// CreateOpenLink makes an open link. Its key starts with "o" and has 72
// random bits: public, but not guessable, and short enough for a deep link.
func (db *DB) CreateOpenLink(ctx context.Context, lang dialogs.Lang, fixed map[string]string, ttl time.Duration) (survey.OpenLink, error) {
	var b [9]byte
	_, _ = rand.Read(b[:])
	l := survey.OpenLink{Key: "o" + base64.RawURLEncoding.EncodeToString(b[:]), Lang: lang, Fixed: fixed, ExpiresAt: db.utcNow().Add(ttl)}
	js, err := json.Marshal(fixed)
	if err != nil {
		return survey.OpenLink{}, fmt.Errorf("encode fixed answers: %w", err)
	}
	if fixed == nil {
		js = []byte("{}")
	}
	const q = `INSERT INTO open_links (key, lang, fixed, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(q), l.Key, string(lang), string(js), l.ExpiresAt, db.utcNow()); err != nil {
		return survey.OpenLink{}, fmt.Errorf("create open link: %w", err)
	}
	return l, nil
}

// OpenLinkByKey returns an open link, ErrNotFound or, past its expiry, ErrExpired.
func (db *DB) OpenLinkByKey(ctx context.Context, key string) (survey.OpenLink, error) {
	var row struct {
		Key       string    `db:"key"`
		Lang      string    `db:"lang"`
		Fixed     string    `db:"fixed"`
		ExpiresAt time.Time `db:"expires_at"`
	}
	err := db.db.GetContext(ctx, &row, db.db.Rebind(`SELECT key, lang, fixed, expires_at FROM open_links WHERE key = ?`), key)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.OpenLink{}, survey.ErrNotFound
	}
	if err != nil {
		return survey.OpenLink{}, fmt.Errorf("read open link: %w", err)
	}
	l := survey.OpenLink{Key: row.Key, Lang: dialogs.Lang(row.Lang), ExpiresAt: row.ExpiresAt.UTC()}
	if err := json.Unmarshal([]byte(row.Fixed), &l.Fixed); err != nil {
		return survey.OpenLink{}, fmt.Errorf("decode open link: %w", err)
	}
	if !db.utcNow().Before(l.ExpiresAt) {
		return l, survey.ErrExpired
	}
	return l, nil
}
