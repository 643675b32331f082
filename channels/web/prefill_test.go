package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestPrefillConfirmedWithOnePress follows a firm into a later wave on its
// personal link: after consent its screening answers of the wave before
// come as one page, and one press of "Ja, stimmt" takes them all and
// shows the next question; "Ändern" asks them one by one.
func TestPrefillConfirmedWithOnePress(t *testing.T) {
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	prev := map[string]string{"org_type": "business", "sector": "handwerk", "size": "s10_49", "postcode": "30159"}
	for _, tt := range []struct {
		press, wantText string
		wantAnswers     int
	}{
		{press: "yes", wantText: "Welche Digitalberatung hat Ihr Betrieb", wantAnswers: 5},
		{press: "no", wantText: "Antworten Sie für ein Unternehmen oder für eine Bildungseinrichtung?", wantAnswers: 1},
	} {
		t.Run(tt.press, func(t *testing.T) {
			r := newRig(t, q, web.Config{})
			inv, key := r.invite(survey.NewInvitation{Lang: dialogs.German, Fixed: map[string]string{"chamber": "hwk_h"}})
			storetest.PrefilledResponse(t, r.db, q, inv.RespondentID, web.ChannelName, map[string]string{"chamber": "hwk_h"}, prev)

			confirm := r.submit(r.get("/s/"+key), "ja") // consent
			f := confirm.form(t, "answer")
			yes, okYes := f.button("choice", "yes")
			change, okChange := f.button("choice", "no")
			if confirm.status != http.StatusOK || !okYes || !okChange || yes.text != "Ja, stimmt" || change.text != "Ändern" ||
				!strings.Contains(confirm.text(), "Noch aktuell? Unternehmen / Betrieb · Handwerk · 10–49 Beschäftigte · PLZ 30159") {
				t.Fatalf("after consent, no prefill question:\n%s", confirm.body)
			}
			if v := with(f, "choice", tt.press).Get("item"); v != dialogs.PrefillPrompt {
				t.Errorf("the form names item %q, want %q", v, dialogs.PrefillPrompt)
			}
			next := r.post(f.action, with(f, "choice", tt.press))
			if next.status != http.StatusOK || strings.Contains(next.body, `role="alert"`) || !strings.Contains(next.text(), tt.wantText) {
				t.Fatalf("after pressing %s, want %q:\n%s", tt.press, tt.wantText, next.body)
			}
			resp, err := r.db.CurrentResponse(context.Background(), webIdentity(key))
			if err != nil {
				t.Fatal(err)
			}
			answers, err := r.db.Answers(context.Background(), resp.ID)
			if err != nil {
				t.Fatal(err)
			}
			for id, a := range answers {
				if a.Prefilled {
					t.Errorf("%s still a proposal: %+v", id, a)
				}
			}
			if len(answers) != tt.wantAnswers {
				t.Errorf("answers %v, want %d", answers, tt.wantAnswers)
			}
		})
	}
}
