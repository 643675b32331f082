package waves

import (
	"context"
	"errors"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
)

// ChangeStore is what changes between waves need of the database;
// *store.DB has it.
type ChangeStore interface {
	FigureStore
	CurrentWave(ctx context.Context, now time.Time) (survey.Wave, error)
	FirmScores(ctx context.Context, q dialogs.Ref, from, to, chamber string) ([]survey.FirmScore, error)
	PublishPanel(ctx context.Context, from, to string, live []survey.PanelFigure,
		replaces func(published, live survey.PanelFigure) bool) ([]survey.PanelFigure, error)
}

// Change is the change of every field between two waves.
type Change struct {
	From, To survey.Wave
	Rows     []indicators.WaveChange
}

// Changes computes the change of every field and the composite between
// the waves named from and to, by default the current wave and the one
// before it, on the panel and on all respondents, under the disclosure
// rules of indicators.Waves. It publishes the live panel where the rules
// let it (store.PublishPanel with indicators.Replaces) and shows what is
// published. A wave that does not exist, or a from that does not start
// before to, is an *Invalid for the field "from" or "to".
func Changes(ctx context.Context, db ChangeStore, q dialogs.Ref, from, to string, now time.Time) (Change, error) {
	all, err := db.Waves(ctx)
	if err != nil {
		return Change{}, err
	}
	var c Change
	if to == "" {
		c.To, err = db.CurrentWave(ctx, now)
		if errors.Is(err, survey.ErrNoWave) {
			return Change{}, &Invalid{Field: "to", Msg: "no wave has started yet"}
		}
	} else {
		c.To, err = Lookup(ctx, db, "to", to)
	}
	if err != nil {
		return Change{}, err
	}
	if from == "" {
		for _, w := range all {
			if w.StartsAt.Before(c.To.StartsAt) || (w.StartsAt.Equal(c.To.StartsAt) && w.Name < c.To.Name) {
				c.From = w // the last one before to
			}
		}
		if c.From.ID == "" {
			return Change{}, &Invalid{Field: "from", Msg: "no wave before " + c.To.Name}
		}
	} else if c.From, err = Lookup(ctx, db, "from", from); err != nil {
		return Change{}, err
	}
	if !c.From.StartsAt.Before(c.To.StartsAt) {
		return Change{}, &Invalid{Field: "from", Msg: "wave " + c.From.Name + " does not start before " + c.To.Name}
	}
	cells, err := db.AggregateSlice(ctx, q, survey.ByWave, survey.Slice{})
	if err != nil {
		return Change{}, err
	}
	w := indicators.Waves{Tables: indicators.DiscloseWaves(cells, all), Cells: cells, From: c.From.Name, To: c.To.Name}
	scores, err := db.FirmScores(ctx, q, c.From.ID, c.To.ID, "")
	if err != nil {
		return Change{}, err
	}
	live := indicators.Panel(scores, c.From.ID, c.To.ID)
	published, err := db.PublishPanel(ctx, c.From.ID, c.To.ID, w.Publishable(live), indicators.Replaces)
	if err != nil {
		return Change{}, err
	}
	c.Rows = w.Changes(live, published)
	return c, nil
}
