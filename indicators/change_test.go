package indicators_test

import (
	"math"
	"testing"

	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
)

// wavesOf makes the table by wave and the firms' scores of the composite
// from per-firm scores in waves A and B (a score < 0: not in that wave),
// each row held by the chamber given for it ("" for none).
type firm struct {
	id           string
	a, b         float64
	holdA, holdB string
}

func wavesOf(firms []firm) (indicators.Waves, []survey.FirmScore) {
	var cells []survey.HeldCell
	var scores []survey.FirmScore
	add := func(wave, holder, id string, v float64) {
		c := survey.HeldCell{Holder: holder, Cell: survey.Cell{Group: wave, Field: survey.CompositeField}}
		addScore(&c.Cell, v)
		cells = append(cells, c)
		scores = append(scores, survey.FirmScore{Firm: id, Wave: wave, Holder: holder, Field: survey.CompositeField, Value: v})
	}
	for _, f := range firms {
		if f.a >= 0 {
			add("A", f.holdA, f.id, f.a)
		}
		if f.b >= 0 {
			add("B", f.holdB, f.id, f.b)
		}
	}
	w := indicators.Waves{Cells: cells, From: "A", To: "B",
		Tables: indicators.DiscloseWaves(cells, []survey.Wave{{Name: "A"}, {Name: "B"}})}
	return w, scores
}

// example is the worked example of docs/waves.md: six firms in both
// waves, five that left after A, five that joined in B.
func example() []firm {
	firms := []firm{
		{id: "p1", a: 40, b: 50}, {id: "p2", a: 50, b: 55}, {id: "p3", a: 60, b: 70},
		{id: "p4", a: 40, b: 45}, {id: "p5", a: 50, b: 50}, {id: "p6", a: 60, b: 66},
	}
	for _, id := range []string{"l1", "l2", "l3", "l4", "l5"} {
		firms = append(firms, firm{id: id, a: 20, b: -1})
	}
	for _, id := range []string{"j1", "j2", "j3", "j4", "j5"} {
		firms = append(firms, firm{id: id, a: -1, b: 80})
	}
	return firms
}

func changes(firms []firm) []indicators.WaveChange {
	w, scores := wavesOf(firms)
	live := indicators.Panel(scores, "A", "B")
	return w.Changes(live, w.Publishable(live))
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestChangeWorkedExample(t *testing.T) {
	rows := changes(example())
	if len(rows) != 2 {
		t.Fatalf("rows %+v, want the composite on both bases", rows)
	}
	panel, all := rows[0], rows[1]
	// Panel: from 40 50 60 40 50 60 (mean 50) to 50 55 70 45 50 66 (mean
	// 56); the firms' own changes 10 5 10 5 0 6 average 6.
	if panel.Basis != indicators.BasisPanel || panel.Suppressed != "" || panel.NPanel != 6 ||
		!near(panel.MeanFrom, 50) || !near(panel.MeanTo, 56) || !near(panel.Change, 6) {
		t.Errorf("panel = %+v, want n 6, 50 -> 56, change 6", panel)
	}
	// All: A = 300 + 5*20 = 400 over 11, B = 336 + 5*80 = 736 over 11.
	if all.Basis != indicators.BasisAll || all.Suppressed != "" || all.NFrom != 11 || all.NTo != 11 ||
		!near(all.MeanFrom, 400.0/11) || !near(all.MeanTo, 736.0/11) || !near(all.Change, 336.0/11) {
		t.Errorf("all = %+v, want 11 and 11, 36.36 -> 66.91, change 30.55", all)
	}
}

func TestChangeSuppression(t *testing.T) {
	tests := []struct {
		name       string
		edit       func([]firm) []firm
		panel, all string
	}{
		{"one firm joined: B less the panel would be it", func(f []firm) []firm { return f[:12] }, indicators.WhyRest, ""},
		{"four left: A less the panel would be them", func(f []firm) []firm { return append(f[:7], f[11:]...) }, indicators.WhyRest, ""},
		{"a panel of 4", func(f []firm) []firm { return f[2:] }, indicators.WhyPanel, ""},
		{"a chamber holds 2 of 6 firms' two rows", func(f []firm) []firm {
			f[0].holdA, f[0].holdB, f[1].holdA, f[1].holdB = "hwk", "hwk", "hwk", "hwk"
			return f
		}, indicators.WhyPanel, ""},
		{"a chamber holds 2 joiners of 5", func(f []firm) []firm {
			f[11].holdB, f[12].holdB = "hwk", "hwk"
			return f
		}, indicators.WhyRest, ""},
		{"wave B of 4", func(f []firm) []firm {
			for i := range f {
				if i >= 4 {
					f[i].b = -1
				}
			}
			return f
		}, indicators.WhyWave, indicators.WhyWave},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := changes(tc.edit(example()))
			if rows[0].Suppressed != tc.panel || rows[1].Suppressed != tc.all {
				t.Errorf("panel %q, all %q; want %q, %q", rows[0].Suppressed, rows[1].Suppressed, tc.panel, tc.all)
			}
			for _, r := range rows {
				if r.Suppressed != "" && (r.NFrom != 0 || r.NTo != 0 || r.NPanel != 0 || r.Change != 0 || r.MeanFrom != 0) {
					t.Errorf("suppressed row leaks numbers: %+v", r)
				}
			}
		})
	}

	w, scores := wavesOf(example())
	if rows := w.Changes(indicators.Panel(scores, "A", "B"), nil); rows[0].Suppressed != indicators.WhyPublished || rows[1].Suppressed != "" {
		t.Errorf("nothing published: %+v", rows)
	}
}

func TestReplaces(t *testing.T) {
	pub := survey.PanelFigure{N: 6, Both: map[string]int{"hwk": 1}}
	tests := []struct {
		name string
		live survey.PanelFigure
		want bool
	}{
		{"five more firms", survey.PanelFigure{N: 11, Both: map[string]int{"hwk": 1}}, false},
		{"six more firms", survey.PanelFigure{N: 12, Both: map[string]int{"hwk": 1}}, true},
		{"six more, five of them the chamber's", survey.PanelFigure{N: 12, Both: map[string]int{"hwk": 6}}, false},
		{"six more, all of them the chamber's", survey.PanelFigure{N: 12, Both: map[string]int{"hwk": 7}}, true},
		{"six more, the chamber holds the earlier rows of five", survey.PanelFigure{N: 12, Both: map[string]int{"hwk": 1}, FromHeld: map[string]int{"hwk": 5}}, false},
	}
	for _, tc := range tests {
		if got := indicators.Replaces(pub, tc.live); got != tc.want {
			t.Errorf("%s: Replaces = %v, want %v", tc.name, got, tc.want)
		}
	}
}
