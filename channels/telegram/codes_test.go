package telegram_test

import (
	"context"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestDigestCodeCannotBeGuessed sends wrong digest codes from one chat:
// after five the chat is told to wait, and even the right code does not
// subscribe it then, however often it tries. Another chat is not held up,
// and a chat that finds the right code within its tries starts afresh.
func TestDigestCodeCannotBeGuessed(t *testing.T) {
	variants := map[string]rigOptions{"sqlite+memory": {mode: telegram.ModeWebhook, closed: true}}
	if storetest.ServersEnabled(t) {
		variants["postgres+redis"] = rigOptions{mode: telegram.ModeWebhook, closed: true, postgres: true}
	}
	for name, o := range variants {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, o)
			subscribed := func(chat string) bool {
				subs, err := r.db.Subscribers(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range subs {
					if s == (survey.Subscriber{Kind: "telegram", Target: chat}) {
						return true
					}
				}
				return false
			}
			last := func(chat int64) string {
				m, _ := r.fake.LastMessage(chat)
				return m.Text
			}

			const guesser = 70
			for i := range 4 {
				r.deliver(r.fake.SendText(guesser, "/subscribe guess-"+string(rune('a'+i))))
				if got := last(guesser); !strings.Contains(got, "Code stimmt nicht") {
					t.Fatalf("wrong code %d: %q, want that the code is wrong", i+1, got)
				}
			}
			r.deliver(r.fake.SendText(guesser, "/subscribe guess-e"))
			if got := last(guesser); !strings.Contains(got, "zu viele falsche Codes") || !strings.Contains(got, "15 Minuten") {
				t.Fatalf("fifth wrong code: %q, want to be told to wait 15 minutes", got)
			}
			for i := range 25 {
				code := "guess-more"
				if i%5 == 4 {
					code = "council-2026"
				}
				r.deliver(r.fake.SendText(guesser, "/subscribe "+code))
				if got := last(guesser); !strings.Contains(got, "zu viele falsche Codes") {
					t.Fatalf("try %d after the limit: %q, want it refused", 6+i, got)
				}
			}
			if subscribed("70") {
				t.Error("the guessing chat got subscribed with the right code after its tries were used up")
			}

			// An English council member in another chat mistypes, then
			// subscribes, and has all tries again afterwards.
			const member = 71
			r.fake.SetLanguage(member, "en")
			for range 4 {
				r.deliver(r.fake.SendText(member, "/subscribe council-2025"))
			}
			r.deliver(r.fake.SendText(member, "/subscribe council-2026"))
			if !subscribed("71") {
				t.Fatalf("the member's chat is not subscribed; last message %q", last(member))
			}
			for range 4 {
				r.deliver(r.fake.SendText(member, "/subscribe council-2025"))
				if got := last(member); !strings.Contains(got, "code is wrong") {
					t.Fatalf("wrong code after subscribing: %q, want that the code is wrong", got)
				}
			}
			r.deliver(r.fake.SendText(member, "/subscribe council-2025"))
			if got := last(member); !strings.Contains(got, "Too many wrong codes") {
				t.Errorf("fifth wrong code in English: %q", got)
			}
		})
	}
}
