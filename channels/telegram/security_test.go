package telegram_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// securityQuestionnaire asks for free text first, so what a respondent
// types comes back in the next messages; its question text has HTML's
// special characters too, as a chamber's own file might.
const securityQuestionnaire = dialogstest.FreeTextYAML

// newSecurityRig is newRig in webhook mode over securityQuestionnaire.
func newSecurityRig(t *testing.T) *rig {
	t.Helper()
	q, err := dialogs.Parse("sectest.yaml", []byte(securityQuestionnaire), nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	r := &rig{t: t, fake: telegramtest.New(t, token), db: storetest.SQLite(t)}
	if err := r.db.RegisterQuestionnaire(context.Background(), q.Ref(), []byte(securityQuestionnaire)); err != nil {
		t.Fatal(err)
	}
	r.svc = bot.NewService(r.db, store.NewMemorySessions(time.Hour), log, q)
	r.queue = outbox.New(outbox.NewMemoryLimiter(outbox.Limits{PerKey: 1000, PerKeyBurst: 100, Global: 10000, GlobalBurst: 1000}),
		outbox.Options{Log: log, Backoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.queue.Close(ctx)
	})
	r.ch, err = telegram.New(telegram.Config{
		Token: token, APIURL: r.fake.URL(), Mode: telegram.ModeWebhook, WebhookSecret: secret, OpenAnswering: true,
	}, r.svc, store.NewMemoryKV(), r.queue, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.ch.Run(ctx); err != nil {
			t.Errorf("channel run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	r.fake.WaitFor(t, 5*time.Second, func(s *telegramtest.Server) bool { return len(s.CallsTo("setMyCommands")) == 3 })
	srv := httptest.NewServer(r.ch.Handler())
	t.Cleanup(srv.Close)
	r.webhook = srv.URL
	return r
}

// TestSecurityHTMLInjectionInFreeText types Telegram HTML and other markup
// as a free text answer. The bot echoes it — under the answered question
// ("✓ …") and above the question when going back ("(Ihre Antwort: …)") —
// in messages sent with parse_mode HTML: each must show the text as typed,
// with no formatting, link or mention made of it, and Telegram must accept
// every message (an unescaped "<script>" is a 400 "can't parse entities").
func TestSecurityHTMLInjectionInFreeText(t *testing.T) {
	r := newSecurityRig(t)
	payloads := []string{
		`<script>alert(1)</script>`,
		`<a href="https://evil.example/login">Bitte hier neu anmelden</a>`,
		`<a href="tg://user?id=777">@admin</a> <b>fett</b> <tg-spoiler>x</tg-spoiler>`,
		`&lt;b&gt; & &amp; <`,
		`<pre><code class="language-go">x</code></pre>`,
	}
	for i, payload := range payloads {
		chat := int64(5000 + i)
		r.deliver(r.fake.SendText(chat, "/start"))
		r.act(chat, "ja")
		r.act(chat, payload)
		r.act(chat, "zurück")
		r.act(chat, payload)
		r.act(chat, "ja")

		var answered, previous bool
		for _, m := range r.fake.Messages(chat) {
			if strings.Contains(m.Text, "✓ "+payload) {
				answered = true
			}
			if strings.Contains(m.Text, payload+")") && strings.Contains(m.Text, "Was sagt <Firma & Co> dazu?") {
				previous = true
			}
			for _, e := range m.Entities {
				if e.Type != models.MessageEntityTypeBold && e.Type != models.MessageEntityTypeItalic {
					t.Errorf("%q: the message %q has a %s entity", payload, m.Text, e.Type)
				}
			}
		}
		if !answered {
			t.Errorf("%q: no message shows the answer as typed after ✓", payload)
		}
		if !previous {
			t.Errorf("%q: going back does not show the answer as typed", payload)
		}
		resp, err := r.db.CurrentResponse(context.Background(), survey.Identity{Channel: telegram.ChannelName, External: itoa(chat)})
		if err != nil {
			t.Fatal(err)
		}
		a, err := r.db.Answers(context.Background(), resp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a["note"].Value != payload || resp.Status != survey.StatusCompleted {
			t.Errorf("%q: stored %q (%s), want it verbatim and the response completed", payload, a["note"].Value, resp.Status)
		}
	}
	for _, c := range r.fake.Calls() {
		if c.Status != http.StatusOK {
			t.Errorf("Telegram refused %s: %d %s (text %q)", c.Method, c.Status, c.Description, c.Params["text"])
		}
	}
}

// TestSecurityWebhookRejectsBeforeStoring sends updates with a wrong
// secret, an oversized body and a secret that is the right one's prefix:
// none is taken, so neither a response nor a remembered update id exists
// afterwards, and the same update with the right secret is then taken.
func TestSecurityWebhookRejectsBeforeStoring(t *testing.T) {
	r := newSecurityRig(t)
	const chat = 4242
	u := r.fake.SendText(chat, "/start")
	body, _ := json.Marshal(u)
	post := func(secret string, body []byte) int {
		req, _ := http.NewRequest(http.MethodPost, r.webhook, strings.NewReader(string(body)))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	before := len(r.fake.Calls())
	big := []byte(`{"update_id":` + itoa(u.ID) + `,"message":{"text":"` + strings.Repeat("x", 2<<20) + `"}}`)
	for name, tc := range map[string]struct {
		secret string
		body   []byte
		want   int
	}{
		"wrong secret":         {"wrong-secret-0123456789", body, http.StatusForbidden},
		"prefix of the secret": {secret[:len(secret)-1], body, http.StatusForbidden},
		"secret with a suffix": {secret + "x", body, http.StatusForbidden},
		"oversized body":       {secret, big, http.StatusRequestEntityTooLarge},
		"oversized, no secret": {"", big, http.StatusForbidden},
		"secret in other case": {strings.ToUpper(secret), body, http.StatusForbidden},
	} {
		if got := post(tc.secret, tc.body); got != tc.want {
			t.Errorf("%s: status %d, want %d", name, got, tc.want)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(r.fake.Calls()) - before; n != 0 {
		t.Errorf("rejected updates made the bot act (%d Bot API calls)", n)
	}
	if _, err := r.db.CurrentResponse(context.Background(), survey.Identity{Channel: telegram.ChannelName, External: itoa(chat)}); err == nil {
		t.Errorf("a rejected update started a response")
	}
	// Had a rejected update been remembered as taken, this one would be dropped.
	if got := post(secret, body); got != http.StatusOK {
		t.Fatalf("the right secret: status %d, want 200", got)
	}
	r.settle()
	if m, ok := r.fake.LastKeyboardMessage(chat); !ok || !strings.Contains(m.Text, "Hinweis zum Datenschutz") {
		t.Errorf("the update with the right secret was not taken: %q", m.Text)
	}
}

func itoa[T int | int64](n T) string {
	b, _ := json.Marshal(n)
	return string(b)
}
