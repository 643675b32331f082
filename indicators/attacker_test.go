package indicators_test

import (
	"fmt"
	"testing"

	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
	"pgregory.net/rapid"
)

// TestComplementByChamberKey is the attack of a chamber on the region
// table: region 99 has five responses, four of them HWK Hannover's, whose
// key exports those four rows with their scores. Publishing region 99
// would let HWK subtract its rows and read the fifth firm's score.
func TestComplementByChamberKey(t *testing.T) {
	cells := []survey.HeldCell{
		{Holder: "hwk-hannover", Cell: survey.Cell{Group: "99", Field: "composite", N: 4, Sum: 200, B3: 4}},
		{Holder: "ihk-hannover", Cell: survey.Cell{Group: "99", Field: "composite", N: 1, Sum: 90, B5: 1}},
		{Holder: "hwk-hannover", Cell: survey.Cell{Group: "30", Field: "composite", N: 10, Sum: 500, B3: 10}},
		{Holder: "ihk-hannover", Cell: survey.Cell{Group: "30", Field: "composite", N: 12, Sum: 600, B3: 12}},
		{Holder: "hwk-hannover", Cell: survey.Cell{Group: "31", Field: "composite", N: 9, Sum: 450, B3: 9}},
		{Holder: "ihk-hannover", Cell: survey.Cell{Group: "31", Field: "composite", N: 9, Sum: 450, B3: 9}},
	}
	tb := indicators.Disclose(survey.ByRegion, cells)[0]
	r99, _ := tb.Find("99")
	if !r99.Suppressed {
		t.Fatalf("region 99 (n=5, 4 of them HWK's) is published: %+v", r99)
	}
	// With 99 hidden, the total minus the shown regions would again be
	// region 99: one more region must go.
	hidden := 0
	for _, c := range tb.Cells {
		if c.Suppressed {
			hidden++
		}
	}
	if hidden < 2 {
		t.Errorf("only region 99 is hidden; the total minus the others gives it back: %+v", tb.Cells)
	}
	// Without HWK's rows region 99 would have been fine for the public.
	pub := indicators.Disclose(survey.ByRegion, []survey.HeldCell{
		{Cell: survey.Cell{Group: "99", Field: "composite", N: 5, Sum: 290, B3: 4, B5: 1}},
		{Cell: survey.Cell{Group: "30", Field: "composite", N: 22, Sum: 1100, B3: 22}},
	})[0]
	if f, _ := pub.Find("99"); f.Suppressed || f.N != 5 {
		t.Errorf("region 99 without holders: %+v", f)
	}
}

// response is one generated completed response.
type response struct {
	group, holder string
	scores        []float64 // by field; < 0 for none
}

// TestNoReaderLearnsASmallGroup plays every reader of a published table:
// the public, and each chamber that holds its own rows. Over random
// populations, nothing a reader sees, less what it holds, describes 1 to 4
// responses: no cell, no band, not the hidden cells together (the total
// less the shown cells), not a figure's hidden bands together, not a
// total's band less the shown cells' bands.
func TestNoReaderLearnsASmallGroup(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		groups := rapid.IntRange(1, 6).Draw(t, "groups")
		holders := rapid.IntRange(0, 3).Draw(t, "holders")
		fields := rapid.IntRange(1, 2).Draw(t, "fields")
		n := rapid.IntRange(0, 60).Draw(t, "responses")
		var pop []response
		for i := range n {
			r := response{
				group:  fmt.Sprintf("g%d", rapid.IntRange(0, groups-1).Draw(t, fmt.Sprintf("group%d", i))),
				holder: "",
			}
			if h := rapid.IntRange(0, holders).Draw(t, fmt.Sprintf("holder%d", i)); h > 0 {
				r.holder = fmt.Sprintf("chamber%d", h)
			}
			for f := range fields {
				s := -1.0
				if rapid.IntRange(0, 9).Draw(t, fmt.Sprintf("has%d_%d", i, f)) > 0 {
					// Few distinct scores, so that bands fill unevenly.
					s = float64(rapid.SampledFrom([]int{5, 25, 45, 65, 85, 95}).Draw(t, fmt.Sprintf("score%d_%d", i, f)))
				}
				r.scores = append(r.scores, s)
			}
			pop = append(pop, r)
		}
		byWeek := rapid.Bool().Draw(t, "by week")
		dim := survey.ByRegion
		if byWeek {
			dim = survey.ByWeek
		}
		readers := []string{""} // the public holds nothing
		for h := 1; h <= holders; h++ {
			readers = append(readers, fmt.Sprintf("chamber%d", h))
		}
		for _, tb := range indicators.Disclose(dim, aggregate(pop, fields)) {
			var f int
			fmt.Sscanf(tb.Field, "f%d", &f)
			for _, reader := range readers {
				checkTable(t, tb, pop, f, reader)
			}
		}
	})
}

// aggregate does what store.AggregateHeld does in SQL.
func aggregate(pop []response, fields int) []survey.HeldCell {
	type key struct{ group, holder, field string }
	cells := map[key]*survey.HeldCell{}
	var order []key
	for _, r := range pop {
		for f := range fields {
			if r.scores[f] < 0 {
				continue
			}
			k := key{r.group, r.holder, fmt.Sprintf("f%d", f)}
			c := cells[k]
			if c == nil {
				c = &survey.HeldCell{Holder: r.holder, Cell: survey.Cell{Group: r.group, Field: k.field}}
				cells[k] = c
				order = append(order, k)
			}
			addScore(&c.Cell, r.scores[f])
		}
	}
	out := make([]survey.HeldCell, 0, len(order))
	for _, k := range order {
		out = append(out, *cells[k])
	}
	return out
}

func addScore(c *survey.Cell, s float64) {
	c.N++
	c.Sum += s
	switch {
	case s < 20:
		c.B1++
	case s < 40:
		c.B2++
	case s < 60:
		c.B3++
	case s < 80:
		c.B4++
	default:
		c.B5++
	}
}

// checkTable fails if the reader, knowing its own rows of pop, learns
// anything about 1 to 4 other responses from the table of field f.
func checkTable(t *rapid.T, tb indicators.Table, pop []response, f int, reader string) {
	// What the reader holds, by group, and in all.
	own := map[string]survey.Cell{}
	var ownTotal survey.Cell
	for _, r := range pop {
		if reader != "" && r.holder == reader && r.scores[f] >= 0 {
			c := own[r.group]
			addScore(&c, r.scores[f])
			own[r.group] = c
			addScore(&ownTotal, r.scores[f])
		}
	}
	small := func(n int) bool { return n > 0 && n < indicators.MinN }
	fail := func(format string, args ...any) {
		t.Fatalf("reader %q, field %s: "+format, append([]any{reader, tb.Field}, args...)...)
	}
	checkFig := func(fig indicators.Figure, mine survey.Cell) {
		if fig.Suppressed {
			if fig.N != 0 || fig.Mean != 0 || fig.Bands != [5]int{} {
				fail("suppressed figure %q leaks %+v", fig.Group, fig)
			}
			return
		}
		if fig.N < indicators.MinN || small(fig.N-mine.N) {
			fail("figure %q shows n=%d, %d of them the reader's", fig.Group, fig.N, mine.N)
		}
		hiddenOthers := fig.N - mine.N
		for b, shown := range fig.BandShown {
			if !shown {
				if fig.Bands[b] != 0 {
					fail("hidden band %d of %q leaks %d", b, fig.Group, fig.Bands[b])
				}
				continue
			}
			if small(fig.Bands[b]) || small(fig.Bands[b]-mine.Bands()[b]) {
				fail("band %d of %q shows %d, %d of them the reader's", b, fig.Group, fig.Bands[b], mine.Bands()[b])
			}
			hiddenOthers -= fig.Bands[b] - mine.Bands()[b]
		}
		if small(hiddenOthers) {
			fail("%q: its hidden bands hold %d others", fig.Group, hiddenOthers)
		}
	}
	checkFig(tb.Total, ownTotal)
	if tb.Total.Suppressed {
		for _, c := range tb.Cells {
			if !c.Suppressed {
				fail("total suppressed but cell %q shown", c.Group)
			}
		}
		return
	}
	hiddenOthers := tb.Total.N - ownTotal.N
	var bandRest [5]int // the total's bands less the shown cells' and the reader's hidden rows
	for b := range bandRest {
		bandRest[b] = tb.Total.Bands[b]
	}
	for _, c := range tb.Cells {
		checkFig(c, own[c.Group])
		if c.Suppressed {
			for b := range bandRest {
				bandRest[b] -= own[c.Group].Bands()[b]
			}
			continue
		}
		hiddenOthers -= c.N - own[c.Group].N
		for b := range bandRest {
			bandRest[b] -= c.Bands[b]
		}
	}
	if small(hiddenOthers) {
		fail("the total less the shown cells and the reader's own leaves %d others", hiddenOthers)
	}
	for b, shown := range tb.Total.BandShown {
		if shown && small(bandRest[b]) {
			fail("the total's band %d less the shown cells' leaves %d others", b, bandRest[b])
		}
	}
}
