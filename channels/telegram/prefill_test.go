package telegram_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestPrefillConfirmedWithOnePress follows a firm into a later wave: after
// consent its screening answers of the wave before come as one message,
// and one press of "Ja, stimmt" takes them all and asks the next question.
func TestPrefillConfirmedWithOnePress(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook})
	const chat = 4800
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	rid, err := r.db.EnsureRespondent(ctx, survey.Identity{Channel: telegram.ChannelName, External: strconv.Itoa(chat)})
	if err != nil {
		t.Fatal(err)
	}
	storetest.PrefilledResponse(t, r.db, q, rid, telegram.ChannelName, map[string]string{"chamber": "hwk_h"},
		map[string]string{"org_type": "business", "sector": "handwerk", "size": "s10_49", "postcode": "30159"})

	r.deliver(r.fake.SendText(chat, "/start"))
	r.act(chat, "ja") // consent
	m, ok := r.fake.LastKeyboardMessage(chat)
	if !ok || m.Text != "Noch aktuell? Unternehmen / Betrieb · Handwerk · 10–49 Beschäftigte · PLZ 30159" {
		t.Fatalf("after consent %q, want the prefill question", m.Text)
	}
	var labels []string
	for _, row := range m.Keyboard {
		for _, b := range row {
			labels = append(labels, b.Text+"="+b.CallbackData)
		}
	}
	if got := strings.Join(labels, " "); got != "Ja, stimmt=o|@prefill|yes Ändern=o|@prefill|no" {
		t.Errorf("buttons %s", got)
	}
	r.deliver(r.fake.PressButton(chat, "Ja, stimmt"))
	// The prefill message keeps what was chosen, without its buttons.
	if msgs := r.fake.Messages(chat); len(msgs) < 2 || msgs[len(msgs)-2].MessageID != m.MessageID || len(msgs[len(msgs)-2].Keyboard) != 0 {
		t.Errorf("the prefill message still has its buttons: %+v", msgs[len(msgs)-2])
	}

	next, _ := r.fake.LastKeyboardMessage(chat)
	if !strings.Contains(next.Text, "Welche Digitalberatung hat Ihr Betrieb") {
		t.Errorf("after confirming %q, want the first question after the screening", next.Text)
	}
	if u := r.fake.UnansweredCallbacks(); len(u) > 0 {
		t.Errorf("%d button presses were never answered", len(u))
	}
	for id, a := range answersOf(t, r.db, chat) {
		if a.Prefilled {
			t.Errorf("%s still a proposal after confirming: %+v", id, a)
		}
	}
	if a := answersOf(t, r.db, chat); len(a) != 5 || a["sector"].Value != "handwerk" || a["postcode"].Value != "30159" {
		t.Errorf("answers %v, want the four confirmed and the fixed chamber", a)
	}
}
