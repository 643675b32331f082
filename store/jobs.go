package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"log/slog"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// JobDriver returns the job queue's (River's) driver for this database, so
// that jobs live in the same database and are inserted in the store's
// transactions.
func (db *DB) JobDriver() riverdriver.Driver[*sql.Tx] {
	if db.dialect == SQLite {
		return riversqlite.New(db.db.DB)
	}
	return riverdatabasesql.New(db.db.DB)
}

// MigrateJobs brings the job queue's own tables up to date. On PostgreSQL
// it takes the same lock as Migrate, so instances starting together take
// turns.
func (db *DB) MigrateJobs(ctx context.Context) error {
	m, err := rivermigrate.New(db.JobDriver(), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	return db.withMigrationLock(ctx, func() error {
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("apply job queue migrations: %w", err)
		}
		return nil
	})
}

// migrationLockID is the PostgreSQL advisory lock that migrations take. It
// is per database and schema, so instances of another deployment (or
// parallel tests in their own schemas) do not wait.
func (db *DB) migrationLockID(ctx context.Context) (int64, error) {
	var where string
	if err := db.db.GetContext(ctx, &where, `SELECT current_database() || '.' || current_schema()`); err != nil {
		return 0, fmt.Errorf("migrations lock: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("surveybot migrations " + where))
	return int64(h.Sum64() >> 1), nil
}

// withMigrationLock runs fn holding the migration lock on PostgreSQL (on
// SQLite, whose writers take turns anyway, it just runs fn).
func (db *DB) withMigrationLock(ctx context.Context, fn func() error) error {
	if db.dialect != Postgres {
		return fn()
	}
	id, err := db.migrationLockID(ctx)
	if err != nil {
		return err
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrations lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, id); err != nil {
		return fmt.Errorf("migrations lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, id) //nolint:errcheck // released with the session anyway
	return fn()
}
