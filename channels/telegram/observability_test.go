package telegram_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/metrics/metricstest"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// queueMethods are the Bot API methods the channel calls through its send
// queue (setMyCommands and setWebhook go out directly).
var queueMethods = []string{"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"}

// TestMetricsAfterDialog answers the whole questionnaire over the webhook,
// with a call that has the wrong secret and an update delivered twice, and
// scrapes /metrics as Prometheus would.
func TestMetricsAfterDialog(t *testing.T) {
	m := metrics.New()
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook, metrics: m})
	scrapes := httptest.NewServer(m.Handler())
	defer scrapes.Close()
	const chat = 4712

	wrong := r.fake.SendText(chat, "/start")
	resp, err := r.fake.PostUpdate(r.webhook, "not-the-secret-at-all-123", wrong)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("wrong secret: %d, want 403", resp.StatusCode)
	}
	start := r.fake.SendText(chat, "/start")
	r.deliver(start)
	for _, in := range dialogstest.CraftBusiness().Inputs {
		r.act(chat, in)
	}
	r.deliver(start) // Telegram delivers it again: it is dropped

	f := metricstest.Scrape(t, scrapes.URL)
	tg := []string{"channel", "telegram"}
	posts := float64(r.posts.Load())
	answers := float64(len(answersOf(t, r.db, chat)))
	calls := 0
	for _, method := range queueMethods {
		calls += len(r.fake.CallsTo(method))
	}
	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"surveybot_updates_received_total", tg, posts},
		{"surveybot_updates_rejected_total", []string{"channel", "telegram", "reason", "bad_secret"}, 1},
		{"surveybot_updates_rejected_total", []string{"channel", "telegram", "reason", "duplicate"}, 1},
		{"surveybot_updates_rejected_total", tg, 2},
		{"surveybot_updates_failed_total", tg, 0},
		{"surveybot_update_duration_seconds", tg, posts - 2}, // every update taken
		{"surveybot_dialogs_started_total", tg, 1},
		{"surveybot_dialogs_completed_total", tg, 1},
		{"surveybot_answers_accepted_total", tg, answers},
		{"surveybot_send_queue_depth", tg, 0},
		{"surveybot_send_rate_limited_total", tg, 0},
		{"surveybot_send_dropped_total", tg, 0},
	}
	for _, tc := range tests {
		if got := f.Value(tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if posts < 40 || answers < 25 {
		t.Errorf("%v webhook calls and %v answers: the dialog did not run", posts, answers)
	}
	// Every attempt is timed and counted once. A message may go out
	// without a call (taking the buttons off a question already closed),
	// so there are at least as many attempts as calls.
	attempts := f.Value("surveybot_sends_total", tg...) + f.Value("surveybot_send_failures_total", tg...) + f.Value("surveybot_send_rate_limited_total", tg...)
	if got := f.Value("surveybot_send_duration_seconds", tg...); got != attempts {
		t.Errorf("%v attempts timed, want the %v counted", got, attempts)
	}
	if attempts < float64(calls) {
		t.Errorf("%v attempts counted, fewer than the %d calls the fake got", attempts, calls)
	}
}

// TestMetricsRateLimited makes Telegram answer one sendMessage with 429:
// the 429 is counted, and the message is sent once after the wait.
func TestMetricsRateLimited(t *testing.T) {
	m := metrics.New()
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook, metrics: m})
	scrapes := httptest.NewServer(m.Handler())
	defer scrapes.Close()
	const chat = 4713
	r.deliver(r.fake.SendText(chat, "/start"))
	before := metricstest.Scrape(t, scrapes.URL)
	sentBefore := len(r.fake.CallsTo("sendMessage"))

	r.fake.FailNext("sendMessage", 1, 1)
	r.act(chat, "ja") // consent: the first question hits the 429

	f := metricstest.Scrape(t, scrapes.URL)
	tg := []string{"channel", "telegram"}
	if got := f.Value("surveybot_send_rate_limited_total", tg...); got != 1 || r.fake.Count429() != 1 {
		t.Errorf("rate limited %v, the fake answered %d 429s; want 1 and 1", got, r.fake.Count429())
	}
	// The 429'd call and its retry both reached the fake; only the retry is a send.
	newCalls := len(r.fake.CallsTo("sendMessage")) - sentBefore
	if newCalls != 2 {
		t.Errorf("%d sendMessage calls after consent, want the 429'd one and its retry", newCalls)
	}
	if m, ok := r.fake.LastKeyboardMessage(chat); !ok || !strings.Contains(m.Text, "Unternehmen") {
		t.Errorf("after the 429 the bot shows %q, want the first question", m.Text)
	}
	if got := f.Value("surveybot_send_failures_total", tg...); got != 0 {
		t.Errorf("send failures %v, want 0: a 429 is counted apart", got)
	}
	if got := f.Value("surveybot_send_dropped_total", tg...); got != 0 {
		t.Errorf("dropped %v, want 0", got)
	}
	if sends := f.Value("surveybot_sends_total", tg...) - before.Value("surveybot_sends_total", tg...); sends < 2 {
		t.Errorf("%v sends after consent, want at least the consent's buttons removed and the question", sends)
	}
	if got := f.Value("surveybot_answers_accepted_total", tg...); got != 0 {
		t.Errorf("answers accepted %v after consent only, want 0", got)
	}
}

// syncBuffer collects log lines written from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsCarryNoPersonalData answers the whole questionnaire with the
// JSON logs on at debug level, typing an e-mail address and free text where
// the postcode belongs, sending a message late and running into a 429: no
// line holds what the respondent typed, an address or the chat id, and the
// lines about the response name it by its id.
func TestLogsCarryNoPersonalData(t *testing.T) {
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := newRig(t, rigOptions{mode: telegram.ModeWebhook, log: log})
	const (
		chat     = 770011223344
		address  = "anna.muster@example.org"
		freeText = "Schreiben Sie an " + address + ", Tischlerei Muster"
		postcode = "26121"
	)
	chatID := strconv.FormatInt(chat, 10)

	r.deliver(r.fake.SendText(chat, "/start"))
	inputs := dialogstest.CraftBusiness().Inputs
	for i, in := range inputs {
		if in == postcode {
			r.act(chat, freeText) // refused: not a postcode
			early, late := r.fake.SendText(chat, address), r.fake.SendText(chat, "Musterstraße 5")
			r.deliver(late)  // "Musterstraße 5" is no postcode either
			r.deliver(early) // overtaken: not applied, the respondent is told
		}
		if i == 10 {
			r.fake.FailNext("sendMessage", 1, 1)
		}
		r.act(chat, in)
	}
	if r.fake.Count429() != 1 {
		t.Fatalf("%d 429s, want 1", r.fake.Count429())
	}
	resp, err := r.db.CurrentResponse(context.Background(), survey.Identity{Channel: telegram.ChannelName, External: chatID})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != survey.StatusCompleted {
		t.Fatalf("response %s, want completed", resp.Status)
	}

	out := logs.String()
	for _, secret := range []string{chatID, address, "@example.org", "Tischlerei", "Musterstraße", token} {
		if strings.Contains(out, secret) {
			t.Errorf("the logs hold %q:\n%s", secret, grepLines(out, secret))
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	seen, unnamed := map[string]int{}, 0
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		msg, _ := rec["msg"].(string)
		seen[msg]++
		walkValues(rec, func(v any) {
			if s, ok := v.(string); ok && strings.Contains(s, postcode) || v == float64(26121) {
				t.Errorf("a log line holds the typed postcode: %s", line)
			}
		})
		switch msg {
		case "update taken":
			if rec["response"] == nil { // the late message, refused before the response is looked up
				unnamed++
				continue
			}
			fallthrough
		case "response started", "response completed", "step stored":
			if rec["response"] != resp.ID {
				t.Errorf("%q names response %v, want %s: %s", msg, rec["response"], resp.ID, line)
			}
		case "outbox rate limited by platform":
			if rec["recipient"] != pseudonym(chatID) {
				t.Errorf("the 429 names recipient %v, want the chat's pseudonym: %s", rec["recipient"], line)
			}
		}
	}
	for msg, want := range map[string]int{"response started": 1, "response completed": 1, "outbox rate limited by platform": 1} {
		if seen[msg] != want {
			t.Errorf("%d lines %q, want %d", seen[msg], msg, want)
		}
	}
	if unnamed != 1 {
		t.Errorf("%d updates taken without their response, want only the late one", unnamed)
	}
	if seen["update taken"] < 40 || seen["step stored"] < 25 {
		t.Errorf("%d lines „update taken“ and %d „step stored“: the dialog's steps are not followed", seen["update taken"], seen["step stored"])
	}
}

// pseudonym is how the send queue names a recipient in its logs.
func pseudonym(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:6])
}

func walkValues(v any, fn func(any)) {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			walkValues(e, fn)
		}
	case []any:
		for _, e := range x {
			walkValues(e, fn)
		}
	default:
		fn(x)
	}
}

func grepLines(out, s string) string {
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// TestLogsCarryNoToken sends while the Bot API cannot be reached: the
// client's error quotes the URL, which holds the bot token, and the log
// line must not.
func TestLogsCarryNoToken(t *testing.T) {
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	q := outbox.New(outbox.NewMemoryLimiter(outbox.Limits{}), outbox.Options{Log: log, Backoff: time.Millisecond, MaxAttempts: 2})
	defer func() { _ = q.Close(context.Background()) }()
	ch, err := telegram.New(telegram.Config{Token: token, APIURL: "http://127.0.0.1:1", Mode: telegram.ModeWebhook}, nil, store.NewMemoryKV(), q, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Post(context.Background(), 4714, "Wochenbericht", nil, ""); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "outbox gave up on message") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	out := logs.String()
	if !strings.Contains(out, "outbox gave up on message") || !strings.Contains(out, "/bot***/sendMessage") {
		t.Fatalf("no failed send logged with the URL redacted:\n%s", out)
	}
	if strings.Contains(out, token) || strings.Contains(out, "TEST-token") {
		t.Errorf("the logs hold the bot token:\n%s", out)
	}
}
