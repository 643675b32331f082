package store

import (
	"context"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// AggregateSlice is AggregateHeld over the completed responses of a
// slice: one week, one wave, or both (survey.Slice).
func (db *DB) AggregateSlice(ctx context.Context, q dialogs.Ref, dim survey.Dimension, slice survey.Slice) ([]survey.HeldCell, error) {
	return db.aggregate(ctx, q, dim, slice, "COALESCE(r.dim_chamber, '')")
}
