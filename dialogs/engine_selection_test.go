package dialogs

import (
	"strings"
	"testing"
)

func TestSelection(t *testing.T) {
	q, err := LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	st := State{Questionnaire: q.Ref(), Lang: German, Phase: PhaseAsking, Current: "cons_used",
		Answers: map[string]Answer{"org_type": {Value: "business"}, "sector": {Value: "handwerk"}, "size": {Value: "s1_9"}, "postcode": {Value: "30159"}, "chamber": {Value: "hwk_h"}}}
	tests := []struct {
		name    string
		sel     []string
		want    string // stored answer, "" if none
		errText string
	}{
		{"two sources", []string{"mdz", "chamber"}, "chamber,mdz", ""},
		{"none alone", []string{"none"}, "none", ""},
		{"none with a source", []string{"none", "edih"}, "", "schließt die anderen Optionen aus"},
		{"empty", []string{}, "", "mindestens eine Option"},
		{"unknown code", []string{"chamber", "bogus"}, "", "nicht verstanden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next, ps, err := Step(q, st, Input{Selection: tc.sel, Item: "cons_used"})
			if err != nil {
				t.Fatal(err)
			}
			got := next.Answers["cons_used"].Value
			if got != tc.want {
				t.Errorf("answer %q, want %q", got, tc.want)
			}
			if tc.errText != "" && (ps[0].Kind != PromptError || !strings.Contains(ps[0].Text, tc.errText)) {
				t.Errorf("prompts %+v, want an error saying %q", ps[0], tc.errText)
			}
			if tc.want != "" && next.Current == "cons_used" {
				t.Errorf("still at cons_used after a valid selection")
			}
		})
	}
}
