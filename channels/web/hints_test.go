package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestHintsNameTheFormsButtons walks every item type: no page talks of
// the chat's typed words ("-", "fertig", option numbers), the typed
// answers point to the form's „Keine Angabe“ button, and a choice sent
// without an option says so without numbers.
func TestHintsNameTheFormsButtons(t *testing.T) {
	r := allTypesRig(t, storetest.SQLite(t))
	_, key := r.invite(survey.NewInvitation{Lang: dialogs.German})
	p := r.submit(r.get("/s/"+key), "ja")
	chatWords := []string{"„-“", "fertig", "Nummer", "Optionen 1 bis", "z. B. „1 3“"}
	triedEmpty := false
	for range 20 {
		f, ok := answerForm(p)
		if !ok {
			break
		}
		text := p.text()
		for _, w := range chatWords {
			if strings.Contains(text, w) {
				t.Errorf("a web page says %q:\n%s", w, text)
			}
		}
		in := "1"
		switch {
		case len(f.controls("checkbox")) > 0:
			in = "1 fertig"
			if !strings.Contains(text, "dann „Weiter“") {
				t.Errorf("a multiple choice page does not name „Weiter“:\n%s", text)
			}
		case len(f.controls("number")) > 0:
			in = "12"
		case strings.Contains(p.body, `autocomplete="postal-code"`):
			in = "30159"
		case len(f.controls("text")) > 0:
			in = "Alles gut"
		case !triedEmpty:
			triedEmpty = true
			vals := with(f, "x", "") // the form without any option
			bad := r.post(f.action, vals)
			if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.text(), "Bitte wählen Sie eine der Optionen oder „Keine Angabe“.") {
				t.Errorf("a choice sent without an option: status %d:\n%s", bad.status, bad.text())
			}
		}
		if len(f.controls("radio")) == 0 && len(f.controls("checkbox")) == 0 && !strings.Contains(text, "Wenn Sie nicht antworten möchten: „Keine Angabe“.") {
			t.Errorf("a typed answer's page does not point to „Keine Angabe“:\n%s", text)
		}
		if p = r.submit(p, in); p.status != http.StatusOK {
			t.Fatalf("answer %q: status %d:\n%s", in, p.status, p.body)
		}
	}
	if !triedEmpty {
		t.Error("no single choice page was shown")
	}
}
