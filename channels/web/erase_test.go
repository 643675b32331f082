package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/survey"
)

// TestEraseFromTheWeb: every survey page links to "Meine Daten löschen",
// which asks first; the answer without the form's CSRF token is refused;
// with it the respondent is erased on every channel and the link leads to
// nothing any more.
func TestEraseFromTheWeb(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	ctx := context.Background()
	_, key := r.invite(survey.NewInvitation{})
	consent := r.get("/s/" + key)
	if !strings.Contains(consent.body, `href="/s/`+key+`/delete"`) || !strings.Contains(consent.body, "Meine Daten löschen") {
		t.Fatalf("the consent page has no erase link:\n%s", consent.body)
	}
	if !strings.Contains(consent.body, "„Meine Daten löschen“ unten auf jeder Seite") {
		t.Errorf("the privacy notice does not say how to erase on the web:\n%s", consent.body)
	}
	q1 := r.submit(consent, "ja")
	if q1.status != http.StatusOK || !strings.Contains(q1.body, "/delete") {
		t.Fatalf("a question page without the erase link: %d", q1.status)
	}
	who := survey.Identity{Channel: web.ChannelName, External: survey.HashKey(key)[:32]}
	if _, err := r.db.RespondentByIdentity(ctx, who); err != nil {
		t.Fatalf("no respondent after consent: %v", err)
	}

	ask := r.get("/s/" + key + "/delete")
	f := ask.form(t, "answer")
	if ask.status != http.StatusOK || len(f.buttons) != 1 || !strings.Contains(ask.body, "Möchten Sie wirklich alle Ihre Daten löschen?") {
		t.Fatalf("erase page: status %d, want a question with one button:\n%s", ask.status, ask.body)
	}
	if resp, _ := r.postRaw(f.action, ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("erase without the CSRF token: status %d, want 403", resp.StatusCode)
	}
	if _, err := r.db.RespondentByIdentity(ctx, who); err != nil {
		t.Fatalf("a refused erase erased: %v", err)
	}
	vals := url.Values{}
	for _, in := range f.inputs {
		vals.Set(in.attr("name"), in.attr("value"))
	}
	done := r.post(f.action, vals)
	if done.status != http.StatusOK || !strings.Contains(done.body, "Ihre Daten wurden gelöscht.") {
		t.Fatalf("erase: status %d:\n%s", done.status, done.body)
	}
	if _, err := r.db.RespondentByIdentity(ctx, who); !errors.Is(err, survey.ErrNotFound) {
		t.Errorf("the respondent is still known: %v", err)
	}
	// Erasing again, or a link never used, says the same.
	if again := r.post(f.action, vals); again.status != http.StatusOK || !strings.Contains(again.body, "Ihre Daten wurden gelöscht.") {
		t.Errorf("erasing again: status %d", again.status)
	}
}
