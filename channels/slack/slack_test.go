package slack_test

import (
	"context"
	"fmt"
	"io"
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

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/channels/slack"
	"github.com/surveybot/surveybot/channels/slacktest"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

const (
	botToken = "xoxb-test-token"
	secret   = "8f742231b10e8888abcd99yyyzzz85a5"
)

// rig is a Slack channel in HTTP mode wired to real stores and a fake Web API.
type rig struct {
	t     testing.TB
	fake  *slacktest.Server
	db    *store.DB
	svc   *bot.Service
	queue *outbox.Queue
	ch    *slack.Channel
	url   string       // base URL of the channel's endpoints
	skew  atomic.Int64 // added to the channel's clock, in nanoseconds
	seq   atomic.Int64 // event ids, message timestamps, trigger ids
}

type rigOptions struct {
	closed  bool             // open answering off
	socket  bool             // Socket Mode instead of the HTTP endpoints
	metrics *metrics.Metrics // nil: none
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
	r := &rig{t: t, fake: slacktest.New(t), db: storetest.SQLite(t)}
	var svcOpts []bot.Option
	var chOpts []slack.Option
	if o.metrics != nil {
		svcOpts = append(svcOpts, bot.WithMetrics(o.metrics))
		chOpts = append(chOpts, slack.WithMetrics(o.metrics.Channel(slack.ChannelName)))
	}
	r.svc = bot.NewService(r.db, store.NewMemorySessions(time.Hour), log, q, svcOpts...)
	r.queue = outbox.New(outbox.NewMemoryLimiter(outbox.Limits{PerKey: 1000, PerKeyBurst: 100, Global: 10000, GlobalBurst: 1000}),
		outbox.Options{Log: log, Backoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Observer: o.metrics.Queue("slack", slack.ChannelName)})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.queue.Close(ctx)
	})
	mode := slack.ModeHTTP
	if o.socket {
		mode = slack.ModeSocket
	}
	r.ch, err = slack.New(slack.Config{
		BotToken: botToken, SigningSecret: secret, AppToken: "xapp-1-test", APIURL: r.fake.APIURL(), Mode: mode,
		OpenAnswering: !o.closed,
		Now:           func() time.Time { return time.Now().Add(time.Duration(r.skew.Load())) },
	}, r.svc, store.NewMemoryKV(), r.queue, log, chOpts...)
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

func (r *rig) next() int64 { return r.seq.Add(1) }

// post sends a signed request to an endpoint as Slack does and returns
// the status and body.
func (r *rig) post(route, contentType string, body []byte, at time.Time, header http.Header) (int, string) {
	r.t.Helper()
	req := slacktest.SignedRequest(r.url+route, contentType, secret, at, body)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (r *rig) mustPost(route, contentType string, body []byte) string {
	r.t.Helper()
	code, out := r.post(route, contentType, body, time.Now(), nil)
	if code != http.StatusOK {
		r.t.Fatalf("%s answered %d: %s", route, code, out)
	}
	return out
}

const (
	jsonType = "application/json"
	formType = "application/x-www-form-urlencoded"
)

// typeText delivers a DM the user typed, and waits until the bot acted.
func (r *rig) typeText(user, text string) {
	r.t.Helper()
	n := r.next()
	r.mustPost(slack.RouteEvents, jsonType, slacktest.MessageEvent(fmt.Sprintf("Ev%06d", n), user, slacktest.DMOf(user),
		fmt.Sprintf("1700000000.%06d", n), text))
	r.settle()
}

// press delivers a press on actionID of message m, with the given boxes
// ticked, and waits until the bot acted.
func (r *rig) press(user string, m slacktest.Message, actionID string, ticked map[string][]string) {
	r.t.Helper()
	r.mustPost(slack.RouteInteractivity, formType, r.pressBody(user, m, actionID, ticked))
	r.settle()
}

func (r *rig) pressBody(user string, m slacktest.Message, actionID string, ticked map[string][]string) []byte {
	n := r.next()
	return slacktest.BlockActions(user, m, actionID, fmt.Sprintf("trig.%d", n), fmt.Sprintf("1700000001.%06d", n), ticked)
}

// command runs /umfrage and returns the immediate (ephemeral) answer.
func (r *rig) command(user, text string) string {
	r.t.Helper()
	out := r.mustPost(slack.RouteCommands, formType, slacktest.SlashCommand(user, "C0GENERAL", "/umfrage", text, fmt.Sprintf("cmd.%d", r.next())))
	r.settle()
	return out
}

// settle waits until the channel has worked off every request and sent
// everything.
func (r *rig) settle() {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last, stable := -1, 0
	for time.Now().Before(deadline) {
		n := len(r.fake.Calls())
		if n == last && r.queue.Len() == 0 && r.ch.WorkLen() == 0 {
			if stable++; stable >= 3 {
				return
			}
		} else {
			stable = 0
		}
		last = n
		time.Sleep(15 * time.Millisecond)
	}
	r.t.Fatalf("the bot did not settle within 10s (%d calls, %d queued)", last, r.queue.Len())
}

// act does what a respondent would to answer with a console-style input:
// a number presses that option's button (or ticks that box), "-" presses
// "keine Angabe", "fertig", "zurück" and "überspringen" their buttons,
// "ja"/"nein" the yes and no buttons; anything else is typed. It only ever
// uses the latest message with buttons.
func (r *rig) act(user, input string) {
	r.t.Helper()
	m, ok := r.fake.LastInteractive(slacktest.DMOf(user))
	if !ok {
		r.typeText(user, input)
		return
	}
	type box struct{ group, value string }
	var (
		options  []string // action ids of the option buttons, without "keine Angabe"
		boxes    []box
		byCode   = map[string]string{}
		commands = map[string]string{}
	)
	for _, a := range m.Actions() {
		if a.Type == "checkboxes" {
			for _, o := range a.Options {
				boxes = append(boxes, box{a.ActionID, o.Value})
			}
			continue
		}
		parts := strings.Split(a.ActionID, "|")
		if len(parts) != 3 {
			continue
		}
		switch parts[0] {
		case "o":
			byCode[parts[2]] = a.ActionID
			if parts[2] != dialogs.CodeNA {
				options = append(options, a.ActionID)
			}
		case "c":
			commands[parts[2]] = a.ActionID
		}
	}
	words := strings.Fields(input)
	switch {
	case input == "-":
		r.press(user, m, byCode[dialogs.CodeNA], nil)
	case input == "fertig":
		r.press(user, m, commands[string(dialogs.CmdDone)], nil)
	case input == "zurück":
		r.press(user, m, commands[string(dialogs.CmdBack)], nil)
	case input == "überspringen":
		r.press(user, m, commands[string(dialogs.CmdSkip)], nil)
	case input == "ja" && byCode[dialogs.CodeYes] != "":
		r.press(user, m, byCode[dialogs.CodeYes], nil)
	case input == "nein" && byCode[dialogs.CodeNo] != "":
		r.press(user, m, byCode[dialogs.CodeNo], nil)
	case len(boxes) > 0 && dialogstest.Numbers(words):
		ticked := map[string][]string{}
		for _, w := range words {
			if w == "fertig" {
				continue
			}
			n, _ := strconv.Atoi(w)
			if n < 1 || n > len(boxes) {
				r.t.Fatalf("no box %d on the message %q", n, m.Shown())
			}
			ticked[boxes[n-1].group] = append(ticked[boxes[n-1].group], boxes[n-1].value)
		}
		r.press(user, m, commands[string(dialogs.CmdDone)], ticked)
	case len(options) > 0 && dialogstest.Numbers(words) && len(words) == 1:
		n, _ := strconv.Atoi(words[0])
		if n < 1 || n > len(options) {
			r.t.Fatalf("no option %d on the message %q", n, m.Shown())
		}
		r.press(user, m, options[n-1], nil)
	default:
		r.typeText(user, input)
	}
}

func TestWholeQuestionnaire(t *testing.T) {
	r := newRig(t, rigOptions{})
	const user = "U0CRAFT"
	r.typeText(user, "start")
	for _, in := range dialogstest.CraftBusiness().Inputs {
		r.act(user, in)
	}
	dm := slacktest.DMOf(user)
	msgs := r.fake.Messages(dm)
	last := msgs[len(msgs)-1]
	if !strings.Contains(last.Shown(), "Gesamtindex: 38") {
		t.Fatalf("last message %q, want the summary with the composite", last.Shown())
	}
	if m, ok := r.fake.LastInteractive(dm); ok {
		t.Errorf("buttons are still open after completion: %q", m.Shown())
	}
	for _, m := range append(msgs, r.fake.Ephemerals(dm)...) {
		if strings.Contains(m.Shown(), "⚠️") {
			t.Errorf("an answer was rejected: %q", m.Shown())
		}
	}
	// Answered questions show their answer instead of their buttons.
	answered := 0
	for _, m := range msgs {
		if strings.Contains(m.Shown(), "\n✓ ") && len(m.Actions()) == 0 && m.Updates > 0 {
			answered++
		}
	}
	if answered < 25 {
		t.Errorf("%d question messages show their answer, want about 29", answered)
	}
	checkScores(t, r.db, user)
}

func checkScores(t *testing.T, db *store.DB, user string) {
	t.Helper()
	ctx := context.Background()
	resp, err := db.CurrentResponse(ctx, survey.Identity{Channel: slack.ChannelName, External: user})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != survey.StatusCompleted {
		t.Fatalf("response status %s, want completed", resp.Status)
	}
	persona := dialogstest.CraftBusiness()
	fields, composite := persona.Fields, persona.Composite
	got, err := db.Scores(ctx, resp.ID) // as stored in SQL
	if err != nil {
		t.Fatal(err)
	}
	for f, want := range fields {
		if math.Abs(got[f]-want) > 1e-9 {
			t.Errorf("score %s = %v, want %v", f, got[f], want)
		}
	}
	if resp.Composite == nil || math.Abs(*resp.Composite-composite) > 1e-9 {
		t.Errorf("composite %v, want %v", resp.Composite, composite)
	}
	if resp.TechCount == nil || *resp.TechCount != 4 {
		t.Errorf("tech count %v, want 4", resp.TechCount)
	}
}

func answersOf(t *testing.T, db *store.DB, user string) map[string]dialogs.Answer {
	t.Helper()
	ctx := context.Background()
	resp, err := db.CurrentResponse(ctx, survey.Identity{Channel: slack.ChannelName, External: user})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.Answers(ctx, resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSignatures rejects what Slack did not sign, or signed too long ago
// by the channel's clock, before looking at it.
func TestSignatures(t *testing.T) {
	r := newRig(t, rigOptions{})
	const user = "U0SIG"
	body := slacktest.MessageEvent("EvSIG1", user, slacktest.DMOf(user), "1700000000.000001", "start")
	now := time.Now()
	forged := http.Header{"X-Slack-Signature": {"v0=" + strings.Repeat("ab", 32)}}
	tests := []struct {
		name   string
		at     time.Time
		header http.Header
		body   []byte
		want   int
	}{
		{"forged signature", now, forged, body, http.StatusUnauthorized},
		{"no signature", now, http.Header{"X-Slack-Signature": {""}}, body, http.StatusUnauthorized},
		{"expired timestamp", now.Add(-6 * time.Minute), nil, body, http.StatusUnauthorized},
		{"timestamp from the future", now.Add(6 * time.Minute), nil, body, http.StatusUnauthorized},
		{"oversized body", now, nil, []byte(`{"type":"event_callback","x":"` + strings.Repeat("x", 2<<20) + `"}`), http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		if got, out := r.post(slack.RouteEvents, jsonType, tc.body, tc.at, tc.header); got != tc.want {
			t.Errorf("%s: status %d (%s), want %d", tc.name, got, out, tc.want)
		}
	}
	// Signed over another body: the signature does not fit.
	req := slacktest.SignedRequest(r.url+slack.RouteEvents, jsonType, secret, now, []byte(`{}`))
	req.Body = io.NopCloser(strings.NewReader(string(body)))
	req.ContentLength = int64(len(body))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a body the signature is not for: %v %v", resp.Status, err)
	}
	// Stale by the channel's clock, though fresh by the test's.
	r.skew.Store(int64(10 * time.Minute))
	for _, route := range []string{slack.RouteEvents, slack.RouteInteractivity, slack.RouteCommands} {
		if got, _ := r.post(route, jsonType, body, now, nil); got != http.StatusUnauthorized {
			t.Errorf("%s with a timestamp 10 minutes old by cfg.Now: status %d, want 401", route, got)
		}
	}
	r.skew.Store(0)
	r.settle()
	if n := len(r.fake.Calls()); n != 0 {
		t.Errorf("rejected requests made the bot act (%d Web API calls)", n)
	}
	if _, err := r.db.CurrentResponse(context.Background(), survey.Identity{Channel: slack.ChannelName, External: user}); err == nil {
		t.Errorf("a rejected request started a response")
	}
	// URL verification echoes the challenge; the signed event is taken.
	if out := r.mustPost(slack.RouteEvents, jsonType, slacktest.URLVerification("c-h-a-l")); out != "c-h-a-l" {
		t.Errorf("url_verification answered %q", out)
	}
	r.mustPost(slack.RouteEvents, jsonType, body)
	r.settle()
	if m, ok := r.fake.LastInteractive(slacktest.DMOf(user)); !ok || !strings.Contains(m.Shown(), "an der Umfrage teilnehmen") {
		t.Errorf("the signed event: DM shows %q, want the privacy notice", m.Shown())
	}
}

// TestRetriedEvent delivers one event four times, also at the same time,
// as Slack retries it: it is taken once. A retry of an event never seen is
// taken.
func TestRetriedEvent(t *testing.T) {
	r := newRig(t, rigOptions{})
	const user = "U0RETRY"
	dm := slacktest.DMOf(user)
	r.typeText(user, "start")
	r.act(user, "ja")
	posted := len(r.fake.CallsTo("chat.postMessage"))
	body := slacktest.MessageEvent("EvRETRY1", user, dm, "1700000100.000001", "1") // business, typed
	var wg sync.WaitGroup
	codes := make([]int, 4)
	for i := range 4 {
		wg.Go(func() {
			h := http.Header{}
			if i > 0 {
				h.Set("X-Slack-Retry-Num", strconv.Itoa(i))
				h.Set("X-Slack-Retry-Reason", "http_timeout")
			}
			codes[i], _ = r.post(slack.RouteEvents, jsonType, body, time.Now(), h)
		})
	}
	wg.Wait()
	r.settle()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("delivery %d answered %d", i, c)
		}
	}
	if got := len(r.fake.CallsTo("chat.postMessage")) - posted; got != 1 {
		t.Errorf("the event was answered %d times, want once", got)
	}
	if a := answersOf(t, r.db, user); len(a) != 1 || a["org_type"].Value != "business" {
		t.Errorf("answers %v, want org_type=business only", a)
	}
	// First seen as a retry (the first delivery got lost): taken.
	h := http.Header{"X-Slack-Retry-Num": {"1"}}
	if c, _ := r.post(slack.RouteEvents, jsonType, slacktest.MessageEvent("EvRETRY2", user, dm, "1700000100.000002", "2"), time.Now(), h); c != http.StatusOK {
		t.Fatalf("retry answered %d", c)
	}
	r.settle()
	if a := answersOf(t, r.db, user); a["sector"].Value != "industrie" {
		t.Errorf("answers %v: a retry of an event not seen before was dropped", a)
	}
	// The bot's own messages are not input.
	r.mustPost(slack.RouteEvents, jsonType, slacktest.BotMessageEvent("EvBOT", "B0BOT", dm, "1700000100.000003", "1"))
	r.settle()
	if a := answersOf(t, r.db, user); len(a) != 2 {
		t.Errorf("answers %v after the bot's own message", a)
	}
}

// TestStaleButton presses an answered question's button again: nothing
// changes and nothing is posted into the DM; the presser alone is told.
func TestStaleButton(t *testing.T) {
	r := newRig(t, rigOptions{})
	const user = "U0STALE"
	dm := slacktest.DMOf(user)
	r.typeText(user, "start")
	r.act(user, "ja")
	m, _ := r.fake.LastInteractive(dm)
	first := m.Actions()[0].ActionID // "Unternehmen / Betrieb"
	one := r.pressBody(user, m, first, nil)
	two := r.pressBody(user, m, first, nil) // the second tap, another trigger
	r.mustPost(slack.RouteInteractivity, formType, one)
	r.settle()
	before := len(r.fake.Calls())
	r.mustPost(slack.RouteInteractivity, formType, two)
	r.settle()
	for _, c := range r.fake.Calls()[before:] {
		if c.Method != "chat.postEphemeral" {
			t.Errorf("the stale press made a %s call", c.Method)
		}
	}
	eph := r.fake.Ephemerals(dm)
	if len(eph) != 1 || !strings.Contains(eph[0].Text, "bereits beantwortet") || eph[0].User != user {
		t.Errorf("ephemeral notes %+v, want one „bereits beantwortet“ for the presser", eph)
	}
	if a := answersOf(t, r.db, user); len(a) != 1 {
		t.Errorf("answers %v, want one", a)
	}
	// The same press delivered again (same trigger and action_ts) is dropped silently.
	before = len(r.fake.Calls())
	r.mustPost(slack.RouteInteractivity, formType, two)
	r.settle()
	if n := len(r.fake.Calls()) - before; n != 0 {
		t.Errorf("a redelivered press made %d calls", n)
	}
}

// TestRateLimited makes Slack answer 429 with Retry-After: 1 to
// chat.postMessage once mid-dialog: the question arrives after the wait,
// once, and the dialog goes on.
func TestRateLimited(t *testing.T) {
	r := newRig(t, rigOptions{})
	const user = "U0LIMIT"
	dm := slacktest.DMOf(user)
	r.typeText(user, "start")
	r.act(user, "ja")
	r.fake.FailNext("chat.postMessage", 1, 1)
	start := time.Now()
	r.act(user, "1") // business: the next question hits the 429
	if r.fake.Count429() != 1 {
		t.Fatalf("%d 429s, want 1", r.fake.Count429())
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("the next question came after %v, before Retry-After", waited)
	}
	m, ok := r.fake.LastInteractive(dm)
	if !ok || !strings.Contains(m.Shown(), "Branche") {
		t.Fatalf("after the 429 the bot shows %q, want the sector question", m.Shown())
	}
	n := 0
	for _, m := range r.fake.Messages(dm) {
		if strings.Contains(m.Shown(), "Branche") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the sector question was posted %d times, want once", n)
	}
	r.act(user, "2")
	if a := answersOf(t, r.db, user); a["sector"].Value != "industrie" {
		t.Errorf("answers %v after the 429", a)
	}
}

// TestInvite invites by e-mail: a new invitation gets the privacy notice;
// one begun in the terminal continues in Slack where it stands.
func TestInvite(t *testing.T) {
	r := newRig(t, rigOptions{closed: true})
	ctx := context.Background()

	// Without an invitation, a DM gets the notice that one is needed.
	r.typeText("U0NOBODY", "hallo")
	if m, _ := r.fake.LastMessage(slacktest.DMOf("U0NOBODY")); !strings.Contains(m.Text, "persönlichen Einladung") {
		t.Errorf("a DM without an invitation: %q", m.Text)
	}

	_, fresh, err := r.db.CreateInvitation(ctx, survey.NewInvitation{Lang: dialogs.German, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r.fake.AddUser("neu@example.org", "U0NEW")
	if err := r.ch.Invite(ctx, "neu@example.org", fresh); err != nil {
		t.Fatal(err)
	}
	r.settle()
	if n := len(r.fake.CallsTo("users.lookupByEmail")); n != 1 {
		t.Errorf("%d users.lookupByEmail calls", n)
	}
	if calls := r.fake.CallsTo("conversations.open"); len(calls) != 1 || calls[0].Params.Get("users") != "U0NEW" {
		t.Errorf("conversations.open calls %v", calls)
	}
	m, ok := r.fake.LastInteractive(slacktest.DMOf("U0NEW"))
	if !ok || !strings.Contains(m.Shown(), "an der Umfrage teilnehmen") {
		t.Errorf("after the invitation the DM shows %q, want the privacy notice", m.Shown())
	}
	r.act("U0NEW", "ja")
	r.act("U0NEW", "1")
	if a := answersOf(t, r.db, "U0NEW"); a["org_type"].Value != "business" {
		t.Errorf("the invited user's answers %v", a)
	}

	// Begun in the terminal, continued in Slack.
	_, key, err := r.db.CreateInvitation(ctx, survey.NewInvitation{Lang: dialogs.German, Fixed: map[string]string{"chamber": "hwk_h"}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	conv := r.svc.Conversation(survey.Identity{Channel: "console", External: "earlier"}, dialogs.German).WithInvitation(key)
	if _, err := conv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"ja", "1", "2"} {
		if _, err := conv.Send(ctx, dialogs.TextInput(in)); err != nil {
			t.Fatal(err)
		}
	}
	r.fake.AddUser("meisterin@example.org", "U0MEISTER")
	if err := r.ch.Invite(ctx, "meisterin@example.org", key); err != nil {
		t.Fatal(err)
	}
	r.settle()
	m, ok = r.fake.LastInteractive(slacktest.DMOf("U0MEISTER"))
	if !ok || !strings.Contains(m.Shown(), "Frage 3 von") {
		t.Fatalf("Slack continues at %q, want question 3", m.Shown())
	}
	r.act("U0MEISTER", "1")
	a := answersOf(t, r.db, "U0MEISTER")
	if a["org_type"].Value != "business" || a["sector"].Value != "industrie" || a["chamber"].Value != "hwk_h" || a["size"].Value == "" {
		t.Errorf("answers %v: want the terminal's, Slack's and the invitation's on one response", a)
	}

	if err := r.ch.Invite(ctx, "unbekannt@example.org", key); err != slack.ErrNoUser {
		t.Errorf("an unknown address: %v, want ErrNoUser", err)
	}
}

// TestCommands runs /umfrage: the answer comes at once and ephemerally,
// the dialog goes on in the DM.
func TestCommands(t *testing.T) {
	r := newRig(t, rigOptions{})
	const user = "U0CMD"
	dm := slacktest.DMOf(user)
	if out := r.command(user, "help"); !strings.Contains(out, "/umfrage start") || !strings.Contains(out, `"ephemeral"`) {
		t.Errorf("/umfrage help answered %s", out)
	}
	if out := r.command(user, "start"); !strings.Contains(out, "Einen Moment") {
		t.Errorf("/umfrage start answered %s", out)
	}
	if m, ok := r.fake.LastInteractive(dm); !ok || !strings.Contains(m.Shown(), "an der Umfrage teilnehmen") {
		t.Fatalf("after /umfrage start the DM shows %q", m.Shown())
	}
	r.act(user, "ja")
	r.act(user, "1")
	before := len(r.fake.Messages(dm))
	r.command(user, "status")
	var seen []string
	for _, m := range r.fake.Messages(dm)[before:] {
		seen = append(seen, m.Shown())
	}
	if !strings.Contains(strings.Join(seen, "\n"), "Frage 2 von ca.") {
		t.Errorf("/umfrage status sent %q", seen)
	}
	r.command(user, "language en")
	if m, _ := r.fake.LastInteractive(dm); !strings.Contains(m.Shown(), "Question 2") {
		t.Errorf("after /umfrage language en the question shows %q", m.Shown())
	}
	// The Home tab greets once, and not who already answers.
	r.mustPost(slack.RouteEvents, jsonType, slacktest.AppHomeOpened("EvHOME1", "U0HOME", slacktest.DMOf("U0HOME")))
	r.mustPost(slack.RouteEvents, jsonType, slacktest.AppHomeOpened("EvHOME2", "U0HOME", slacktest.DMOf("U0HOME")))
	r.mustPost(slack.RouteEvents, jsonType, slacktest.AppHomeOpened("EvHOME3", user, dm))
	r.settle()
	if ms := r.fake.Messages(slacktest.DMOf("U0HOME")); len(ms) != 1 || !strings.Contains(ms[0].Text, "Willkommen") {
		t.Errorf("greetings %v, want one welcome", ms)
	}
}

// TestPost posts the digest: its text and the chart uploaded into the channel.
func TestPost(t *testing.T) {
	r := newRig(t, rigOptions{})
	png := []byte("\x89PNG\r\n\x1a\nnot really a chart")
	if err := r.ch.Post(context.Background(), "C0COUNCIL", "Wochenbericht KW 12", png, "digest-kw12.png"); err != nil {
		t.Fatal(err)
	}
	r.settle()
	if m, ok := r.fake.LastMessage("C0COUNCIL"); !ok || m.Text != "Wochenbericht KW 12" {
		t.Errorf("digest text %q", m.Text)
	}
	files := r.fake.Files()
	if len(files) != 1 || string(files[0].Data) != string(png) || files[0].Channel != "C0COUNCIL" || files[0].Name != "digest-kw12.png" {
		t.Fatalf("uploaded files %+v", files)
	}
	for _, m := range []string{"files.getUploadURLExternal", "upload", "files.completeUploadExternal"} {
		if n := len(r.fake.CallsTo(m)); n != 1 {
			t.Errorf("%d %s calls, want 1", n, m)
		}
	}
}

// TestSocketMode takes the same requests over Socket Mode: each envelope
// is acknowledged (a slash command with its ephemeral answer), worked off
// in order, and a redelivered envelope is taken once.
func TestSocketMode(t *testing.T) {
	r := newRig(t, rigOptions{socket: true})
	const user = "U0SOCK"
	dm := slacktest.DMOf(user)
	waitAcks := func(n int) []slacktest.Ack {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if a := r.fake.Acks(); len(a) >= n {
				r.settle()
				return a
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("%d acks, want %d", len(r.fake.Acks()), n)
		return nil
	}
	r.fake.SendEnvelope("env-1", "slash_commands", slacktest.SlashCommandPayload(user, "C0GENERAL", "/umfrage", "start", "trig-s1"))
	acks := waitAcks(1)
	if acks[0].EnvelopeID != "env-1" || !strings.Contains(string(acks[0].Payload), "Einen Moment") {
		t.Errorf("slash command ack %+v", acks[0])
	}
	m, ok := r.fake.LastInteractive(dm)
	if !ok || !strings.Contains(m.Shown(), "an der Umfrage teilnehmen") {
		t.Fatalf("after /umfrage start over Socket Mode the DM shows %q", m.Shown())
	}
	r.fake.SendEnvelope("env-2", "interactive", slacktest.BlockActionsPayload(user, m, "o|@consent|yes", "trig-s2", "1700000002.000001", nil))
	waitAcks(2)
	event := slacktest.MessageEvent("EvSOCK1", user, dm, "1700000002.000002", "1")
	r.fake.SendEnvelope("env-3", "events_api", event)
	r.fake.SendEnvelope("env-4", "events_api", event) // redelivered
	waitAcks(4)
	if a := answersOf(t, r.db, user); len(a) != 1 || a["org_type"].Value != "business" {
		t.Errorf("answers %v over Socket Mode, want org_type=business", a)
	}
	if m, _ := r.fake.LastInteractive(dm); !strings.Contains(m.Shown(), "Branche") {
		t.Errorf("after the answer the DM shows %q, want the sector question", m.Shown())
	}
}

// TestDelete erases a user's data after the confirmation, and not without.
func TestDelete(t *testing.T) {
	r := newRig(t, rigOptions{})
	const user = "U0DEL"
	dm := slacktest.DMOf(user)
	r.command(user, "start")
	r.act(user, "ja")
	r.act(user, "1")
	r.command(user, "delete")
	m, ok := r.fake.LastInteractive(dm)
	if !ok || !strings.Contains(m.Shown(), "alle Ihre Daten") {
		t.Fatalf("after /umfrage delete the DM shows %q", m.Shown())
	}
	r.press(user, m, "d||no", nil)
	if a := answersOf(t, r.db, user); len(a) != 1 {
		t.Fatalf("„Nein“ deleted something: %v", a)
	}
	r.command(user, "delete")
	m, _ = r.fake.LastInteractive(dm)
	r.press(user, m, "d||yes", nil)
	if last, _ := r.fake.LastMessage(dm); !strings.Contains(last.Shown(), "gelöscht") {
		t.Errorf("after deleting: %q", last.Shown())
	}
	if _, err := r.db.RespondentByIdentity(context.Background(), survey.Identity{Channel: slack.ChannelName, External: user}); err == nil {
		t.Errorf("the Slack user is still linked to a respondent")
	}
}
