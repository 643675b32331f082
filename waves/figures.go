package waves

import (
	"context"
	"errors"
	"fmt"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
)

// FigureStore is what figures by wave need of the database; *store.DB
// has it.
type FigureStore interface {
	Waves(ctx context.Context) ([]survey.Wave, error)
	Wave(ctx context.Context, idOrName string) (survey.Wave, error)
	AggregateSlice(ctx context.Context, q dialogs.Ref, dim survey.Dimension, slice survey.Slice) ([]survey.HeldCell, error)
}

// Tables returns the disclosure-controlled tables of dim over the
// completed responses of the wave named wave, or of every wave if wave
// is "". By wave, the groups are the waves in the order they started.
// An unknown wave is an *Invalid for the field "wave".
func Tables(ctx context.Context, db FigureStore, q dialogs.Ref, dim survey.Dimension, wave string) ([]indicators.Table, error) {
	var slice survey.Slice
	if wave != "" {
		w, err := Lookup(ctx, db, "wave", wave)
		if err != nil {
			return nil, err
		}
		slice.WaveID = w.ID
	}
	cells, err := db.AggregateSlice(ctx, q, dim, slice)
	if err != nil {
		return nil, err
	}
	if dim != survey.ByWave {
		return indicators.Disclose(dim, cells), nil
	}
	all, err := db.Waves(ctx)
	if err != nil {
		return nil, err
	}
	return indicators.DiscloseWaves(cells, all), nil
}

// Lookup returns the wave named name; an unknown one is an *Invalid for
// field.
func Lookup(ctx context.Context, db interface {
	Wave(ctx context.Context, idOrName string) (survey.Wave, error)
}, field, name string) (survey.Wave, error) {
	w, err := db.Wave(ctx, name)
	if errors.Is(err, survey.ErrNotFound) {
		return survey.Wave{}, &Invalid{Field: field, Msg: fmt.Sprintf("no wave is named %q", name)}
	}
	if err != nil {
		return survey.Wave{}, fmt.Errorf("wave %s: %w", field, err)
	}
	return w, nil
}
