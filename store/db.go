// Package store keeps surveybot's data: SQL (SQLite for the embedded
// default, PostgreSQL in production) for every accepted answer and every
// completed response, and live dialog sessions (Redis in production, in
// process for the embedded default).
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base32"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/surveybot/surveybot/survey"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect names the SQL database in use.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the SQL store.
type DB struct {
	db      *sqlx.DB
	dialect Dialect
	now     func() time.Time

	mu        sync.Mutex
	optOutKey []byte // see WithOptOutKey
	panelKey  []byte // see WithPanelKey
}

// Option changes how Open sets up a DB.
type Option func(*DB)

// WithClock sets the clock used for timestamps (tests).
func WithClock(now func() time.Time) Option { return func(db *DB) { db.now = now } }

// Open connects to the database a DSN names: "postgres://…" or
// "postgresql://…" for PostgreSQL; "sqlite:FILE", "file:FILE" or a plain
// file name for SQLite (":memory:" is not supported: use a temporary file).
// It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	dialect, driverName, driverDSN, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	sdb, err := sqlx.Open(driverName, driverDSN)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	db := &DB{db: sdb, dialect: dialect, now: time.Now}
	for _, o := range opts {
		o(db)
	}
	if dialect == SQLite {
		// One writer at a time is SQLite's way; WAL lets readers go on meanwhile.
		sdb.SetMaxOpenConns(8)
	} else {
		sdb.SetMaxOpenConns(32)
		sdb.SetMaxIdleConns(32)
	}
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("connect to %s: %w", dialect, err)
	}
	return db, nil
}

func parseDSN(dsn string) (Dialect, string, string, error) {
	switch {
	case dsn == "":
		return "", "", "", errors.New("empty database DSN")
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return Postgres, "pgx", dsn, nil
	}
	if scheme, _, ok := strings.Cut(dsn, "://"); ok && isScheme(scheme) && scheme != "sqlite" && scheme != "file" {
		// Not a file name: say so rather than create a SQLite file named like a URL.
		return "", "", "", fmt.Errorf("database DSN: unsupported scheme %q; use postgres://user@host/db or sqlite:FILE", scheme)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	query := ""
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	v, err := url.ParseQuery(query)
	if err != nil {
		return "", "", "", fmt.Errorf("sqlite DSN %q: %w", dsn, err)
	}
	// mode=memory is in the query, which path no longer holds.
	if path == "" || path == ":memory:" || v.Get("mode") == "memory" {
		return "", "", "", fmt.Errorf("sqlite DSN %q: name a file; an in-memory database would lose every answer at exit", dsn)
	}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)", "cache_size(-65536)"} {
		v.Add("_pragma", p)
	}
	v.Set("_txlock", "immediate")
	v.Set("_time_format", "sqlite")
	return SQLite, "sqlite", "file:" + path + "?" + v.Encode(), nil
}

// isScheme reports whether s is a URL scheme such as "mysql" (RFC 3986).
func isScheme(s string) bool {
	for i, c := range s {
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

// Dialect returns the database in use.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQLDB returns the connection pool, for a job queue that keeps its jobs
// in the same database and inserts them in the store's transactions.
func (db *DB) SQLDB() *sql.DB { return db.db.DB }

// Close closes the connection pool.
func (db *DB) Close() error { return db.db.Close() }

// Ping checks the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// Migrate applies the embedded migrations that are not applied yet and
// returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if db.dialect == Postgres {
		// Instances starting together take turns, so none fails on the
		// tables another is creating.
		id, err := db.migrationLockID(ctx)
		if err != nil {
			return 0, err
		}
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 300))
		if err != nil {
			return 0, fmt.Errorf("migrations lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db.db.DB, sub, opts...)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("apply migrations: %w", err)
	}
	if err := db.rekeyOptOuts(ctx); err != nil {
		return 0, err
	}
	if err := db.redistrict(ctx); err != nil {
		return 0, err
	}
	if err := db.adoptWaves(ctx); err != nil {
		return 0, err
	}
	return len(res), nil
}

// newID returns a random 128-bit id, base32 without padding.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

func (db *DB) utcNow() time.Time { return db.now().UTC() }

// inTx runs fn in a transaction, committing if it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return unstorable(err)
	}
	if err := tx.Commit(); err != nil {
		return unstorable(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// unstorable marks an error of PostgreSQL's class 22, data exception (a
// NUL or invalid UTF-8 in text, a number out of range), as
// survey.ErrUnstorable: the same value would fail again, however often a
// platform delivered it.
func unstorable(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && strings.HasPrefix(pg.Code, "22") {
		return fmt.Errorf("%w: %w", survey.ErrUnstorable, err)
	}
	return err
}
