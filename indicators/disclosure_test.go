package indicators_test

import (
	"reflect"
	"testing"

	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
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
	tables := indicators.Disclose(survey.BySector, unheld(cells))
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

// unheld gives cells that no principal holds, as the operator's do.
func unheld(cells []survey.Cell) []survey.HeldCell {
	out := make([]survey.HeldCell, len(cells))
	for i, c := range cells {
		out[i] = survey.HeldCell{Cell: c}
	}
	return out
}
