package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/survey"
)

// insertRows inserts rows: on PostgreSQL in one statement per table, the
// columns passed as arrays (unnest); on SQLite with multi-row INSERTs of as
// many rows as its parameter limit allows.
func insertRows(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if tx.DriverName() == "pgx" {
		return insertUnnest(ctx, tx, table, cols, rows)
	}
	per := max(1, 30000/len(cols))
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for len(rows) > 0 {
		n := min(per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(cols))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// insertUnnest inserts rows on PostgreSQL as one array per column. The
// values of a column are all strings (or NULL strings), bools, times or
// ints.
func insertUnnest(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any) error {
	args := make([]any, len(cols))
	casts := make([]string, len(cols))
	for c := range cols {
		switch rows[0][c].(type) {
		case bool:
			v := make([]bool, len(rows))
			for i, r := range rows {
				v[i] = r[c].(bool)
			}
			args[c], casts[c] = v, "boolean[]"
		case time.Time:
			v := make([]time.Time, len(rows))
			for i, r := range rows {
				v[i] = r[c].(time.Time)
			}
			args[c], casts[c] = v, "timestamp[]"
		case int:
			v := make([]int64, len(rows))
			for i, r := range rows {
				v[i] = int64(r[c].(int))
			}
			args[c], casts[c] = v, "bigint[]"
		default:
			v := make([]*string, len(rows))
			for i, r := range rows {
				switch x := r[c].(type) {
				case string:
					v[i] = &x
				case survey.Channel:
					str := string(x)
					v[i] = &str
				case sql.NullString:
					if x.Valid {
						v[i] = &x.String
					}
				case nil:
				default:
					return fmt.Errorf("insert %s: column %s: unexpected %T", table, cols[c], x)
				}
			}
			args[c], casts[c] = v, "text[]"
		}
	}
	params := make([]string, len(cols))
	for c := range cols {
		params[c] = fmt.Sprintf("$%d::%s", c+1, casts[c])
	}
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") SELECT * FROM unnest(" + strings.Join(params, ", ") + ")"
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("insert %s: %w", table, err)
	}
	return nil
}
