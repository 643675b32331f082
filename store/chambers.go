package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/survey"
)

// AddChamber adds a chamber and returns it with a new API key for it,
// which is shown once: only its hash is stored.
func (db *DB) AddChamber(ctx context.Context, code, name string) (survey.Chamber, string, error) {
	c := survey.Chamber{ID: newID(), Code: code, Name: name}
	var key string
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		const ins = `INSERT INTO chambers (id, code, name, created_at) VALUES (?, ?, ?, ?)`
		if _, err := tx.ExecContext(ctx, tx.Rebind(ins), c.ID, code, name, db.utcNow()); err != nil {
			return fmt.Errorf("add chamber %s (is the code taken?): %w", code, err)
		}
		var err error
		key, err = insertKey(ctx, tx, db, &c.ID)
		return err
	})
	if err != nil {
		return survey.Chamber{}, "", err
	}
	return c, key, nil
}

// CreateOperatorKey makes an API key that sees everything.
func (db *DB) CreateOperatorKey(ctx context.Context) (string, error) {
	var key string
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		key, err = insertKey(ctx, tx, db, nil)
		return err
	})
	return key, err
}

func insertKey(ctx context.Context, tx *sqlx.Tx, db *DB, chamberID *string) (string, error) {
	var b [24]byte
	_, _ = rand.Read(b[:])
	key := "sb_" + base64.RawURLEncoding.EncodeToString(b[:])
	const ins = `INSERT INTO api_keys (id, key_hash, chamber_id, created_at) VALUES (?, ?, ?, ?)`
	if _, err := tx.ExecContext(ctx, tx.Rebind(ins), newID(), survey.HashKey(key), chamberID, db.utcNow()); err != nil {
		return "", fmt.Errorf("store API key: %w", err)
	}
	return key, nil
}

// PrincipalByKey returns who an API key speaks for, or ErrNotFound for an
// unknown or revoked key.
func (db *DB) PrincipalByKey(ctx context.Context, key string) (survey.Principal, error) {
	var row struct {
		ChamberID sql.NullString `db:"chamber_id"`
		Code      sql.NullString `db:"code"`
		Name      sql.NullString `db:"name"`
	}
	const q = `SELECT k.chamber_id, c.code, c.name FROM api_keys k LEFT JOIN chambers c ON c.id = k.chamber_id
		WHERE k.key_hash = ? AND k.revoked_at IS NULL`
	err := db.db.GetContext(ctx, &row, db.db.Rebind(q), survey.HashKey(key))
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Principal{}, survey.ErrNotFound
	}
	if err != nil {
		return survey.Principal{}, fmt.Errorf("read API key: %w", err)
	}
	if !row.ChamberID.Valid {
		return survey.Principal{}, nil
	}
	return survey.Principal{Chamber: &survey.Chamber{ID: row.ChamberID.String, Code: row.Code.String, Name: row.Name.String}}, nil
}
