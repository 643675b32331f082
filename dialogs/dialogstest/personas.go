// Package dialogstest holds scripted respondents that the tests of every
// channel use: the same answers, typed or pressed, must give the same
// hand-computed scores everywhere.
package dialogstest

import "strconv"

// Persona is a respondent's whole dialog as console-style inputs (numbers
// for options, "-" for "keine Angabe", "fertig", "überspringen", "ja",
// "nein", typed values), with the scores worked out by hand from
// core.yaml: a scale x of k scores (x-1)/(k-1)*100 (reversed
// (k-x)/(k-1)*100), a multiple choice 100*points/max capped at 100,
// "keine Angabe" and skipped items are missing.
type Persona struct {
	Inputs    []string
	Fields    map[string]float64
	Composite float64
	TechCount int
}

// CraftBusiness is a small craft business in Oldenburg (HWK Oldenburg).
func CraftBusiness() Persona {
	fields := map[string]float64{
		"consulting":         (50 + 75 + 100) / 3.0,                         // chamber consulting 1 of 2; useful 4/5; led to a project
		"projects":           (40 + 0 + 50) / 3.0,                           // 1 project; none planned; 2 of 4 areas
		"maturity":           (100*4/12.0 + 60 + 25 + 50 + 25 + 0 + 75) / 7, // 4 of 12 technologies; grade 3; DMA items, people n/a
		"broadband_business": (0 + 25 + 50 + 25) / 4.0,                      // not enough; 50–99; VDSL; 2/5
		"skills":             (67 + 0 + 25 + 0) / 4.0,                       // 1 vacancy; lack is an obstacle; 1–24 %; no IT apprentices
	}
	var sum float64
	for _, f := range []string{"consulting", "projects", "maturity", "broadband_business", "skills"} {
		sum += fields[f]
	}
	return Persona{
		Inputs: []string{
			"ja",
			"1", "1", "1", "26121", "11", // business, Handwerk, 1–9, Oldenburg, HWK Oldenburg
			"2 fertig", "4", "ja", "überspringen",
			"2", "nein", "2 3 fertig", "2 fertig",
			"2 7 8 10 fertig", "3", "2", "3", "-", "2", "1", "4",
			"nein", "2", "3", "2",
			"2", "ja", "2", "1",
		},
		Fields:    fields,
		Composite: sum / 5,
		TechCount: 4,
	}
}

// Numbers reports whether a console-style input picks options by number
// ("2", "2 7 8", "2 3 fertig"), for tests that press the buttons instead.
func Numbers(words []string) bool {
	for _, w := range words {
		if _, err := strconv.Atoi(w); err != nil && w != "fertig" {
			return false
		}
	}
	return len(words) > 0
}
