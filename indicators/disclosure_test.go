package indicators_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
	"pgregory.net/rapid"
)

func TestHide(t *testing.T) {
	tests := []struct {
		parts []int
		want  []bool
	}{
		{[]int{10, 12, 7}, []bool{false, false, false}},
		{[]int{10, 3, 7}, []bool{false, true, true}},           // 3 alone could be worked out: hide the smallest other too
		{[]int{10, 3, 2, 7}, []bool{false, true, true, false}}, // 3+2 = 5 together: enough
		{[]int{10, 1, 2, 7}, []bool{false, true, true, true}},  // 1+2 = 3: one more
		{[]int{0, 8, 9}, []bool{false, false, false}},          // empty cells reveal nobody
		{[]int{4}, []bool{true}},
		{[]int{5, 5}, []bool{false, false}},
	}
	for _, tc := range tests {
		if got := indicators.Hide(tc.parts); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Hide(%v) = %v, want %v", tc.parts, got, tc.want)
		}
	}
}

func TestDiscloseBySector(t *testing.T) {
	cells := []survey.Cell{
		{Group: "handwerk", Field: "maturity", N: 6, Sum: 300, B3: 6},
		{Group: "industrie", Field: "maturity", N: 2, Sum: 180, B5: 2},
		{Group: "handel", Field: "maturity", N: 9, Sum: 450, B1: 1, B3: 4, B4: 4},
		{Group: "", Field: "maturity", N: 12, Sum: 600, B2: 6, B4: 6},
	}
	tables := indicators.Disclose(cells)
	if len(tables) != 1 {
		t.Fatalf("%d tables", len(tables))
	}
	tb := tables[0]
	if tb.Total.N != 29 || tb.Total.Mean != 1530.0/29 {
		t.Errorf("total n %d mean %v, want 29 and %v", tb.Total.N, tb.Total.Mean, 1530.0/29)
	}
	ind, _ := tb.Find("industrie")
	hw, _ := tb.Find("handwerk")
	ha, _ := tb.Find("handel")
	if !ind.Suppressed || ind.N != 0 || ind.Mean != 0 {
		t.Errorf("industrie (n=2) must be suppressed without figures: %+v", ind)
	}
	if !hw.Suppressed {
		t.Errorf("handwerk (n=6, the smallest other) must be suppressed too, or industrie = total − others: %+v", hw)
	}
	if ha.Suppressed || ha.N != 9 || ha.Mean != 50 {
		t.Errorf("handel: %+v", ha)
	}
	// Handel's bands: 1 in band 1 is hidden, and with it the next smallest (4).
	if ha.BandShown[0] || ha.Bands[0] != 0 || (ha.BandShown[2] && ha.BandShown[3]) {
		t.Errorf("handel's bands %v shown %v", ha.Bands, ha.BandShown)
	}
}

func TestChange(t *testing.T) {
	a := indicators.Figure{N: 5, Mean: 60}
	b := indicators.Figure{N: 7, Mean: 55}
	if d, ok := indicators.Change(a, b); !ok || d != 5 {
		t.Errorf("change %v %v", d, ok)
	}
	if _, ok := indicators.Change(a, indicators.Figure{N: 4, Mean: 1}); ok {
		t.Errorf("a change against a week of n=4 was shown")
	}
	if _, ok := indicators.Change(indicators.Figure{Suppressed: true}, b); ok {
		t.Errorf("a change of a suppressed figure was shown")
	}
}

// TestNoSmallGroupRevealed generates data sets of responses in groups and
// checks that nothing Disclose publishes, nor any difference of a total and
// its shown parts, describes a group of 1 to 4 responses.
func TestNoSmallGroupRevealed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		groups := rapid.IntRange(1, 8).Draw(t, "groups")
		fields := rapid.IntRange(1, 3).Draw(t, "fields")
		var cells []survey.Cell
		for f := range fields {
			for g := range groups {
				n := rapid.IntRange(0, 12).Draw(t, fmt.Sprintf("n%d_%d", f, g))
				c := survey.Cell{Group: fmt.Sprintf("g%d", g), Field: fmt.Sprintf("f%d", f), N: n}
				for range n {
					score := rapid.Float64Range(0, 100).Draw(t, "score")
					c.Sum += score
					switch {
					case score < 20:
						c.B1++
					case score < 40:
						c.B2++
					case score < 60:
						c.B3++
					case score < 80:
						c.B4++
					default:
						c.B5++
					}
				}
				if n > 0 {
					cells = append(cells, c)
				}
			}
		}
		disclose := indicators.Disclose
		if rapid.Bool().Draw(t, "by week") {
			disclose = indicators.DiscloseByWeek
		}
		for _, tb := range disclose(cells) {
			all := append([]indicators.Figure{tb.Total}, tb.Cells...)
			for _, f := range all {
				checkFigure(t, f)
			}
			if tb.Total.Suppressed {
				for _, c := range tb.Cells {
					if !c.Suppressed {
						t.Fatalf("%s: total suppressed but cell %q shown", tb.Field, c.Group)
					}
				}
				continue
			}
			shown := 0
			hidden := false
			for _, c := range tb.Cells {
				shown += c.N
				hidden = hidden || c.Suppressed
			}
			if hidden && tb.Total.BandShown != [5]bool{} {
				t.Fatalf("%s: the total's bands are shown beside hidden cells, which they would count", tb.Field)
			}
			if rest := tb.Total.N - shown; rest > 0 && rest < indicators.MinN {
				t.Fatalf("%s: total %d minus shown cells %d reveals a group of %d", tb.Field, tb.Total.N, shown, rest)
			}
		}
	})
}

func checkFigure(t *rapid.T, f indicators.Figure) {
	if f.Suppressed {
		if f.N != 0 || f.Mean != 0 || f.Bands != [5]int{} {
			t.Fatalf("suppressed figure %q/%q leaks %+v", f.Field, f.Group, f)
		}
		return
	}
	if f.N < indicators.MinN {
		t.Fatalf("figure %q/%q shown with n=%d", f.Field, f.Group, f.N)
	}
	shown := 0
	for i, b := range f.Bands {
		if !f.BandShown[i] {
			if b != 0 {
				t.Fatalf("hidden band %d of %q/%q leaks %d", i, f.Field, f.Group, b)
			}
			continue
		}
		if b > 0 && b < indicators.MinN {
			t.Fatalf("band %d of %q/%q shows %d responses", i, f.Field, f.Group, b)
		}
		shown += b
	}
	if rest := f.N - shown; rest > 0 && rest < indicators.MinN {
		t.Fatalf("%q/%q: n %d minus shown bands %d reveals %d", f.Field, f.Group, f.N, shown, rest)
	}
}
