package synthetic

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// WaveSpacing is how far apart the last completions of the waves
// Generate makes are: half a year.
const WaveSpacing = 26 * 7 * 24 * time.Hour

// MaxWeeks is the most weeks a wave's responses spread over when there is
// more than one wave: a wave's responses end before the next one starts.
const MaxWeeks = 25

// firm is a member who answers: the same firm is the same respondent in
// every wave it answers, with the same postcode, chamber and profile.
type firm struct {
	id       string // respondent id, set by the firm's invitation
	where    region
	chamber  string
	maturity float64 // latent digital maturity, 0 to 1
	// profile holds the answers that describe the firm rather than its
	// digitalisation (organisation type, sector, size, postcode): it gives
	// them again in every wave.
	profile map[string]dialogs.Input
}

// Plan returns the waves Generate makes for opts, the earliest first:
// opts.Waves of them, named by half year ("2025-2", "2026-1", …). The
// responses of the last one are completed over the opts.Weeks weeks
// before opts.End, those of each earlier one WaveSpacing before. A wave
// starts at the start of the day (Europe/Berlin) its responses begin and
// lasts until the next one starts, the last one, current at opts.End, for
// half a year.
func Plan(q dialogs.Ref, opts Options) []survey.Wave {
	opts = opts.withDefaults()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	out := make([]survey.Wave, opts.Waves)
	for k := range out {
		first := opts.lastCompletion(k).Add(-opts.span()).In(loc)
		start := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)
		out[k] = survey.Wave{StartsAt: start.UTC(), EndsAt: start.AddDate(0, 0, 182).UTC(), Questionnaire: q}
		if k > 0 {
			out[k-1].EndsAt = out[k].StartsAt
		}
	}
	// Names by the half year the current wave starts in, counted back.
	start := out[len(out)-1].StartsAt.In(loc)
	year, half := start.Year(), 1
	if start.Month() > time.June {
		half = 2
	}
	for k := len(out) - 1; k >= 0; k-- {
		out[k].Name = fmt.Sprintf("%d-%d", year, half)
		if half--; half == 0 {
			year, half = year-1, 2
		}
	}
	return out
}

// createWaves stores the planned waves, refusing to add to waves that
// already exist under their names.
func createWaves(ctx context.Context, db Store, clock *Clock, plan []survey.Wave) ([]survey.Wave, error) {
	existing, err := db.Waves(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo waves: %w", err)
	}
	names := map[string]bool{}
	for _, w := range existing {
		names[w.Name] = true
	}
	var taken []string
	for _, w := range plan {
		if names[w.Name] {
			taken = append(taken, w.Name)
		}
	}
	if len(taken) > 0 {
		return nil, fmt.Errorf("demo wave %s: %w; demo data goes into waves of its own, so use a database without them",
			strings.Join(taken, ", "), survey.ErrWaveExists)
	}
	out := make([]survey.Wave, len(plan))
	for i, w := range plan {
		clock.t = w.StartsAt
		if out[i], err = db.CreateWave(ctx, w); err != nil {
			return nil, fmt.Errorf("demo wave %s: %w", w.Name, err)
		}
	}
	return out, nil
}

// panel returns the firms answering wave k of the plan given those who
// answered wave k-1: each stays with probability opts.Stay and a little
// more mature, and new firms, a little more mature the later they join,
// make up the wave's share of opts.Responses. The second result is how
// many are new.
func panel(rng *rand.Rand, opts Options, k int, before []*firm) ([]*firm, int) {
	n := opts.Responses / opts.Waves
	if k < opts.Responses%opts.Waves {
		n++
	}
	out := make([]*firm, 0, n)
	for _, f := range before {
		if rng.Float64() >= opts.Stay {
			continue // drops out, and does not come back
		}
		if len(out) < n {
			f.maturity = clamp01(f.maturity + 0.03 + rng.NormFloat64()*0.04)
			out = append(out, f)
		}
	}
	fresh := n - len(out)
	places := regions()
	for range fresh {
		where := places[rng.IntN(len(places))]
		out = append(out, &firm{
			where: where, chamber: where.chambers[rng.IntN(len(where.chambers))],
			maturity: clamp01(rng.NormFloat64()*0.22 + 0.5 + 0.02*float64(k)),
			profile:  map[string]dialogs.Input{},
		})
	}
	return out, fresh
}

// describes reports whether an item describes the firm rather than its
// digitalisation: unscored and not a multiple choice.
func describes(it *dialogs.Item) bool {
	return it != nil && it.Score == nil && it.Type != dialogs.Multi
}

func clamp01(x float64) float64 { return math.Min(1, math.Max(0, x)) }

func (o Options) withDefaults() Options {
	o.Weeks = max(o.Weeks, 1)
	o.Waves = max(o.Waves, 1)
	if o.ResponseRate <= 0 || o.ResponseRate > 1 {
		o.ResponseRate = 0.35
	}
	if o.Stay <= 0 || o.Stay > 1 {
		o.Stay = 0.6
	}
	return o
}

func (o Options) check() error {
	switch {
	case o.Responses < o.Waves:
		return fmt.Errorf("%d responses cannot fill %d waves", o.Responses, o.Waves)
	case o.Waves > 1 && o.Weeks > MaxWeeks:
		return fmt.Errorf("a wave's responses spread over at most %d weeks, not %d, when there are several waves", MaxWeeks, o.Weeks)
	}
	return nil
}

func (o Options) span() time.Duration { return time.Duration(o.Weeks) * 7 * 24 * time.Hour }

// lastCompletion is the latest completion of wave k.
func (o Options) lastCompletion(k int) time.Time {
	return o.End.UTC().Add(-time.Duration(o.Waves-1-k) * WaveSpacing)
}
