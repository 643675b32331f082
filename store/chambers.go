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

// ErrChamberExists is returned by AddChamber for a code that is taken.
var ErrChamberExists = errors.New("chamber exists")

// AddChamber adds a chamber and returns it with a new API key for it,
// which is shown once: only its hash is stored. A code that is taken is
// ErrChamberExists.
func (db *DB) AddChamber(ctx context.Context, code, name string) (survey.Chamber, string, error) {
	c := survey.Chamber{ID: newID(), Code: code, Name: name}
	var key string
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		const ins = `INSERT INTO chambers (id, code, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`
		res, err := tx.ExecContext(ctx, tx.Rebind(ins), c.ID, code, name, db.utcNow())
		if err != nil {
			return fmt.Errorf("add chamber %s: %w", code, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("add chamber %s: %w", code, err)
		} else if n == 0 {
			return fmt.Errorf("chamber %s: %w", code, ErrChamberExists)
		}
		key, err = insertKey(ctx, tx, db, &c.ID)
		return err
	})
	if err != nil {
		return survey.Chamber{}, "", err
	}
	return c, key, nil
}

// IssueChamberKey makes another API key for the chamber with code, shown
// once; its other keys keep working until revoked. An unknown code is
// survey.ErrNotFound.
func (db *DB) IssueChamberKey(ctx context.Context, code string) (string, error) {
	var key string
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := chamberByCode(ctx, tx, code)
		if err != nil {
			return fmt.Errorf("chamber %s: %w", code, err)
		}
		key, err = insertKey(ctx, tx, db, &c.ID)
		return err
	})
	return key, err
}

// RevokeChamberKeys revokes every API key of the chamber with code and
// returns how many were still valid. An unknown code is
// survey.ErrNotFound.
func (db *DB) RevokeChamberKeys(ctx context.Context, code string) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := chamberByCode(ctx, tx, code)
		if err != nil {
			return fmt.Errorf("chamber %s: %w", code, err)
		}
		const upd = `UPDATE api_keys SET revoked_at = ? WHERE chamber_id = ? AND revoked_at IS NULL`
		res, err := tx.ExecContext(ctx, tx.Rebind(upd), db.utcNow(), c.ID)
		if err != nil {
			return fmt.Errorf("revoke keys of chamber %s: %w", code, err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
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
