package store

import "context"

// ExecForTest runs a statement, for tests that set up rows as an older
// version left them.
func (db *DB) ExecForTest(ctx context.Context, q string, args ...any) error {
	_, err := db.db.ExecContext(ctx, db.db.Rebind(q), args...)
	return err
}

// CountForTest runs a SELECT COUNT(*).
func (db *DB) CountForTest(ctx context.Context, q string, args ...any) (int, error) {
	var n int
	err := db.db.GetContext(ctx, &n, db.db.Rebind(q), args...)
	return n, err
}
