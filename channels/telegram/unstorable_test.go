package telegram_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestUnstorableText sends what SQL cannot store (a NUL, a control
// character, invalid UTF-8) at a question, on SQLite and on PostgreSQL:
// the webhook answers 200, so Telegram does not deliver it again, the
// respondent is told in their language, nothing is stored, and the next
// answer is taken as usual.
func TestUnstorableText(t *testing.T) {
	variants := []rigOptions{{mode: telegram.ModeWebhook}}
	if storetest.ServersEnabled(t) {
		variants = append(variants, rigOptions{mode: telegram.ModeWebhook, postgres: true})
	}
	for _, o := range variants {
		t.Run(fmt.Sprintf("postgres=%v", o.postgres), func(t *testing.T) {
			r := newRig(t, o)
			const chat = 4242
			r.deliver(r.fake.SendText(chat, "/start"))
			r.act(chat, "ja")
			for i, text := range []string{"Glasfaser\x00bitte", "1\x07", "Glas\xfffaser"} {
				before := len(r.fake.Messages(chat))
				r.deliver(r.fake.SendText(chat, text)) // fails unless the webhook answers 200
				told := false
				for _, m := range r.fake.Messages(chat)[before:] {
					told = told || strings.Contains(m.Text, "nicht speichern")
				}
				if !told {
					t.Errorf("text %d: the respondent was not told", i)
				}
			}
			if got := answersOf(t, r.db, chat); len(got) != 0 {
				t.Errorf("stored %v from unstorable text", got)
			}
			r.act(chat, "1")
			if got := answersOf(t, r.db, chat); got["org_type"].Value != "business" {
				t.Errorf("the next answer: %v, want org_type=business", got)
			}
		})
	}
}

// refusing is the dialog service with a database that refuses one text,
// as PostgreSQL refuses a value it cannot store.
type refusing struct {
	telegram.Conversations
	text string
}

func (c refusing) HandleOnce(ctx context.Context, who survey.Identity, in dialogs.Input, key string) (bot.Reply, error) {
	if in.Text == c.text {
		return bot.Reply{}, fmt.Errorf("apply step: %w: invalid byte sequence", survey.ErrUnstorable)
	}
	return c.Conversations.HandleOnce(ctx, who, in, key)
}

// TestUpdateTheDatabaseRefuses: an update the database refuses would fail
// however often Telegram delivered it, and hold up the ones behind it. It
// is answered 200 once, the respondent is told, and the dialog goes on.
func TestUpdateTheDatabaseRefuses(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook, wrap: func(c telegram.Conversations) telegram.Conversations {
		return refusing{Conversations: c, text: "30159"}
	}})
	const chat = 4343
	r.deliver(r.fake.SendText(chat, "/start"))
	r.act(chat, "ja")
	before := r.posts.Load()
	r.deliver(r.fake.SendText(chat, "30159")) // fails unless the webhook answers 200
	if r.posts.Load()-before != 1 {
		t.Errorf("the update was posted %d times", r.posts.Load()-before)
	}
	last, _ := r.fake.LastMessage(chat)
	if !strings.Contains(last.Text, "nicht speichern") {
		t.Errorf("the respondent was not told: %q", last.Text)
	}
	r.act(chat, "1")
	if got := answersOf(t, r.db, chat); got["org_type"].Value != "business" {
		t.Errorf("the dialog did not go on: %v", got)
	}
}
