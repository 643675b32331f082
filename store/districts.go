package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/surveybot/surveybot/regions"
)

// redistrict turns the regions of completed responses counted before
// regions were districts (the first two digits of the postcode) into
// districts (their AGS key), from the postcode answered; a postcode
// outside Lower Saxony counts under none. It runs after the migrations
// and does nothing once every region is a district.
func (db *DB) redistrict(ctx context.Context) error {
	area, err := regions.Niedersachsen()
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []struct {
			ID       string         `db:"id"`
			Postcode sql.NullString `db:"postcode"`
		}
		const q = `SELECT r.id, a.value AS postcode FROM responses r
			LEFT JOIN answers a ON a.response_id = r.id AND a.item_id = 'postcode' AND a.na = ? AND a.skipped = ? AND a.prefilled = ?
			WHERE r.dim_region IS NOT NULL AND LENGTH(r.dim_region) = 2`
		if err := tx.SelectContext(ctx, &rows, tx.Rebind(q), false, false, false); err != nil {
			return fmt.Errorf("read regions to redistrict: %w", err)
		}
		for _, r := range rows {
			var ags sql.NullString
			if d, ok := area.District(r.Postcode.String); ok {
				ags = sql.NullString{String: d.AGS, Valid: true}
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE responses SET dim_region = ? WHERE id = ?`), ags, r.ID); err != nil {
				return fmt.Errorf("redistrict: %w", err)
			}
		}
		return nil
	})
}
