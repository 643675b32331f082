package slack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/slack"
	"github.com/surveybot/surveybot/channels/slacktest"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestPrefillConfirmedWithOnePress follows a firm into a later wave: after
// consent its screening answers of the wave before come as one message,
// and one press of "Ja, stimmt" takes them all and asks the next question.
func TestPrefillConfirmedWithOnePress(t *testing.T) {
	r := newRig(t, rigOptions{})
	const user = "U0WAVE2"
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	rid, err := r.db.EnsureRespondent(ctx, survey.Identity{Channel: slack.ChannelName, External: user})
	if err != nil {
		t.Fatal(err)
	}
	storetest.PrefilledResponse(t, r.db, q, rid, slack.ChannelName, map[string]string{"chamber": "hwk_h"},
		map[string]string{"org_type": "business", "sector": "handwerk", "size": "s10_49", "postcode": "30159"})

	r.typeText(user, "start")
	r.act(user, "ja") // consent
	dm := slacktest.DMOf(user)
	m, ok := r.fake.LastInteractive(dm)
	if !ok || m.Shown() != "Noch aktuell? Unternehmen / Betrieb · Handwerk · 10–49 Beschäftigte · PLZ 30159" {
		t.Fatalf("after consent %q, want the prefill question", m.Shown())
	}
	var buttons []string
	yes := ""
	for _, a := range m.Actions() {
		buttons = append(buttons, a.Label+"="+a.ActionID)
		if a.Label == "Ja, stimmt" {
			yes = a.ActionID
		}
	}
	if got := strings.Join(buttons, " "); got != "Ja, stimmt=o|@prefill|yes Ändern=o|@prefill|no" {
		t.Errorf("buttons %s", got)
	}
	r.press(user, m, yes, nil)

	next, _ := r.fake.LastInteractive(dm)
	if !strings.Contains(next.Shown(), "Welche Digitalberatung hat Ihr Betrieb") {
		t.Errorf("after confirming %q, want the first question after the screening", next.Shown())
	}
	for _, e := range r.fake.Ephemerals(dm) {
		if strings.Contains(e.Shown(), "⚠️") {
			t.Errorf("the press was rejected: %q", e.Shown())
		}
	}
	a := answersOf(t, r.db, user)
	for id, ans := range a {
		if ans.Prefilled {
			t.Errorf("%s still a proposal after confirming: %+v", id, ans)
		}
	}
	if len(a) != 5 || a["sector"].Value != "handwerk" || a["postcode"].Value != "30159" {
		t.Errorf("answers %v, want the four confirmed and the fixed chamber", a)
	}
}
