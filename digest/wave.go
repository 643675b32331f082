package digest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
)

// waveSource is what the digest's wave line needs of the database.
type waveSource interface {
	Waves(ctx context.Context) ([]survey.Wave, error)
	AggregateSlice(ctx context.Context, q dialogs.Ref, dim survey.Dimension, slice survey.Slice) ([]survey.HeldCell, error)
}

// Wave is the composite index of the wave under way, over all of its
// completed responses so far.
type Wave struct {
	Name       string
	Figure     indicators.Figure
	Suppressed bool // fewer than 5, or hidden in the table by wave
}

// currentWave returns the line of the wave that started last before
// until, with its composite as the table by wave shows it (the same
// figure as surveybot export aggregates --by wave), or nil if no wave has
// started.
func currentWave(ctx context.Context, src waveSource, q *dialogs.Questionnaire, until time.Time) (*Wave, error) {
	all, err := src.Waves(ctx)
	if err != nil {
		return nil, err
	}
	var cur *survey.Wave
	for i := range all {
		if all[i].StartsAt.Before(until) {
			cur = &all[i]
		}
	}
	if cur == nil {
		return nil, nil
	}
	cells, err := src.AggregateSlice(ctx, q.Ref(), survey.ByWave, survey.Slice{})
	if err != nil {
		return nil, err
	}
	w := &Wave{Name: cur.Name, Suppressed: true}
	for _, t := range indicators.DiscloseWaves(cells, all) {
		if t.Field != survey.CompositeField {
			continue
		}
		if f, ok := t.Find(cur.Name); ok && !f.Suppressed {
			w.Figure, w.Suppressed = f, false
		}
	}
	return w, nil
}

func (w *Wave) text(b *strings.Builder) {
	if w == nil {
		return
	}
	if w.Suppressed {
		fmt.Fprintf(b, "\nLaufende Welle %s, Gesamtindex bisher: · (n<5)\n", w.Name)
		return
	}
	fmt.Fprintf(b, "\nLaufende Welle %s, Gesamtindex bisher: %.1f (n = %d)\n", w.Name, w.Figure.Mean, w.Figure.N)
}
