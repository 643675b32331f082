package indicators_test

import (
	"maps"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
)

// An answer carried over from a previous wave and not confirmed yet
// (dialogs.Answer.Prefilled) counts under no dimension.
func TestDimsOfSkipsUnconfirmedPrefill(t *testing.T) {
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]dialogs.Answer{
		"chamber":  {Value: "hwk_h", Fixed: true},
		"sector":   {Value: "handwerk", Prefilled: true},
		"size":     {Value: "s10_49", Prefilled: true},
		"postcode": {Value: "30159", Prefilled: true},
	}
	if got, want := indicators.DimsOf(q, answers), map[survey.Dimension]string{survey.ByChamber: "hwk_h"}; !maps.Equal(got, want) {
		t.Errorf("DimsOf with proposals = %v, want %v", got, want)
	}
	for id, a := range answers {
		a.Prefilled = false
		answers[id] = a
	}
	if got := indicators.DimsOf(q, answers); len(got) != 4 {
		t.Errorf("DimsOf once confirmed = %v, want all four dimensions", got)
	}
}
