package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// optOutSecret names the opt-out key kept in the database when none is
// configured.
const optOutSecret = "optout_key"

// WithOptOutKey sets the key the opt-out list keeps addresses under.
// Kept outside the database, a dump of it cannot confirm any address;
// without it, one is made and kept in the database. It must never change:
// the list would forget everyone on it.
func WithOptOutKey(key []byte) Option { return func(db *DB) { db.optOutKey = key } }

// optOutHasher returns how an address is kept on the opt-out list:
// HMAC-SHA256, under the server's key, of the SHA-256 of the address as
// written in lower case. Call it before a transaction: the first call may
// write the key.
func (db *DB) optOutHasher(ctx context.Context) (func(address string) string, error) {
	key, err := db.optOutKeyOf(ctx)
	if err != nil {
		return nil, err
	}
	return func(address string) string {
		sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(address))))
		return keyed(key, sum[:])
	}, nil
}

// optOutKeyOf returns the opt-out key: the configured one, else the one
// kept in the database, made by whichever instance asks first.
func (db *DB) optOutKeyOf(ctx context.Context) ([]byte, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.optOutKey == nil {
		key, err := db.Secret(ctx, optOutSecret)
		if err != nil {
			return nil, fmt.Errorf("opt-out key: %w", err)
		}
		db.optOutKey = key
	}
	return db.optOutKey, nil
}

func keyed(key, sum []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(sum)
	return hex.EncodeToString(m.Sum(nil))
}

// OptOut puts an e-mail address on the opt-out list.
func (db *DB) OptOut(ctx context.Context, address string) error {
	hash, err := db.optOutHasher(ctx)
	if err != nil {
		return err
	}
	if err := insertOptOut(ctx, db.db, hash(address), db.utcNow()); err != nil {
		return fmt.Errorf("opt out: %w", err)
	}
	return nil
}

func insertOptOut(ctx context.Context, ex sqlx.ExtContext, hash string, at time.Time) error {
	const q = `INSERT INTO optouts (address_hash, created_at, keyed) VALUES (?, ?, ?) ON CONFLICT (address_hash) DO NOTHING`
	_, err := ex.ExecContext(ctx, ex.Rebind(q), hash, at, true)
	return err
}

// OptedOut reports whether an e-mail address asked for no more messages.
func (db *DB) OptedOut(ctx context.Context, address string) (bool, error) {
	hash, err := db.optOutHasher(ctx)
	if err != nil {
		return false, err
	}
	var n int
	if err := db.db.GetContext(ctx, &n, db.db.Rebind(`SELECT COUNT(*) FROM optouts WHERE address_hash = ?`), hash(address)); err != nil {
		return false, fmt.Errorf("read opt-outs: %w", err)
	}
	return n > 0, nil
}

// optOutSet reads the keyed hashes of every address that asked for no
// more messages.
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

// rekeyOptOuts turns the opt-outs kept as a bare SHA-256 into keyed ones,
// in place. Instances doing it at once do no harm: a row is replaced only
// while it is still unkeyed.
func (db *DB) rekeyOptOuts(ctx context.Context) error {
	key, err := db.optOutKeyOf(ctx) // before the transaction, which it would wait for on SQLite
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var old []struct {
			Hash string    `db:"address_hash"`
			At   time.Time `db:"created_at"`
		}
		if err := tx.SelectContext(ctx, &old, tx.Rebind(`SELECT address_hash, created_at FROM optouts WHERE keyed = ?`), false); err != nil {
			return fmt.Errorf("read unkeyed opt-outs: %w", err)
		}
		for _, o := range old {
			sum, err := hex.DecodeString(o.Hash)
			if err != nil || len(sum) != sha256.Size {
				return fmt.Errorf("opt-out %q is not a SHA-256", o.Hash)
			}
			if err := insertOptOut(ctx, tx, keyed(key, sum), o.At); err != nil {
				return fmt.Errorf("rekey opt-out: %w", err)
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM optouts WHERE address_hash = ? AND keyed = ?`), o.Hash, false); err != nil {
				return fmt.Errorf("rekey opt-out: %w", err)
			}
		}
		return nil
	})
}
