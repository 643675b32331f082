package store_test

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// completeIn completes a response of the firm who in wave w, counted
// under chamber, with a maturity score and that score as composite; it
// returns the respondent's id.
func completeIn(t *testing.T, db *store.DB, who string, w survey.Wave, chamber string, score float64) string {
	t.Helper()
	ctx := testCtx(t)
	rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "telegram", External: who})
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: coreRef(t), Lang: dialogs.German, Channel: "telegram", WaveID: w.ID})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, db, survey.Step{ResponseID: r.ID, Phase: dialogs.PhaseDone,
		Changes: []dialogs.Change{{Item: "chamber", Answer: dialogs.Answer{Value: chamber}}},
		Scores:  &dialogs.Scores{Fields: map[string]float64{"maturity": score}, Composite: &score},
		Dims:    map[survey.Dimension]string{survey.ByChamber: chamber}})
	return rid
}

func TestFiguresByWave(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		now := time.Now().UTC()
		// Named so that their names sort against their order.
		a := newWave(t, db, "z-first", now.AddDate(0, -6, 0))
		b := newWave(t, db, "a-second", now.Add(-time.Hour))
		// Firms 0-5 answer both waves, 6-7 only the first, 8 only the second.
		var erased string
		for i := range 9 {
			who := string(rune('a' + i))
			if i < 8 {
				completeIn(t, db, who, a, "hwk_h", float64(10*i))
			}
			if i < 6 || i == 8 {
				rid := completeIn(t, db, who, b, "ihk_h", float64(10*i+5))
				if i == 5 {
					erased = rid
				}
			}
		}
		// An erased firm (5, in both waves) still counts in the waves, held
		// by no one, but in no panel.
		if _, err := db.EraseRespondent(ctx, erased); err != nil {
			t.Fatal(err)
		}
		cells, err := db.AggregateSlice(ctx, coreRef(t), survey.ByWave, survey.Slice{})
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, c := range cells {
			if c.Field == survey.CompositeField {
				n[c.Group+"/"+c.Holder] += c.N
			}
		}
		if n["z-first/hwk_h"] != 7 || n["z-first/"] != 1 || n["a-second/ihk_h"] != 6 || n["a-second/"] != 1 {
			t.Errorf("composite by wave and holder: %v, want z-first 7 of hwk_h, a-second 6 of ihk_h, and the erased firm in each", n)
		}
		waves, err := db.Waves(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tb := indicators.DiscloseWaves(cells, waves)[0]
		if len(tb.Cells) != 2 || tb.Cells[0].Group != "z-first" || tb.Cells[1].Group != "a-second" {
			t.Errorf("groups %+v, want the waves in the order they started", tb.Cells)
		}
		only, err := db.AggregateSlice(ctx, coreRef(t), survey.Overall, survey.Slice{WaveID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		var first survey.Cell
		for _, c := range only {
			if c.Field == survey.CompositeField && c.Group == "" {
				first.N, first.Sum = first.N+c.N, first.Sum+c.Sum
			}
		}
		if first.N != 8 || first.Sum != 280 {
			t.Errorf("overall in wave z-first: %+v, want n 8, sum 0+10+...+70", first)
		}

		scores, err := db.FirmScores(ctx, coreRef(t), a.ID, b.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		panel := indicators.Panel(scores, a.ID, b.ID)[survey.CompositeField]
		// Firms 0-4: from 0..40 to 5..45, each +5; the erased one is out.
		if panel.N != 5 || math.Abs(panel.SumFrom-100) > 1e-9 || math.Abs(panel.SumTo-125) > 1e-9 ||
			panel.FromHeld["hwk_h"] != 5 || panel.ToHeld["ihk_h"] != 5 || len(panel.Both) != 0 {
			t.Errorf("panel %+v, want 5 firms, 100 -> 125, earlier rows hwk_h's, later ones ihk_h's", panel)
		}
		mine, err := db.FirmScores(ctx, coreRef(t), a.ID, b.ID, "ihk_h")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range mine {
			if s.Holder != "ihk_h" || s.Wave != b.ID {
				t.Errorf("a chamber's firm scores hold %+v", s)
			}
		}
		if len(mine) != 2*6 { // firms 0-4 and 8, maturity and composite
			t.Errorf("%d firm scores of ihk_h, want 12", len(mine))
		}

		// Publishing: a first version, then only one PeerStep larger.
		publish := func(n int) int {
			t.Helper()
			got, err := db.PublishPanel(ctx, a.ID, b.ID, []survey.PanelFigure{{Field: "maturity", N: n, SumFrom: float64(n), SumTo: float64(2 * n),
				Both: map[string]int{"hwk_h": 1}}}, indicators.Replaces)
			if err != nil || len(got) != 1 {
				t.Fatalf("PublishPanel: %+v, %v", got, err)
			}
			if got[0].Both["hwk_h"] != 1 || got[0].SumTo != float64(2*got[0].N) {
				t.Errorf("published %+v", got[0])
			}
			return got[0].N
		}
		for _, step := range []struct{ live, want int }{{6, 6}, {7, 6}, {11, 6}, {12, 12}, {5, 12}} {
			if got := publish(step.live); got != step.want {
				t.Errorf("live n %d: published n %d, want %d", step.live, got, step.want)
			}
		}
	})
}

// TestPublishPanelAtOnce: instances publishing at once, each checking the
// step rule against what it read, never publish two versions that differ
// by fewer than PeerStep firms (12 and 13 both pass against 6).
func TestPublishPanelAtOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		from, to := newWave(t, db, "p1", time.Now().AddDate(-1, 0, 0)), newWave(t, db, "p2", time.Now().Add(-time.Hour))
		fig := func(n int) []survey.PanelFigure {
			return []survey.PanelFigure{{Field: survey.CompositeField, N: n, SumFrom: float64(n), SumTo: float64(n)}}
		}
		if _, err := db.PublishPanel(ctx, from.ID, to.ID, fig(6), indicators.Replaces); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[int]bool{6: true}
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() {
				got, err := db.PublishPanel(ctx, from.ID, to.ID, fig([]int{12, 13, 18}[i%3]), indicators.Replaces)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, p := range got {
					seen[p.N] = true
				}
			})
		}
		wg.Wait()
		for a := range seen {
			for b := range seen {
				if d := a - b; d > 0 && d < indicators.PeerStep {
					t.Errorf("published versions of n %d and %d (all: %v)", a, b, seen)
				}
			}
		}
	})
}
