package indicators_test

import (
	"fmt"
	"testing"

	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
	"pgregory.net/rapid"
)

// panelFirm is one generated firm: its rows in waves A and B, who holds
// each, and whether the firm was erased (its rows then count in the
// waves' figures, held by no one, but no longer in the panel).
type panelFirm struct {
	a, b         float64 // < 0: no response in that wave
	holdA, holdB string
	erased       bool
}

// TestNoReaderLearnsAFirmsChange plays the readers of the change between
// two waves over random populations that grow between publications: the
// public and each chamber, holding its own rows. At every moment nothing
// shown, less what the reader holds, describes 1 to 4 firms: not the
// panel, not a wave less the panel (the firms that left or joined); and
// no two versions of the panel shown at two moments differ by the changes
// of 1 to 5 firms the reader does not hold (a firm that joined knows its
// own).
func TestNoReaderLearnsAFirmsChange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		holders := []string{"", "hwk", "ihk"}
		score := func(label string) float64 {
			return float64(rapid.SampledFrom([]int{-1, 10, 50, 90}).Draw(t, label))
		}
		newFirm := func(i int) panelFirm {
			return panelFirm{
				a: score(fmt.Sprintf("a%d", i)), b: -1,
				holdA: rapid.SampledFrom(holders).Draw(t, fmt.Sprintf("holdA%d", i)),
				holdB: rapid.SampledFrom(holders).Draw(t, fmt.Sprintf("holdB%d", i)),
			}
		}
		var pop []panelFirm
		for i := range rapid.IntRange(0, 40).Draw(t, "firms") {
			f := newFirm(i)
			f.b = score(fmt.Sprintf("b%d", i))
			f.erased = rapid.IntRange(0, 9).Draw(t, fmt.Sprintf("erased%d", i)) == 0
			pop = append(pop, f)
		}
		type version struct {
			fig survey.PanelFigure
			set map[int]bool // the firms it stands on
		}
		published := map[string]version{} // what the store would hold
		var shown []version               // every panel version shown at some moment
		for moment := range rapid.IntRange(1, 5).Draw(t, "moments") {
			// Between moments, firms complete wave B: new ones, or ones of A.
			for i := range rapid.IntRange(0, 8).Draw(t, fmt.Sprintf("completions%d", moment)) {
				label := fmt.Sprintf("m%d_%d", moment, i)
				k := rapid.IntRange(0, len(pop)).Draw(t, "who"+label)
				if k == len(pop) || pop[k].b >= 0 || pop[k].erased {
					pop = append(pop, newFirm(len(pop)))
					k = len(pop) - 1
					if rapid.Bool().Draw(t, "new only in B"+label) {
						pop[k].a = -1
					}
				}
				pop[k].b = float64(rapid.SampledFrom([]int{10, 50, 90}).Draw(t, "b"+label))
			}
			w, scores := panelWaves(pop)
			live := indicators.Panel(scores, "A", "B")
			liveSet := map[int]bool{}
			for i, f := range pop {
				if f.a >= 0 && f.b >= 0 && !f.erased {
					liveSet[i] = true
				}
			}
			for _, p := range w.Publishable(live) {
				cur, ok := published[p.Field]
				if !ok || indicators.Replaces(cur.fig, p) {
					published[p.Field] = version{p, liveSet}
				}
			}
			var pubs []survey.PanelFigure
			for _, v := range published {
				pubs = append(pubs, v.fig)
			}
			for _, row := range w.Changes(live, pubs) {
				if row.Basis != indicators.BasisPanel || row.Suppressed != "" {
					continue
				}
				v := published[row.Field]
				for _, reader := range holders {
					checkPanel(t, pop, v.set, reader)
				}
				shown = append(shown, v)
			}
		}
		for i := range shown {
			for j := range i {
				for _, reader := range holders {
					d := unknownBoth(pop, shown[i].set, reader) - unknownBoth(pop, shown[j].set, reader)
					if d < 0 {
						d = -d
					}
					if d > 0 && d < indicators.PeerStep {
						t.Fatalf("reader %q: two panel versions shown (n %d and %d) differ by %d firms it does not hold", reader, shown[i].fig.N, shown[j].fig.N, d)
					}
				}
			}
		}
	})
}

// panelWaves is what store.AggregateHeld by wave and store.FirmScores
// return for pop: erased rows count in the waves, held by no one, and
// are in no panel.
func panelWaves(pop []panelFirm) (indicators.Waves, []survey.FirmScore) {
	var cells []survey.HeldCell
	var scores []survey.FirmScore
	add := func(wave, holder string, id int, v float64, erased bool) {
		if erased {
			holder = ""
		}
		c := survey.HeldCell{Holder: holder, Cell: survey.Cell{Group: wave, Field: survey.CompositeField}}
		addScore(&c.Cell, v)
		cells = append(cells, c)
		if !erased {
			scores = append(scores, survey.FirmScore{Firm: fmt.Sprint(id), Wave: wave, Holder: holder, Field: survey.CompositeField, Value: v})
		}
	}
	for i, f := range pop {
		if f.a >= 0 {
			add("A", f.holdA, i, f.a, f.erased)
		}
		if f.b >= 0 {
			add("B", f.holdB, i, f.b, f.erased)
		}
	}
	return indicators.Waves{Cells: cells, From: "A", To: "B",
		Tables: indicators.DiscloseWaves(cells, []survey.Wave{{Name: "A"}, {Name: "B"}})}, scores
}

// unknownBoth counts the firms of set whose two rows reader does not hold.
func unknownBoth(pop []panelFirm, set map[int]bool, reader string) int {
	n := 0
	for i := range set {
		if reader == "" || pop[i].erased || pop[i].holdA != reader || pop[i].holdB != reader {
			n++
		}
	}
	return n
}

// checkPanel fails if reader learns about 1 to 4 firms from a panel
// shown beside the waves' figures: the panel itself (its change, or its
// mean in a wave), or a wave's rows outside the panel.
func checkPanel(t *rapid.T, pop []panelFirm, set map[int]bool, reader string) {
	small := func(n int) bool { return n > 0 && n < indicators.MinN }
	holds := func(f panelFirm, holder string) bool { return reader != "" && !f.erased && holder == reader }
	var both, fromRows, toRows, left, joined int
	for i, f := range pop {
		switch {
		case set[i]:
			if !holds(f, f.holdA) || !holds(f, f.holdB) {
				both++
			}
			if !holds(f, f.holdA) {
				fromRows++
			}
			if !holds(f, f.holdB) {
				toRows++
			}
		default:
			if f.a >= 0 && !holds(f, f.holdA) {
				left++
			}
			if f.b >= 0 && !holds(f, f.holdB) {
				joined++
			}
		}
	}
	for what, n := range map[string]int{"panel changes": both, "panel rows of A": fromRows, "panel rows of B": toRows,
		"rows of A outside the panel": left, "rows of B outside the panel": joined} {
		if small(n) {
			t.Fatalf("reader %q learns the %s of %d firms it does not hold (panel of %d)", reader, what, n, len(set))
		}
	}
}
