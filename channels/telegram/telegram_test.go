package telegram_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

const (
	token  = "123456:TEST-token"
	secret = "test-webhook-secret-0123456789"
)

// rig is a Telegram channel wired to real stores and a fake Bot API.
type rig struct {
	t       testing.TB
	fake    *telegramtest.Server
	db      *store.DB
	svc     *bot.Service
	queue   *outbox.Queue
	ch      *telegram.Channel
	webhook string       // URL of the webhook handler, in webhook mode
	posts   atomic.Int64 // requests the webhook handler got
}

type rigOptions struct {
	mode     string
	closed   bool             // open answering off
	postgres bool             // PostgreSQL + Redis instead of SQLite + in-process
	log      *slog.Logger     // nil: discard (or stderr with SURVEYBOT_TEST_VERBOSE)
	metrics  *metrics.Metrics // nil: none
	// callbacks answers button presses through a queue of its own; nil:
	// through the channel's queue.
	callbacks telegram.Sender
	// wrap stands between the channel and the dialog service; nil: none.
	wrap func(telegram.Conversations) telegram.Conversations
}

func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("SURVEYBOT_TEST_VERBOSE") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if o.log != nil {
		log = o.log
	}
	r := &rig{t: t, fake: telegramtest.New(t, token)}
	stores := storetest.Memory(t)
	if o.postgres {
		stores = storetest.Servers(t)
	}
	r.db = stores.DB
	var svcOpts []bot.Option
	var chOpts []telegram.Option
	if o.metrics != nil {
		svcOpts = append(svcOpts, bot.WithMetrics(o.metrics))
		chOpts = append(chOpts, telegram.WithMetrics(o.metrics.Channel(telegram.ChannelName)))
	}
	if o.callbacks != nil {
		chOpts = append(chOpts, telegram.WithCallbacks(o.callbacks))
	}
	r.svc = bot.NewService(r.db, stores.Sessions(), log, q, svcOpts...)
	r.queue = outbox.New(outbox.NewMemoryLimiter(outbox.Limits{PerKey: 1000, PerKeyBurst: 100, Global: 10000, GlobalBurst: 1000}),
		outbox.Options{Log: log, Backoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Observer: o.metrics.Queue("telegram", telegram.ChannelName)})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.queue.Close(ctx)
	})
	r.ch, err = telegram.New(telegram.Config{
		Token: token, APIURL: r.fake.URL(), Mode: o.mode, WebhookSecret: secret,
		OpenAnswering: !o.closed, PollTimeout: time.Second, SubscribeCode: "council-2026",
	}, conversations(r.svc, o.wrap), stores.KV, r.queue, log, chOpts...)
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
	if o.mode == telegram.ModeWebhook {
		h := r.ch.Handler()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			r.posts.Add(1)
			h.ServeHTTP(w, req)
		}))
		t.Cleanup(srv.Close)
		r.webhook = srv.URL
	}
	return r
}

func conversations(svc *bot.Service, wrap func(telegram.Conversations) telegram.Conversations) telegram.Conversations {
	if wrap == nil {
		return svc
	}
	return wrap(svc)
}

// deliver hands an update to the channel the way its mode receives it, and
// waits until the channel has acted on it.
func (r *rig) deliver(u models.Update) {
	r.t.Helper()
	if r.webhook != "" {
		resp, err := r.fake.PostUpdate(r.webhook, secret, u)
		if err != nil {
			r.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			r.t.Fatalf("webhook answered %d for update %d", resp.StatusCode, u.ID)
		}
	} else {
		r.fake.Queue(u)
	}
	r.settle()
}

// settle waits until the bot has taken (confirmed) every update and sent
// everything.
func (r *rig) settle() {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last, stable := -1, 0
	for time.Now().Before(deadline) {
		n := len(r.fake.Calls())
		taken := r.webhook != "" || r.fake.Pending() == 0 // polling: every update confirmed
		if n == last && r.queue.Len() == 0 && taken {
			if stable++; stable >= 3 {
				return
			}
		} else {
			stable = 0
		}
		last = n
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("the bot did not settle within 10s (%d calls, %d queued)", last, r.queue.Len())
}

// act does what a respondent would to answer with a console-style input:
// a number presses that option's button, "-" the "keine Angabe" button,
// "fertig", "zurück" and "überspringen" their buttons, "ja"/"nein" the yes
// and no buttons; anything else is typed. It only ever presses buttons of
// the message the bot sent last with a keyboard.
func (r *rig) act(chat int64, input string) {
	r.t.Helper()
	m, ok := r.fake.LastKeyboardMessage(chat)
	if !ok {
		r.deliver(r.fake.SendText(chat, input))
		return
	}
	var options []telegramtest.Button
	var byCode = map[string]telegramtest.Button{}
	var commands = map[string]telegramtest.Button{}
	for _, row := range m.Keyboard {
		for _, b := range row {
			parts := strings.Split(b.CallbackData, "|")
			if len(parts) != 3 {
				continue
			}
			switch parts[0] {
			case "o":
				byCode[parts[2]] = b
				if parts[2] != dialogs.CodeNA {
					options = append(options, b)
				}
			case "c":
				commands[parts[2]] = b
			}
		}
	}
	press := func(b telegramtest.Button) { r.deliver(r.fake.Press(chat, m.MessageID, b.CallbackData)) }
	words := strings.Fields(input)
	switch {
	case input == "-":
		press(byCode[dialogs.CodeNA])
	case input == "fertig":
		press(commands[string(dialogs.CmdDone)])
	case input == "zurück":
		press(commands[string(dialogs.CmdBack)])
	case input == "überspringen":
		press(commands[string(dialogs.CmdSkip)])
	case input == "ja" && byCode[dialogs.CodeYes].CallbackData != "":
		press(byCode[dialogs.CodeYes])
	case input == "nein" && byCode[dialogs.CodeNo].CallbackData != "":
		press(byCode[dialogs.CodeNo])
	case len(options) > 0 && dialogstest.Numbers(words):
		for _, w := range words {
			if w == "fertig" {
				r.act(chat, "fertig")
				continue
			}
			n, _ := strconv.Atoi(w)
			if n < 1 || n > len(options) {
				r.t.Fatalf("no option %d on the message %q", n, m.Text)
			}
			// Re-read: toggling edits the message.
			m, _ = r.fake.LastKeyboardMessage(chat)
			press(options[n-1])
		}
	default:
		r.deliver(r.fake.SendText(chat, input))
	}
}

func TestWholeQuestionnaire(t *testing.T) {
	variants := []rigOptions{{mode: telegram.ModePolling}, {mode: telegram.ModeWebhook}}
	if storetest.ServersEnabled(t) {
		variants = append(variants, rigOptions{mode: telegram.ModeWebhook, postgres: true})
	}
	for _, o := range variants {
		name := o.mode
		if o.postgres {
			name += "/postgres+redis"
		}
		t.Run(name, func(t *testing.T) {
			r := newRig(t, o)
			const chat = 4711
			r.deliver(r.fake.SendText(chat, "/start"))
			for _, in := range dialogstest.CraftBusiness().Inputs {
				r.act(chat, in)
			}
			msgs := r.fake.Messages(chat)
			last := msgs[len(msgs)-1]
			if !strings.Contains(last.Text, "Gesamtindex: 38") {
				t.Fatalf("last message %q, want the summary with the composite", last.Text)
			}
			if _, ok := r.fake.LastKeyboardMessage(chat); ok {
				t.Errorf("a keyboard is still open after completion")
			}
			if u := r.fake.UnansweredCallbacks(); len(u) > 0 {
				t.Errorf("%d button presses were never answered", len(u))
			}
			for _, m := range msgs {
				if strings.Contains(m.Text, "⚠️") {
					t.Errorf("an answer was rejected: %q", m.Text)
				}
			}
			// Answered questions show their answer instead of their buttons.
			answered := 0
			for _, m := range msgs {
				if strings.Contains(m.Text, "\n\n✓ ") && len(m.Keyboard) == 0 {
					answered++
				}
			}
			if answered < 25 {
				t.Errorf("%d question messages show their answer, want about 29", answered)
			}
			checkScores(t, r.db, chat)
			if n := len(r.fake.CallsTo("setMyCommands")); n < 2 {
				t.Errorf("setMyCommands called %d times, want German and English", n)
			}
		})
	}
}

func checkScores(t *testing.T, db *store.DB, chat int64) {
	t.Helper()
	ctx := context.Background()
	resp, err := db.CurrentResponse(ctx, survey.Identity{Channel: telegram.ChannelName, External: strconv.FormatInt(chat, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != survey.StatusCompleted {
		t.Fatalf("response status %s, want completed", resp.Status)
	}
	persona := dialogstest.CraftBusiness()
	fields, composite := persona.Fields, persona.Composite
	scores, err := db.Scores(ctx, resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	for f, want := range fields {
		if math.Abs(scores[f]-want) > 1e-9 {
			t.Errorf("score %s = %v, want %v", f, scores[f], want)
		}
	}
	if resp.Composite == nil || math.Abs(*resp.Composite-composite) > 1e-9 {
		t.Errorf("composite %v, want %v", resp.Composite, composite)
	}
	if resp.TechCount == nil || *resp.TechCount != 4 {
		t.Errorf("tech count %v, want 4", resp.TechCount)
	}
}

func TestWebhookSafety(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook})
	u := r.fake.SendText(99, "/start")
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
	tests := []struct {
		name   string
		secret string
		body   []byte
		want   int
	}{
		{"no secret", "", body, http.StatusForbidden},
		{"wrong secret", "not-the-secret-at-all-123", body, http.StatusForbidden},
		{"malformed JSON", secret, []byte(`{"update_id": 5, "message": {`), http.StatusBadRequest},
		{"not an update", secret, []byte(`[1,2,3]`), http.StatusBadRequest},
		{"oversized body", secret, []byte(`{"update_id":7,"message":{"text":"` + strings.Repeat("x", 2<<20) + `"}}`), http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		if got := post(tc.secret, tc.body); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(r.fake.Calls()); n != before {
		t.Errorf("rejected calls made the bot act (%d Bot API calls)", n-before)
	}
	if _, err := r.db.CurrentResponse(context.Background(), survey.Identity{Channel: telegram.ChannelName, External: "99"}); err == nil {
		t.Errorf("a rejected update started a response")
	}
	if got := post(secret, body); got != http.StatusOK {
		t.Errorf("the right secret: status %d, want 200", got)
	}
}

// TestRedelivery delivers one update three times, also at the same time:
// it is taken once.
func TestRedelivery(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook})
	const chat = 42
	r.deliver(r.fake.SendText(chat, "/start"))
	r.act(chat, "ja")
	sent := len(r.fake.CallsTo("sendMessage"))
	u := r.fake.SendText(chat, "1") // business, typed
	var wg sync.WaitGroup
	codes := make([]int, 3)
	for i := range 3 {
		wg.Go(func() {
			resp, err := r.fake.PostUpdate(r.webhook, secret, u)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for _, c := range codes {
		if c != http.StatusOK && c != http.StatusServiceUnavailable {
			t.Errorf("redelivery answered %d", c)
		}
	}
	// Telegram delivers again what got 503; afterwards every copy is known.
	for range 2 {
		resp, err := r.fake.PostUpdate(r.webhook, secret, u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("late redelivery answered %d", resp.StatusCode)
		}
	}
	r.settle()
	if got := len(r.fake.CallsTo("sendMessage")) - sent; got != 1 {
		t.Errorf("the update was answered %d times, want once", got)
	}
	answers := answersOf(t, r.db, chat)
	if len(answers) != 1 || answers["org_type"].Value != "business" {
		t.Errorf("answers %v, want org_type=business only", answers)
	}
}

func answersOf(t *testing.T, db *store.DB, chat int64) map[string]dialogs.Answer {
	t.Helper()
	ctx := context.Background()
	resp, err := db.CurrentResponse(ctx, survey.Identity{Channel: telegram.ChannelName, External: strconv.FormatInt(chat, 10)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.Answers(ctx, resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestOutOfOrder delivers a chat's later message before its earlier one:
// the late one is not applied to the wrong question, and the respondent is told.
func TestOutOfOrder(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook})
	const chat = 43
	r.deliver(r.fake.SendText(chat, "/start"))
	r.act(chat, "ja")
	first := r.fake.SendText(chat, "1")  // business
	second := r.fake.SendText(chat, "2") // Industrie
	r.deliver(second)
	r.deliver(first)
	answers := answersOf(t, r.db, chat)
	if answers["org_type"].Value != "education" || len(answers) != 1 {
		t.Errorf("answers %v: the later message answered the current question; the late one must not be applied", answers)
	}
	last, _ := r.fake.LastMessage(chat)
	if !strings.Contains(last.Text, "verspätet") || !strings.Contains(last.Text, "„1“") {
		t.Errorf("last message %q, want the notice that „1“ arrived late", last.Text)
	}
}

// TestStaleButton presses the same button twice before the first press is
// handled: the second changes nothing and is answered "bereits beantwortet".
func TestStaleButton(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook})
	const chat = 44
	r.deliver(r.fake.SendText(chat, "/start"))
	r.act(chat, "ja")
	m, _ := r.fake.LastKeyboardMessage(chat)
	data := m.Keyboard[0][0].CallbackData // "Unternehmen / Betrieb"
	one := r.fake.Press(chat, m.MessageID, data)
	two := r.fake.Press(chat, m.MessageID, data)
	r.deliver(one)
	before := len(r.fake.CallsTo("sendMessage"))
	r.deliver(two)
	if n := len(r.fake.CallsTo("sendMessage")) - before; n != 0 {
		t.Errorf("the stale press sent %d messages", n)
	}
	calls := r.fake.CallsTo("answerCallbackQuery")
	if last := calls[len(calls)-1]; !strings.Contains(last.Params["text"], "bereits beantwortet") {
		t.Errorf("stale press answered %q, want „bereits beantwortet“", last.Params["text"])
	}
	if a := answersOf(t, r.db, chat); len(a) != 1 {
		t.Errorf("answers %v, want one", a)
	}
}

// TestRateLimitedDuringDialog makes Telegram answer 429 with retry_after 1
// in the middle of a dialog: the message arrives after the wait, once, and
// the dialog goes on.
func TestRateLimitedDuringDialog(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook})
	const chat = 45
	r.deliver(r.fake.SendText(chat, "/start"))
	r.act(chat, "ja")
	r.fake.FailNext("sendMessage", 1, 1)
	start := time.Now()
	r.act(chat, "1") // business: the next question hits the 429
	if r.fake.Count429() != 1 {
		t.Fatalf("%d 429s, want 1", r.fake.Count429())
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("the next question came after %v, before retry_after", waited)
	}
	m, ok := r.fake.LastKeyboardMessage(chat)
	if !ok || !strings.Contains(m.Text, "Branche") {
		t.Fatalf("after the 429 the bot shows %q, want the sector question", m.Text)
	}
	r.act(chat, "2")
	if a := answersOf(t, r.db, chat); a["sector"].Value != "industrie" {
		t.Errorf("answers %v after the 429", a)
	}
}

// TestInvitationTelegramThenConsole starts a personal invitation in Telegram
// and finishes the same response in the terminal.
func TestInvitationTelegramThenConsole(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModePolling, closed: true})
	ctx := context.Background()
	_, key, err := r.db.CreateInvitation(ctx, survey.NewInvitation{Lang: dialogs.German, Fixed: map[string]string{"chamber": "hwk_h"}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	const chat = 46
	r.deliver(r.fake.SendText(chat, "/start"))
	if m, _ := r.fake.LastMessage(chat); !strings.Contains(m.Text, "persönlichen Einladung") {
		t.Errorf("plain /start without open answering: %q", m.Text)
	}
	r.deliver(r.fake.SendText(chat, "/start "+key))
	for _, in := range []string{"ja", "1", "2", "3"} {
		r.act(chat, in)
	}
	conv := r.svc.Conversation(survey.Identity{Channel: "console", External: "later"}, dialogs.German).WithInvitation(key)
	reply, err := conv.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var q dialogs.Prompt
	for _, p := range reply.Prompts {
		if p.Kind == dialogs.PromptQuestion {
			q = p
		}
	}
	if q.Item != "postcode" || q.Progress.Pos != 4 {
		t.Fatalf("the console continues at %q (question %d), want the postcode (question 4)", q.Item, q.Progress.Pos)
	}
	if reply, err = conv.Send(ctx, dialogs.TextInput("30159")); err != nil {
		t.Fatal(err)
	}
	a := answersOf(t, r.db, chat)
	if a["org_type"].Value != "business" || a["postcode"].Value != "30159" || a["chamber"].Value != "hwk_h" || !a["chamber"].Fixed {
		t.Errorf("answers %v: want Telegram's, the console's and the invitation's chamber on one response", a)
	}
	// The chamber came with the invitation and is never asked.
	for _, m := range r.fake.Messages(chat) {
		if strings.Contains(m.Text, "Kammer oder Organisation") {
			t.Errorf("the chamber was asked although the invitation fixed it")
		}
	}
	r.deliver(r.fake.SendText(chat, "/start unknownkey123"))
	if m, _ := r.fake.LastMessage(chat); !strings.Contains(m.Text, "kennen wir nicht") {
		t.Errorf("unknown invitation: %q", m.Text)
	}
}

// TestDeleteAfterConfirmation erases a respondent's data from Telegram.
func TestDeleteAfterConfirmation(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook})
	const chat = 47
	r.deliver(r.fake.SendText(chat, "/start"))
	r.act(chat, "ja")
	r.act(chat, "1")
	r.deliver(r.fake.SendText(chat, "/delete"))
	r.deliver(r.fake.PressButton(chat, dialogs.UIDeleteNo.In(dialogs.German)))
	if a := answersOf(t, r.db, chat); len(a) != 1 {
		t.Fatalf("„Nein“ deleted something: %v", a)
	}
	r.deliver(r.fake.SendText(chat, "/delete"))
	r.deliver(r.fake.PressButton(chat, dialogs.UIDeleteYes.In(dialogs.German)))
	if m, _ := r.fake.LastMessage(chat); !strings.Contains(m.Text, "gelöscht") {
		t.Errorf("after deleting: %q", m.Text)
	}
	if _, err := r.db.RespondentByIdentity(context.Background(), survey.Identity{Channel: telegram.ChannelName, External: fmt.Sprint(chat)}); err == nil {
		t.Errorf("the chat is still linked to a respondent")
	}
}

// TestCommands sends each command as a respondent types it.
func TestCommands(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook})
	const chat = 48
	r.deliver(r.fake.SendText(chat, "/start"))
	r.act(chat, "ja")
	r.act(chat, "1") // business; now at the sector question
	tests := []struct {
		cmd  string
		want string
	}{
		{"/help", "Befehle"},
		{"/status", "Sie sind bei Frage 2 von ca."},
		{"/language", "The language is now English"},
		{"/language de", "Die Sprache ist jetzt Deutsch"},
		{"/back", "Antworten Sie für ein Unternehmen"},
		{"/pause", "pausiert"},
		{"/start", "Willkommen zurück"},
		{"/stop", "angehalten"},
	}
	for _, tc := range tests {
		before := len(r.fake.Calls())
		r.deliver(r.fake.SendText(chat, tc.cmd))
		var seen []string
		for _, c := range r.fake.Calls()[before:] {
			seen = append(seen, c.Params["text"])
		}
		if !strings.Contains(strings.Join(seen, "\n"), tc.want) {
			t.Errorf("%s: the bot sent %q, want %q in it", tc.cmd, seen, tc.want)
		}
	}
	ctx := context.Background()
	_, key, err := r.db.CreateInvitation(ctx, survey.NewInvitation{Lang: dialogs.German, TTL: -time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r.deliver(r.fake.SendText(chat, "/start "+key))
	if m, _ := r.fake.LastMessage(chat); !strings.Contains(m.Text, "abgelaufen") {
		t.Errorf("expired invitation: %q", m.Text)
	}
}

// TestRedeliveryAfterRestart delivers an update again to an instance that
// forgot every update id it took (a restart without Redis): the answer it
// carried is recorded with the answer in SQL, so it is not applied again
// to the next question.
func TestRedeliveryAfterRestart(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook})
	const chat = 49
	r.deliver(r.fake.SendText(chat, "/start"))
	r.act(chat, "ja")
	u := r.fake.SendText(chat, "1") // business, typed
	r.deliver(u)

	fresh, err := telegram.New(telegram.Config{Token: token, APIURL: r.fake.URL(), Mode: telegram.ModeWebhook, WebhookSecret: secret, OpenAnswering: true},
		r.svc, store.NewMemoryKV(), r.queue, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fresh.Handler())
	defer srv.Close()
	resp, err := r.fake.PostUpdate(srv.URL, secret, u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("redelivery answered %d", resp.StatusCode)
	}
	r.settle()
	if a := answersOf(t, r.db, chat); len(a) != 1 || a["org_type"].Value != "business" {
		t.Errorf("answers after the redelivery %v, want org_type=business only", a)
	}
}

// TestCallbackNotHeldBackByChat answers a button press at once although the
// chat's messages wait out a 429: the spinner stops, the question follows.
func TestCallbackNotHeldBackByChat(t *testing.T) {
	cb := outbox.New(outbox.NewMemoryLimiter(outbox.Limits{}), outbox.Options{Log: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() { _ = cb.Close(context.Background()) })
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook, callbacks: cb})
	const chat = 50
	r.deliver(r.fake.SendText(chat, "/start"))
	m, _ := r.fake.LastKeyboardMessage(chat)
	r.fake.FailNext("editMessageReplyMarkup", 1, 3) // the chat's lane waits 3 s
	start := time.Now()
	resp, err := r.fake.PostUpdate(r.webhook, secret, r.fake.Press(chat, m.MessageID, m.Keyboard[0][0].CallbackData))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r.fake.WaitFor(t, 2*time.Second, func(s *telegramtest.Server) bool { return len(s.UnansweredCallbacks()) == 0 })
	if d := time.Since(start); d > time.Second {
		t.Errorf("the press was answered after %v, behind the chat's messages", d)
	}
	r.settle()
	if q, ok := r.fake.LastKeyboardMessage(chat); !ok || !strings.Contains(q.Text, "Unternehmen") || time.Since(start) < 3*time.Second {
		t.Errorf("the next question %q came after %v, want it after the 3 s wait", q.Text, time.Since(start))
	}
}

// TestOpenLink follows a chamber's open link from two chats: each gets a
// response of their own with the chamber fixed, even with open answering off.
func TestOpenLink(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook, closed: true})
	ctx := context.Background()
	link, err := r.db.CreateOpenLink(ctx, dialogs.German, map[string]string{"chamber": "hwk_ol"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, chat := range []int64{51, 52} {
		r.deliver(r.fake.SendText(chat, "/start "+link.Key))
		for _, in := range []string{"ja", "1", "1", "1", "26121"} {
			r.act(chat, in)
		}
		a := answersOf(t, r.db, chat)
		if a["chamber"].Value != "hwk_ol" || !a["chamber"].Fixed || a["postcode"].Value != "26121" {
			t.Errorf("chat %d: answers %v, want the link's chamber fixed and the postcode", chat, a)
		}
		if m, _ := r.fake.LastKeyboardMessage(chat); strings.Contains(m.Text, "Kammer oder Organisation") {
			t.Errorf("chat %d was asked for the chamber the link fixes", chat)
		}
	}
	old, err := r.db.CreateOpenLink(ctx, dialogs.German, nil, -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	r.deliver(r.fake.SendText(53, "/start "+old.Key))
	if m, _ := r.fake.LastMessage(53); !strings.Contains(m.Text, "abgelaufen") {
		t.Errorf("expired open link: %q", m.Text)
	}
}

// TestDigestSubscription lets a council member's chat subscribe to the
// weekly digest with the code, receive it as text and chart, and leave.
func TestDigestSubscription(t *testing.T) {
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook, closed: true})
	ctx := context.Background()
	const chat = 60
	r.deliver(r.fake.SendText(chat, "/subscribe wrong-code"))
	if m, _ := r.fake.LastMessage(chat); !strings.Contains(m.Text, "Code stimmt nicht") {
		t.Errorf("wrong code: %q", m.Text)
	}
	r.deliver(r.fake.SendText(chat, "/subscribe council-2026"))
	subs, err := r.db.Subscribers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0] != (survey.Subscriber{Kind: "telegram", Target: "60"}) {
		t.Fatalf("subscribers %v", subs)
	}
	if err := r.ch.Post(ctx, chat, "Wochenbericht 2026-W48", []byte("\x89PNG fake"), "digest-2026-W48.png"); err != nil {
		t.Fatal(err)
	}
	r.settle()
	ms := r.fake.Messages(chat)
	if len(ms) < 2 || !strings.Contains(ms[len(ms)-2].Text, "Wochenbericht 2026-W48") || !ms[len(ms)-1].Photo {
		t.Errorf("the digest arrived as %+v, want its text and then its chart", ms[len(ms)-2:])
	}
	r.deliver(r.fake.SendText(chat, "/unsubscribe"))
	if subs, _ := r.db.Subscribers(ctx); len(subs) != 0 {
		t.Errorf("still subscribed: %v", subs)
	}
}
