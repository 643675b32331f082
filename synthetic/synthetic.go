// Package synthetic makes a realistic data set of completed responses for
// demos and benchmarks: simulated respondents answer the questionnaire
// through the engine, so their answers follow its paths, and the answers
// are stored as a channel would store them, spread over past weeks.
package synthetic

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
)

// Options shape the data set.
type Options struct {
	Responses int // how many completed responses, over all waves (split evenly)
	// Waves is how many waves the responses fall into (default 1), the
	// last one current at End; see Plan.
	Waves int
	Weeks int       // each wave's responses spread over this many weeks (at most MaxWeeks with several waves)
	End   time.Time // the latest completion
	Seed  uint64    // the same seed gives the same data set
	// ResponseRate is the share of invited members who complete (default
	// 0.35): Generate invites that many more members who do not answer.
	ResponseRate float64
	// Stay is the share of a wave's firms who answer the next wave too
	// (default 0.6); new firms take the others' places.
	Stay float64
}

// Store is what Generate writes to.
type Store interface {
	CreateInvitation(ctx context.Context, ni survey.NewInvitation) (survey.Invitation, string, error)
	CreateResponse(ctx context.Context, nr survey.NewResponse) (survey.Response, error)
	ApplyStep(ctx context.Context, s survey.Step) (int64, error)
	CreateWave(ctx context.Context, w survey.Wave) (survey.Wave, error)
	Waves(ctx context.Context) ([]survey.Wave, error)
}

// Clock is set to each response's completion time before it is stored;
// open the store with store.WithClock(clock.Now).
type Clock struct{ t time.Time }

// Now returns the time Generate is storing at.
func (c *Clock) Now() time.Time { return c.t }

// Set sets the clock, for storing outside Generate.
func (c *Clock) Set(t time.Time) { c.t = t }

// region is where a respondent is: a postcode of Lower Saxony and the
// chambers there.
type region struct {
	postcode string
	chambers []string
}

func regions() []region {
	return []region{
		{"30159", []string{"ihk_h", "hwk_h"}}, {"38100", []string{"ihk_bs", "hwk_bls"}}, {"21335", []string{"ihk_lg", "hwk_bls"}},
		{"26121", []string{"ihk_ol", "hwk_ol"}}, {"49074", []string{"ihk_os", "hwk_os"}}, {"26721", []string{"ihk_emd", "hwk_aur"}},
		{"21682", []string{"ihk_std", "hwk_bls"}}, {"31134", []string{"ihk_h", "hwk_hi"}}, {"37073", []string{"ihk_h", "hwk_hi"}},
	}
}

// Generate makes the waves of Plan and stores opts.Responses completed
// responses in them. Each respondent is a firm with a latent digital
// maturity that colours all its answers, as real firms' answers go
// together; about 3 in 100 answers are "keine Angabe". The firms form a
// panel: a share opts.Stay of a wave's firms answer the next wave too, as
// the same respondent with the same profile and a slightly higher
// maturity, and new firms take the others' places. Generate refuses to
// add to waves of the plan's names that exist (survey.ErrWaveExists).
func Generate(ctx context.Context, db Store, clock *Clock, q *dialogs.Questionnaire, opts Options) error {
	opts = opts.withDefaults()
	if err := opts.check(); err != nil {
		return err
	}
	waves, err := createWaves(ctx, db, clock, Plan(q.Ref(), opts))
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed))
	places := regions()
	span := opts.span()
	// A time in wave k's weeks.
	at := func(k int) time.Time {
		return opts.lastCompletion(k).Add(-time.Duration(rng.Int64N(int64(span)))).UTC()
	}
	invite := func(chamber string) (survey.Invitation, error) {
		inv, _, err := db.CreateInvitation(ctx, survey.NewInvitation{Lang: dialogs.German, Fixed: map[string]string{"chamber": chamber},
			TTL: opts.End.Sub(clock.t) + 30*24*time.Hour})
		return inv, err
	}
	var firms []*firm
	for k, w := range waves {
		var fresh int
		firms, fresh = panel(rng, opts, k, firms)
		for i, f := range firms {
			if err := ctx.Err(); err != nil {
				return err
			}
			clock.t = at(k)
			if f.id == "" { // invited once, when it first answers
				inv, err := invite(f.chamber)
				if err != nil {
					return fmt.Errorf("wave %s, member %d: %w", w.Name, i, err)
				}
				f.id = inv.RespondentID
			}
			st, err := answer(q, rng, f)
			if err != nil {
				return fmt.Errorf("wave %s, respondent %d: %w", w.Name, i, err)
			}
			if err := save(ctx, db, q, st, f.id, w.ID); err != nil {
				return fmt.Errorf("wave %s, respondent %d: %w", w.Name, i, err)
			}
		}
		// The members invited with the wave's new firms who did not answer.
		silent := int(float64(fresh)/opts.ResponseRate) - fresh
		for range silent {
			clock.t = at(k)
			where := places[rng.IntN(len(places))]
			if _, err := invite(where.chambers[rng.IntN(len(where.chambers))]); err != nil {
				return fmt.Errorf("wave %s, member: %w", w.Name, err)
			}
		}
	}
	return nil
}

// answer runs one simulated respondent through the engine to the end.
func answer(q *dialogs.Questionnaire, rng *rand.Rand, f *firm) (dialogs.State, error) {
	st, ps, err := dialogs.Start(q, dialogs.German, map[string]string{"chamber": f.chamber}) // the invitation's chamber
	if err != nil {
		return st, err
	}
	for range 200 {
		p := ps[len(ps)-1]
		var in dialogs.Input
		switch p.Kind {
		case dialogs.PromptConsent:
			in = dialogs.Input{Choice: dialogs.CodeYes, Item: p.Item}
		case dialogs.PromptQuestion:
			in = choose(q, p, f, rng)
		default:
			if st.Phase == dialogs.PhaseDone {
				return st, nil
			}
			return st, fmt.Errorf("unexpected prompt %s: %s", p.Kind, p.Text)
		}
		if st, ps, err = dialogs.Step(q, st, in); err != nil {
			return st, err
		}
		if st.Phase == dialogs.PhaseDone {
			return st, nil
		}
	}
	return st, fmt.Errorf("dialog did not end")
}

// choose answers one question as the firm would: the answers that
// describe it as in its earlier waves, the others by its maturity.
func choose(q *dialogs.Questionnaire, p dialogs.Prompt, f *firm, rng *rand.Rand) dialogs.Input {
	it, _ := q.Item(p.Item)
	if !describes(it) {
		return pick(p, it, f.maturity, f.where.postcode, rng)
	}
	in, ok := f.profile[p.Item]
	if !ok {
		in = pick(p, it, f.maturity, f.where.postcode, rng)
		f.profile[p.Item] = in
	}
	return in
}

// pick answers one question as a respondent of maturity m would.
func pick(p dialogs.Prompt, it *dialogs.Item, m float64, postcode string, rng *rand.Rand) dialogs.Input {
	item := p.Item
	if rng.Float64() < 0.03 {
		return dialogs.Input{Choice: dialogs.CodeNA, Item: item}
	}
	code := func(c string) dialogs.Input { return dialogs.Input{Choice: c, Item: item} }
	switch item {
	case "org_type":
		if rng.Float64() < 0.9 {
			return code("business")
		}
		return code("education")
	case "postcode":
		return dialogs.Input{Text: postcode, Item: item}
	}
	switch p.Type {
	case dialogs.Scale:
		x := int(math.Round(m*float64(it.Points-1)+rng.NormFloat64()*0.8)) + 1
		x = min(max(x, 1), it.Points)
		if it.Score != nil && it.Score.Reversed {
			x = it.Points + 1 - x
		}
		return code(strconv.Itoa(x))
	case dialogs.YesNo:
		yes := rng.Float64() < m
		if it.Score != nil && it.Score.Reversed {
			yes = !yes
		}
		if yes {
			return code(dialogs.CodeYes)
		}
		return code(dialogs.CodeNo)
	case dialogs.Multi:
		var sel []string
		for _, o := range it.Options {
			if !o.Exclusive && rng.Float64() < m*0.8 {
				sel = append(sel, o.Code)
			}
		}
		if len(sel) == 0 {
			sel = []string{it.Options[0].Code} // "keine" comes first in the shared questionnaire
			for _, o := range it.Options {
				if o.Exclusive {
					sel = []string{o.Code}
				}
			}
		}
		return dialogs.Input{Selection: sel, Item: item}
	case dialogs.Single:
		// The option whose score is nearest to the respondent's maturity;
		// options without a score, and unscored items, by chance.
		best, bestD := it.Options[rng.IntN(len(it.Options))].Code, math.Inf(1)
		target := m*100 + rng.NormFloat64()*15
		for _, o := range it.Options {
			if o.Score != nil {
				if d := math.Abs(*o.Score - target); d < bestD {
					best, bestD = o.Code, d
				}
			}
		}
		return code(best)
	case dialogs.Integer:
		return dialogs.Input{Text: strconv.Itoa(rng.IntN(50)), Item: item}
	}
	return dialogs.Input{Text: "k. A.", Item: item}
}

// save stores one finished dialog as the completed response of an invited member.
func save(ctx context.Context, db Store, q *dialogs.Questionnaire, st dialogs.State, rid, waveID string) error {
	resp, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: st.Lang, Channel: "synthetic", WaveID: waveID})
	if err != nil {
		return err
	}
	sc := dialogs.Score(q, st.Answers)
	_, err = db.ApplyStep(ctx, survey.Step{
		ResponseID: resp.ID, Seq: resp.Seq, Channel: "synthetic", Lang: st.Lang, Phase: dialogs.PhaseDone,
		Changes: dialogs.Changes(q, dialogs.State{}, st), Scores: &sc, Dims: indicators.DimsOf(q, st.Answers),
	})
	return err
}
