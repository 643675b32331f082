package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// TestFormWithoutItemIsRefused posts answers that do not name the
// question they answer, as a hand-made or truncated form would: nothing is
// stored, and the respondent gets the current question again with a word
// in their language; answering it then works.
func TestFormWithoutItemIsRefused(t *testing.T) {
	for _, tc := range []struct {
		lang dialogs.Lang
		word string
	}{
		{dialogs.German, "Diesem Formular fehlte die Angabe, welche Frage es beantwortet"},
		{dialogs.English, "This form did not say which question it answers"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			r := newRig(t, nil, web.Config{})
			_, key := r.invite(survey.NewInvitation{Lang: tc.lang})
			consent := r.get("/s/" + key)
			// Consent given without naming the consent prompt.
			path, vals := r.fill(consent, "ja")
			vals.Del("item")
			if p := r.post(path, vals); p.status != http.StatusBadRequest || !strings.Contains(p.text(), tc.word) {
				t.Fatalf("consent without item: status %d, want 400 with the notice:\n%s", p.status, p.body)
			}
			q1 := r.submit(consent, "ja")
			for name, change := range map[string]func(v map[string][]string){
				"missing": func(v map[string][]string) { delete(v, "item") },
				"empty":   func(v map[string][]string) { v["item"] = []string{""} },
			} {
				for _, input := range []string{"1", "-"} {
					path, vals := r.fill(q1, input)
					change(vals)
					p := r.post(path, vals)
					if p.status != http.StatusBadRequest || !strings.Contains(p.text(), tc.word) {
						t.Errorf("%s item, input %q: status %d, want 400 with the notice:\n%s", name, input, p.status, p.body)
					}
					if f, ok := answerForm(p); !ok || hidden(f, "item") != hidden(q1.form(t, "answer"), "item") {
						t.Errorf("%s item, input %q: the question's form is not shown again:\n%s", name, input, p.body)
					}
					if n := answerCount(t, r, key); n != 0 {
						t.Fatalf("%s item, input %q: %d answers stored, want none", name, input, n)
					}
				}
			}
			if q2 := r.submit(q1, "1"); q2.status != http.StatusOK || answerCount(t, r, key) != 1 {
				t.Errorf("the proper form afterwards: status %d, %d answers, want 200 and 1", q2.status, answerCount(t, r, key))
			}
		})
	}
}

// hidden returns the value of the form's hidden field name.
func hidden(f htmlForm, name string) string {
	for _, in := range f.controls("hidden") {
		if in.attr("name") == name {
			return in.attr("value")
		}
	}
	return ""
}
