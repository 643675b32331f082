package telegram_test

import (
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
)

// TestHintsNameTheButtons answers the whole questionnaire: no question
// talks of typed words ("-", option numbers); the hints name the buttons.
func TestHintsNameTheButtons(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook})
	const chat = 4712
	r.deliver(r.fake.SendText(chat, "/start"))
	for _, in := range dialogstest.CraftBusiness().Inputs {
		r.act(chat, in)
	}
	var all strings.Builder
	for _, m := range r.fake.Messages(chat) {
		all.WriteString(m.Text + "\n")
		for _, w := range []string{"„-“", "Nummern", "z. B. „1 3“", "mit einer Zahl"} {
			if strings.Contains(m.Text, w) {
				t.Errorf("a message says %q: %q", w, m.Text)
			}
		}
	}
	if !strings.Contains(all.String(), "mit dem Befehl /delete") || strings.Contains(all.String(), "„löschen“ schreiben") {
		t.Errorf("the privacy notice does not name /delete")
	}
	for _, w := range []string{"mit den Knöpfen und dann „fertig ✓“", "Wenn Sie nicht antworten möchten: „keine Angabe“.", "Bitte wählen Sie einen Wert von 1"} {
		if !strings.Contains(all.String(), w) {
			t.Errorf("no message says %q", w)
		}
	}
}
