package slack_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/channels/slack"
	"github.com/surveybot/surveybot/channels/slacktest"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// securityQuestionnaire asks for free text first, so what a respondent
// types comes back in the next messages.
const securityQuestionnaire = dialogstest.FreeTextYAML

// newSecurityRig is newRig in HTTP mode over securityQuestionnaire.
func newSecurityRig(t *testing.T) *rig {
	t.Helper()
	q, err := dialogs.Parse("sectest.yaml", []byte(securityQuestionnaire), nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	r := &rig{t: t, fake: slacktest.New(t), db: storetest.SQLite(t)}
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
	r.ch, err = slack.New(slack.Config{
		BotToken: botToken, SigningSecret: secret, APIURL: r.fake.APIURL(), Mode: slack.ModeHTTP, OpenAnswering: true,
		Now: func() time.Time { return time.Now().Add(time.Duration(r.skew.Load())) },
	}, r.svc, store.NewMemoryKV(), r.queue, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	r.ch.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r.url = srv.URL
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.ch.Run(ctx); err != nil {
			t.Errorf("channel run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

// mrkdwnControl finds Slack's control sequences: mentions (<@U…>, <!here>,
// <!channel>, <!subteam^…>), channel links (<#C…>) and links (<http…|…>).
func mrkdwnControl(s string) bool {
	for _, c := range []string{"<@", "<!", "<#", "<http", "<mailto", "<tel"} {
		if strings.Contains(s, c) {
			return true
		}
	}
	return false
}

// TestSecurityMrkdwnInjectionInFreeText types Slack's mention and link
// syntax as a free text answer. The bot echoes it under the answered
// question and above the question when going back: in every message,
// block and notification text it is escaped, so it pings nobody and links
// nowhere, and it reads as typed.
func TestSecurityMrkdwnInjectionInFreeText(t *testing.T) {
	r := newSecurityRig(t)
	payloads := []string{
		`<!channel> Bitte alle sofort antworten`,
		`<!here|here> <!everyone> <!subteam^S0ADMINS>`,
		`<@U0ADMIN> hat gesagt: <https://evil.example/login|Hier neu anmelden>`,
		`<#C0GENERAL> & <mailto:chef@example.org|Chef>`,
	}
	for i, payload := range payloads {
		user := fmt.Sprintf("U0SEC%d", i)
		r.typeText(user, "start")
		r.act(user, "ja")
		r.act(user, payload)
		r.act(user, "zurück")
		r.act(user, payload)
		r.act(user, "ja")

		escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(payload)
		dm := slacktest.DMOf(user)
		var answered, previous bool
		for _, m := range append(r.fake.Messages(dm), r.fake.Ephemerals(dm)...) {
			for _, s := range []string{m.Text, m.Shown()} {
				if mrkdwnControl(s) {
					t.Errorf("%q: a message carries a control sequence: %q", payload, s)
				}
			}
			shown := m.Shown()
			answered = answered || strings.Contains(shown, "✓ "+escaped)
			previous = previous || strings.Contains(shown, escaped+")")
		}
		if !answered {
			t.Errorf("%q: no message shows the answer, escaped, after ✓", payload)
		}
		if !previous {
			t.Errorf("%q: going back does not show the answer, escaped", payload)
		}
		if a := answersOf(t, r.db, user); a["note"].Value != payload {
			t.Errorf("%q: stored %q, want it verbatim", payload, a["note"].Value)
		}
	}
	// The question text of a chamber's file is escaped the same way.
	for _, m := range r.fake.Messages(slacktest.DMOf("U0SEC0")) {
		if strings.Contains(m.Shown(), "Was sagt") && !strings.Contains(m.Shown(), "Was sagt &lt;Firma &amp; Co&gt; dazu?") {
			t.Errorf("question text not escaped: %q", m.Shown())
		}
	}
}

// TestSecurityPostEscapesText posts a digest whose text holds Slack's
// control sequences and the digest's own "n<5": the channel sees them as
// text; nobody is pinged.
func TestSecurityPostEscapesText(t *testing.T) {
	r := newSecurityRig(t)
	text := "• <!channel> Kammer <@U0X> & Co: · (n<5)"
	if err := r.ch.Post(context.Background(), "C0COUNCIL", text, nil, ""); err != nil {
		t.Fatal(err)
	}
	r.settle()
	m, ok := r.fake.LastMessage("C0COUNCIL")
	if !ok {
		t.Fatal("nothing posted")
	}
	if want := "• &lt;!channel&gt; Kammer &lt;@U0X&gt; &amp; Co: · (n&lt;5)"; m.Text != want {
		t.Errorf("posted text %q, want %q", m.Text, want)
	}
}

// TestSecurityOversizedBodies posts more than a megabyte, signed and
// unsigned, to each of the three endpoints: 413 or 401, never taken.
func TestSecurityOversizedBodies(t *testing.T) {
	r := newSecurityRig(t)
	const user = "U0BIG"
	pad := strings.Repeat("x", 2<<20)
	bodies := map[string]struct {
		contentType string
		body        []byte
	}{
		slack.RouteEvents:        {jsonType, []byte(strings.Replace(string(slacktest.MessageEvent("EvBIG1", user, slacktest.DMOf(user), "1700000000.000001", "start")), `"start"`, `"start `+pad+`"`, 1))},
		slack.RouteInteractivity: {formType, []byte("payload=%7B%7D&pad=" + pad)},
		slack.RouteCommands:      {formType, append(slacktest.SlashCommand(user, "C0GENERAL", "/umfrage", "start", "cmd.big"), []byte("&pad="+pad)...)},
	}
	for route, b := range bodies {
		if code, _ := r.post(route, b.contentType, b.body, time.Now(), nil); code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s, signed, oversized: status %d, want 413", route, code)
		}
		req, _ := http.NewRequest(http.MethodPost, r.url+route, strings.NewReader(string(b.body)))
		req.Header.Set("Content-Type", b.contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge && resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s, unsigned, oversized: status %d, want 413 or 401", route, resp.StatusCode)
		}
	}
	r.settle()
	if n := len(r.fake.Calls()); n != 0 {
		t.Errorf("oversized requests made the bot act (%d Web API calls)", n)
	}
	if _, err := r.db.CurrentResponse(context.Background(), survey.Identity{Channel: slack.ChannelName, External: user}); err == nil {
		t.Errorf("an oversized request started a response")
	}
	// The same event at its normal size is taken: nothing of the oversized
	// one was remembered as taken.
	r.typeText(user, "start")
	if m, ok := r.fake.LastInteractive(slacktest.DMOf(user)); !ok || !strings.Contains(m.Shown(), "Hinweis zum Datenschutz") {
		t.Errorf("the normal event after the oversized ones: DM shows %q", m.Shown())
	}
}

// TestSecurityForgedRequestsOnEveryEndpoint signs button presses and slash
// commands with a wrong secret, or signs them long ago: 401, and the
// presses change no answer.
func TestSecurityForgedRequestsOnEveryEndpoint(t *testing.T) {
	r := newSecurityRig(t)
	const user = "U0FORGE"
	r.typeText(user, "start")
	m, ok := r.fake.LastInteractive(slacktest.DMOf(user))
	if !ok {
		t.Fatal("no consent message")
	}
	var yes string
	for _, a := range m.Actions() {
		if strings.HasSuffix(a.ActionID, "|"+dialogs.CodeYes) {
			yes = a.ActionID
		}
	}
	calls := len(r.fake.Calls())
	press := r.pressBody(user, m, yes, nil)
	command := slacktest.SlashCommand(user, "C0GENERAL", "/umfrage", "delete", "cmd.forged")
	for _, tc := range []struct {
		name, route, contentType string
		body                     []byte
	}{
		{"button press", slack.RouteInteractivity, formType, press},
		{"slash command", slack.RouteCommands, formType, command},
	} {
		forged := slacktest.SignedRequest(r.url+tc.route, tc.contentType, "not-the-signing-secret", time.Now(), tc.body)
		if resp, err := http.DefaultClient.Do(forged); err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s signed with another secret: %v %v, want 401", tc.name, resp.Status, err)
		}
		if code, _ := r.post(tc.route, tc.contentType, tc.body, time.Now().Add(-10*time.Minute), nil); code != http.StatusUnauthorized {
			t.Errorf("%s signed 10 minutes ago: %d, want 401", tc.name, code)
		}
	}
	r.settle()
	if n := len(r.fake.Calls()) - calls; n != 0 {
		t.Errorf("forged requests made the bot act (%d Web API calls)", n)
	}
	resp, err := r.db.CurrentResponse(context.Background(), survey.Identity{Channel: slack.ChannelName, External: user})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != survey.StatusStarted || resp.Seq != 0 {
		t.Errorf("response %s at seq %d after forged requests, want it untouched", resp.Status, resp.Seq)
	}
}
