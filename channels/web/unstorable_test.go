package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestUnstorableFormInput types what SQL cannot store into a free-text
// question of the web form, on SQLite and PostgreSQL: the form comes back
// with 422 and a message in the respondent's language, nothing is stored,
// and the same question then takes a good answer.
func TestUnstorableFormInput(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			r := allTypesRig(t, db)
			_, key := r.invite(survey.NewInvitation{Lang: dialogs.German})
			p := r.submit(r.get("/s/"+key), "ja")
			for range 20 {
				f, ok := answerForm(p)
				if !ok {
					t.Fatal("the dialog ended before a free-text question")
				}
				if len(f.controls("text")) > 0 && !strings.Contains(p.body, `autocomplete="postal-code"`) {
					before := answerCount(t, r, key)
					for _, bad := range []string{"Glasfaser\x00bitte", "Glas\x1bfaser", "Glas\xfffaser"} {
						got := r.post(f.action, with(f, "text", bad))
						if got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, "nicht speichern") {
							t.Fatalf("%q: status %d, want 422 saying it cannot be stored:\n%s", bad, got.status, got.body)
						}
					}
					if n := answerCount(t, r, key); n != before {
						t.Errorf("%d answers stored from unstorable text", n-before)
					}
					if ok := r.submit(p, "Glasfaser bitte"); ok.status != http.StatusOK {
						t.Errorf("a good answer after them: status %d", ok.status)
					}
					return
				}
				p = r.submit(p, "1")
			}
			t.Fatal("no free-text question within 20 pages")
		})
	}
}
