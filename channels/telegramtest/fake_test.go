package telegramtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/channels/telegramtest"
)

const token = "123456:TEST-token"

const chat int64 = 4242

func setup(t *testing.T) (*telegramtest.Server, *bot.Bot) {
	t.Helper()
	fake := telegramtest.New(t, token)
	b, err := bot.New(fake.Token(), bot.WithServerURL(fake.URL()), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return fake, b
}

func keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func btn(text, data string) models.InlineKeyboardButton {
	return models.InlineKeyboardButton{Text: text, CallbackData: data}
}

func sendQuestion(t *testing.T, b *bot.Bot) *models.Message {
	t.Helper()
	m, err := b.SendMessage(context.Background(), &bot.SendMessageParams{
		ChatID:    chat,
		Text:      "Wie <b>zufrieden</b> sind Sie?",
		ParseMode: models.ParseModeHTML,
		ReplyMarkup: keyboard(
			[]models.InlineKeyboardButton{btn("1", "o|q1|1"), btn("2", "o|q1|2")},
			[]models.InlineKeyboardButton{btn("Hilfe", "c|q1|help")},
		),
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	return m
}

func TestSendMessageWithKeyboard(t *testing.T) {
	fake, b := setup(t)
	m := sendQuestion(t, b)

	if m.ID != 1 || m.Chat.ID != chat || m.Chat.Type != models.ChatTypePrivate || m.From == nil || !m.From.IsBot || m.From.ID != 123456 || m.Date == 0 {
		t.Errorf("result message = %+v", m)
	}
	if m.Text != "Wie zufrieden sind Sie?" || len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBold || m.Entities[0].Offset != 4 || m.Entities[0].Length != 9 {
		t.Errorf("result text %q entities %+v", m.Text, m.Entities)
	}
	if m.ReplyMarkup == nil || len(m.ReplyMarkup.InlineKeyboard) != 2 || m.ReplyMarkup.InlineKeyboard[0][1].CallbackData != "o|q1|2" {
		t.Errorf("result reply_markup = %+v", m.ReplyMarkup)
	}

	msgs := fake.Messages(chat)
	if len(msgs) != 1 {
		t.Fatalf("Messages = %+v", msgs)
	}
	got := msgs[0]
	want := [][]telegramtest.Button{{{Text: "1", CallbackData: "o|q1|1"}, {Text: "2", CallbackData: "o|q1|2"}}, {{Text: "Hilfe", CallbackData: "c|q1|help"}}}
	if got.MessageID != 1 || got.ChatID != chat || got.Text != "Wie zufrieden sind Sie?" || got.RawText != "Wie <b>zufrieden</b> sind Sie?" || got.ParseMode != "HTML" || fmt.Sprint(got.Keyboard) != fmt.Sprint(want) || got.Edits != 0 {
		t.Errorf("message = %+v", got)
	}
	if lk, ok := fake.LastKeyboardMessage(chat); !ok || lk.MessageID != 1 {
		t.Errorf("LastKeyboardMessage = %+v, %v", lk, ok)
	}

	calls := fake.CallsTo("sendMessage")
	if len(calls) != 1 || calls[0].Params["chat_id"] != "4242" || calls[0].Params["parse_mode"] != "HTML" || calls[0].Status != 200 {
		t.Fatalf("calls = %+v", calls)
	}
	var mk models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(calls[0].Params["reply_markup"]), &mk); err != nil || len(mk.InlineKeyboard) != 2 {
		t.Errorf("reply_markup param %q: %v", calls[0].Params["reply_markup"], err)
	}
}

func TestEditMessageTextDropsKeyboard(t *testing.T) {
	fake, b := setup(t)
	m := sendQuestion(t, b)
	edited, err := b.EditMessageText(context.Background(), &bot.EditMessageTextParams{
		ChatID: chat, MessageID: m.ID, Text: "Wie zufrieden sind Sie?\n\n✓ 2",
	})
	if err != nil {
		t.Fatalf("EditMessageText: %v", err)
	}
	if edited.ReplyMarkup != nil || edited.EditDate == 0 || edited.Text != "Wie zufrieden sind Sie?\n\n✓ 2" {
		t.Errorf("edited = %+v", edited)
	}
	got, _ := fake.LastMessage(chat)
	if got.Text != "Wie zufrieden sind Sie?\n\n✓ 2" || got.Keyboard != nil || got.Edits != 1 {
		t.Errorf("message after edit = %+v", got)
	}
	if _, ok := fake.LastKeyboardMessage(chat); ok {
		t.Error("LastKeyboardMessage found a keyboard after it was dropped")
	}

	_, err = b.EditMessageText(context.Background(), &bot.EditMessageTextParams{ChatID: chat, MessageID: 99, Text: "x"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message to edit not found") {
		t.Errorf("edit of unknown message: %v", err)
	}
}

func TestEditNotModified(t *testing.T) {
	fake, b := setup(t)
	m := sendQuestion(t, b)
	same := &bot.EditMessageTextParams{
		ChatID: chat, MessageID: m.ID, Text: "Wie <b>zufrieden</b> sind Sie?", ParseMode: models.ParseModeHTML,
		ReplyMarkup: m.ReplyMarkup,
	}
	_, err := b.EditMessageText(context.Background(), same)
	const want = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("err = %v", err)
	}
	if c := fake.CallsTo("editMessageText"); len(c) != 1 || c[0].Status != 400 || c[0].Description != want {
		t.Errorf("calls = %+v", c)
	}
	_, err = b.EditMessageReplyMarkup(context.Background(), &bot.EditMessageReplyMarkupParams{ChatID: chat, MessageID: m.ID, ReplyMarkup: m.ReplyMarkup})
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("EditMessageReplyMarkup with the same markup: %v", err)
	}
	// A different keyboard is a modification.
	if _, err := b.EditMessageReplyMarkup(context.Background(), &bot.EditMessageReplyMarkupParams{
		ChatID: chat, MessageID: m.ID, ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("✓ 1", "o|q1|1")}),
	}); err != nil {
		t.Fatalf("EditMessageReplyMarkup: %v", err)
	}
	if got, _ := fake.LastMessage(chat); got.Edits != 1 || len(got.Keyboard) != 1 || got.Keyboard[0][0].Text != "✓ 1" {
		t.Errorf("message = %+v", got)
	}
}

func TestCallbackDataTooLong(t *testing.T) {
	fake, b := setup(t)
	_, err := b.SendMessage(context.Background(), &bot.SendMessageParams{
		ChatID: chat, Text: "q",
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("ok", strings.Repeat("x", 64)), btn("too long", strings.Repeat("y", 65))}),
	})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), "Bad Request: BUTTON_DATA_INVALID") {
		t.Fatalf("err = %v", err)
	}
	if len(fake.Messages(chat)) != 0 {
		t.Error("a rejected message was recorded")
	}
	// 64 bytes of multi-byte characters is still too long.
	_, err = b.SendMessage(context.Background(), &bot.SendMessageParams{
		ChatID: chat, Text: "q", ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("ü", strings.Repeat("ü", 33))}),
	})
	if err == nil || !strings.Contains(err.Error(), "BUTTON_DATA_INVALID") {
		t.Errorf("66-byte callback data: %v", err)
	}
}

func TestSendMessageErrors(t *testing.T) {
	_, b := setup(t)
	ctx := context.Background()
	cases := []struct {
		p    *bot.SendMessageParams
		want string
	}{
		{&bot.SendMessageParams{ChatID: chat, Text: ""}, "Bad Request: message text is empty"},
		{&bot.SendMessageParams{ChatID: chat, Text: "a <x> b", ParseMode: models.ParseModeHTML}, `Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 2`},
		{&bot.SendMessageParams{ChatID: chat, Text: "<b>open", ParseMode: models.ParseModeHTML}, "Bad Request: can't parse entities: Can't find end tag corresponding to start tag b"},
		{&bot.SendMessageParams{ChatID: chat, Text: "<b>x</i>", ParseMode: models.ParseModeHTML}, `Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{&bot.SendMessageParams{ChatID: chat, Text: strings.Repeat("a", 4097)}, "Bad Request: message is too long"},
		{&bot.SendMessageParams{ChatID: chat, Text: "q", ReplyMarkup: keyboard([]models.InlineKeyboardButton{{Text: "no action"}})}, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
	}
	for _, c := range cases {
		_, err := b.SendMessage(ctx, c.p)
		if err == nil || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("SendMessage(%q): %v, want %q", c.p.Text, err, c.want)
		}
	}
	// Entity offsets count UTF-16 code units, like Telegram.
	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "😀 <b><i>x</i></b>", ParseMode: models.ParseModeHTML})
	if err != nil || m.Text != "😀 x" || len(m.Entities) != 2 || m.Entities[0].Type != models.MessageEntityTypeBold ||
		m.Entities[0].Offset != 3 || m.Entities[0].Length != 1 || m.Entities[1].Type != models.MessageEntityTypeItalic {
		t.Errorf("entities: %v, %+v", err, m)
	}
	// Escaped HTML is fine and decoded.
	m, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "1 &lt; 2 &amp; Bob&#39;s", ParseMode: models.ParseModeHTML})
	if err != nil || m.Text != "1 < 2 & Bob's" {
		t.Errorf("escaped HTML: %v, %q", err, m.Text)
	}
}

func TestFailNext(t *testing.T) {
	fake, b := setup(t)
	fake.FailNext("sendMessage", 2, 7)
	for i := 0; i < 2; i++ {
		_, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat, Text: "hi"})
		var tooMany *bot.TooManyRequestsError
		if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 || !strings.Contains(tooMany.Message, "Too Many Requests: retry after 7") {
			t.Fatalf("attempt %d: err = %v", i, err)
		}
	}
	if _, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat, Text: "hi"}); err != nil {
		t.Fatalf("third attempt: %v", err)
	}
	if fake.Count429() != 2 || len(fake.Messages(chat)) != 1 {
		t.Errorf("Count429 = %d, messages = %+v", fake.Count429(), fake.Messages(chat))
	}
	calls := fake.CallsTo("sendMessage")
	if len(calls) != 3 || calls[0].Status != 429 || calls[1].Status != 429 || calls[2].Status != 200 {
		t.Errorf("calls = %+v", calls)
	}

	// The raw answer is exactly the real one.
	fake.FailNext("getMe", 1, 3)
	resp, err := http.Post(fake.URL()+"/bot"+token+"/getMe", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || string(body) != `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}` {
		t.Errorf("429 answer: %d %s", resp.StatusCode, body)
	}
}

// post POSTs a JSON body to a method and decodes the answer; safe to call
// from any goroutine.
func post(fake *telegramtest.Server, method string, body any) (int, map[string]json.RawMessage, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.Post(fake.URL()+"/bot"+token+"/"+method, "application/json", bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]json.RawMessage
	err = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, err
}

// postJSON is post for the test goroutine.
func postJSON(t *testing.T, fake *telegramtest.Server, method string, body any) (int, map[string]json.RawMessage) {
	t.Helper()
	status, out, err := post(fake, method, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, out
}

func getUpdates(t *testing.T, fake *telegramtest.Server, offset int64, timeout int) []models.Update {
	t.Helper()
	status, out := postJSON(t, fake, "getUpdates", map[string]any{
		"offset": offset, "timeout": timeout, "limit": 100, "allowed_updates": []string{"message", "callback_query"},
	})
	if status != 200 || string(out["ok"]) != "true" {
		t.Fatalf("getUpdates: %d %v", status, out)
	}
	var ups []models.Update
	if err := json.Unmarshal(out["result"], &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

func TestGetUpdatesLongPoll(t *testing.T) {
	fake := telegramtest.New(t, token)

	// Nothing queued and timeout 0: an empty array at once.
	if ups := getUpdates(t, fake, 0, 0); len(ups) != 0 {
		t.Fatalf("updates = %+v", ups)
	}

	// A waiting poll is woken by a new update.
	done := make(chan []models.Update)
	go func() {
		status, out, err := post(fake, "getUpdates", map[string]any{"offset": 0, "timeout": 10, "limit": 100})
		var ups []models.Update
		if err == nil && status == 200 {
			_ = json.Unmarshal(out["result"], &ups)
		}
		done <- ups
	}()
	fake.WaitFor(t, 2*time.Second, func(s *telegramtest.Server) bool { return len(s.CallsTo("getUpdates")) == 2 })
	start := time.Now()
	sent := fake.SendText(chat, "/start abc")
	var ups []models.Update
	select {
	case ups = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("long poll not woken by SendText")
	}
	if time.Since(start) > 2*time.Second || len(ups) != 1 || ups[0].ID != sent.ID || ups[0].Message == nil {
		t.Fatalf("updates = %+v", ups)
	}
	m := ups[0].Message
	if m.Text != "/start abc" || m.Chat.ID != chat || m.Chat.Type != models.ChatTypePrivate || m.From.ID != chat || m.From.LanguageCode != "de" ||
		len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBotCommand || m.Entities[0].Offset != 0 || m.Entities[0].Length != 6 {
		t.Errorf("message = %+v", m)
	}

	// Unconfirmed updates are returned again; the offset confirms them.
	fake.SetLanguage(chat, "en")
	second := fake.SendText(chat, "hello")
	if second.ID != sent.ID+1 || second.Message.From.LanguageCode != "en" || second.Message.Entities != nil {
		t.Errorf("second = %+v", second.Message)
	}
	if ups := getUpdates(t, fake, 0, 0); len(ups) != 2 {
		t.Fatalf("without offset: %d updates", len(ups))
	}
	ups = getUpdates(t, fake, second.ID, 0)
	if len(ups) != 1 || ups[0].ID != second.ID {
		t.Fatalf("offset %d: %+v", second.ID, ups)
	}
	if ups := getUpdates(t, fake, 0, 0); len(ups) != 1 {
		t.Fatalf("the update below the offset was not forgotten: %+v", ups)
	}
	if ups := getUpdates(t, fake, second.ID+1, 0); len(ups) != 0 {
		t.Fatalf("after confirming all: %+v", ups)
	}

	// Queue delivers arbitrary updates, duplicates included.
	fake.Queue(second)
	fake.Queue(second)
	if ups := getUpdates(t, fake, 0, 0); len(ups) != 2 || ups[0].ID != second.ID || ups[1].ID != second.ID {
		t.Fatalf("queued duplicates: %+v", ups)
	}

	// A poll that waits ends when the request is cancelled.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fake.URL()+"/bot"+token+"/getUpdates", strings.NewReader(`{"offset":99999,"timeout":30}`))
	req.Header.Set("Content-Type", "application/json")
	start = time.Now()
	if _, err := http.DefaultClient.Do(req); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled poll: %v after %v", err, time.Since(start))
	}
}

func TestConcurrentGetUpdatesConflict(t *testing.T) {
	fake := telegramtest.New(t, token)
	first := make(chan int)
	go func() {
		status, _, _ := post(fake, "getUpdates", map[string]any{"timeout": 10})
		first <- status
	}()
	fake.WaitFor(t, 2*time.Second, func(s *telegramtest.Server) bool { return len(s.CallsTo("getUpdates")) == 1 })
	if ups := getUpdates(t, fake, 0, 0); len(ups) != 0 {
		t.Fatalf("updates = %+v", ups)
	}
	select {
	case status := <-first:
		if status != 409 {
			t.Errorf("older poll answered %d", status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("older poll not terminated")
	}
	if c := fake.CallsTo("getUpdates"); c[0].Description != "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" {
		t.Errorf("calls = %+v", c)
	}
}

func TestGetUpdatesConflictWithWebhook(t *testing.T) {
	fake, b := setup(t)
	if _, err := b.SetWebhook(context.Background(), &bot.SetWebhookParams{URL: "https://example.com/hook"}); err != nil {
		t.Fatal(err)
	}
	status, out := postJSON(t, fake, "getUpdates", map[string]any{"offset": 0})
	if status != 409 || string(out["description"]) != `"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"` {
		t.Errorf("getUpdates with webhook: %d %s", status, out["description"])
	}
	if ok, err := b.DeleteWebhook(context.Background(), &bot.DeleteWebhookParams{}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ups := getUpdates(t, fake, 0, 0); len(ups) != 0 {
		t.Errorf("updates = %+v", ups)
	}
}

// fakeTB records failures instead of failing the test.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	failed []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = append(f.failed, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Errorf(format string, args ...any) { f.Fatalf(format, args...) }

func (f *fakeTB) failures() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.failed...)
}

func TestPressMissingButtonFails(t *testing.T) {
	tb := &fakeTB{TB: t}
	fake := telegramtest.New(tb, token)
	b, err := bot.New(fake.Token(), bot.WithServerURL(fake.URL()), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	m := sendQuestion(t, b)

	fake.Press(chat, m.ID, "o|q1|9")
	fake.Press(chat, 77, "o|q1|1")
	fake.PressButton(chat, "Weiter")
	fake.Press(chat+1, 1, "o|q1|1")
	got := tb.failures()
	if len(got) != 4 || !strings.Contains(got[0], `no button with callback data "o|q1|9"`) || !strings.Contains(got[1], "no message 77") ||
		!strings.Contains(got[2], `no button "Weiter"`) {
		t.Fatalf("failures = %q", got)
	}
	if len(fake.UnansweredCallbacks()) != 0 {
		t.Error("a failed press created a callback query")
	}

	// Pressing a real button works and carries the message.
	u := fake.PressButton(chat, "2")
	if len(tb.failures()) != 4 {
		t.Fatalf("failures = %q", tb.failures())
	}
	q := u.CallbackQuery
	if q == nil || q.Data != "o|q1|2" || q.From.ID != chat || q.Message.Message == nil || q.Message.Message.ID != m.ID ||
		q.Message.Message.ReplyMarkup == nil || q.ChatInstance == "" || q.ID == "" {
		t.Fatalf("callback update = %+v", u)
	}
	// The update as the bot receives it decodes to the accessible message.
	ups := getUpdates(t, fake, 0, 0)
	if len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.Message.Type != models.MaybeInaccessibleMessageTypeMessage ||
		ups[0].CallbackQuery.Message.Message.Text != "Wie zufrieden sind Sie?" {
		t.Fatalf("polled = %+v", ups)
	}
	if un := fake.UnansweredCallbacks(); len(un) != 1 || un[0] != q.ID {
		t.Fatalf("unanswered = %v", un)
	}
	if ok, err := b.AnswerCallbackQuery(context.Background(), &bot.AnswerCallbackQueryParams{CallbackQueryID: q.ID, Text: "Danke"}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if un := fake.UnansweredCallbacks(); len(un) != 0 {
		t.Errorf("unanswered after answer = %v", un)
	}
	if cbs := fake.Callbacks(); len(cbs) != 1 || !cbs[0].Answered || cbs[0].AnswerText != "Danke" {
		t.Errorf("callbacks = %+v", cbs)
	}
	_, err = b.AnswerCallbackQuery(context.Background(), &bot.AnswerCallbackQueryParams{CallbackQueryID: "nope"})
	if err == nil || !strings.HasSuffix(err.Error(), "Bad Request: query is too old and response timeout expired or query ID is invalid") {
		t.Errorf("unknown query: %v", err)
	}
}

func TestWebhook(t *testing.T) {
	fake, b := setup(t)
	type got struct {
		secret string
		update models.Update
	}
	received := make(chan got, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u models.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		received <- got{secret: r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), update: u}
	}))
	defer hook.Close()

	ok, err := b.SetWebhook(context.Background(), &bot.SetWebhookParams{
		URL: hook.URL + "/tg", SecretToken: "s3cr3t_-X", AllowedUpdates: []string{"message", "callback_query"}, MaxConnections: 10,
	})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	url, secret := fake.Webhook()
	if url != hook.URL+"/tg" || secret != "s3cr3t_-X" {
		t.Fatalf("Webhook() = %q, %q", url, secret)
	}
	info, err := b.GetWebhookInfo(context.Background())
	if err != nil || info.URL != url || info.MaxConnections != 10 || len(info.AllowedUpdates) != 2 {
		t.Errorf("GetWebhookInfo = %+v, %v", info, err)
	}

	u := fake.SendText(chat, "hallo")
	resp, err := fake.PostUpdate(url, secret, u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("webhook answered %d", resp.StatusCode)
	}
	r := <-received
	if r.secret != "s3cr3t_-X" || r.update.ID != u.ID || r.update.Message == nil || r.update.Message.Text != "hallo" {
		t.Errorf("received %+v", r)
	}
	// Without a secret the header is left out.
	resp, err = fake.PostUpdate(url, "", u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if r := <-received; r.secret != "" {
		t.Errorf("secret header sent: %q", r.secret)
	}
	// In webhook mode user updates are not queued for getUpdates.
	if _, err := b.DeleteWebhook(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if ups := getUpdates(t, fake, 0, 0); len(ups) != 0 {
		t.Errorf("updates queued in webhook mode: %+v", ups)
	}

	_, err = b.SetWebhook(context.Background(), &bot.SetWebhookParams{URL: hook.URL, SecretToken: "not/allowed="})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("bad secret: %v", err)
	}
}

func TestAuthAndUnknownMethod(t *testing.T) {
	fake := telegramtest.New(t, token)
	resp, err := http.Post(fake.URL()+"/bot999:wrong/getMe", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || string(body) != `{"ok":false,"error_code":401,"description":"Unauthorized"}` {
		t.Errorf("wrong token: %d %s", resp.StatusCode, body)
	}
	status, out := postJSON(t, fake, "sendRocket", map[string]any{})
	if status != 404 || string(out["ok"]) != "false" || string(out["error_code"]) != "404" {
		t.Errorf("unknown method: %d %v", status, out)
	}
	// getMe through the client.
	b, _ := bot.New(token, bot.WithServerURL(fake.URL()), bot.WithSkipGetMe())
	me, err := b.GetMe(context.Background())
	if err != nil || me.ID != 123456 || !me.IsBot {
		t.Errorf("GetMe = %+v, %v", me, err)
	}
}

func TestFormBodiesAndUploads(t *testing.T) {
	fake, b := setup(t)
	// application/x-www-form-urlencoded
	form := url.Values{"chat_id": {"4242"}, "text": {"per Formular"}, "reply_markup": {`{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`}}
	resp, err := http.PostForm(fake.URL()+"/bot"+token+"/sendMessage", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("form sendMessage: %d", resp.StatusCode)
	}
	if m, _ := fake.LastKeyboardMessage(chat); m.Text != "per Formular" || m.Keyboard[0][0].CallbackData != "a" {
		t.Errorf("message = %+v", m)
	}

	data := []byte("id,answer\n1,yes\n")
	doc, err := b.SendDocument(context.Background(), &bot.SendDocumentParams{
		ChatID: chat, Document: &models.InputFileUpload{Filename: "export.csv", Data: bytes.NewReader(data)}, Caption: "Export",
	})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Document == nil || doc.Document.FileName != "export.csv" || doc.Document.FileSize != int64(len(data)) || doc.Caption != "Export" {
		t.Errorf("document result = %+v", doc)
	}
	last, _ := fake.LastMessage(chat)
	if !last.Document || last.FileName != "export.csv" || last.FileSize != int64(len(data)) || last.Text != "Export" {
		t.Errorf("document message = %+v", last)
	}
	calls := fake.CallsTo("sendDocument")
	if len(calls) != 1 || calls[0].Files["document"].Name != "export.csv" || string(calls[0].Files["document"].Data) != string(data) {
		t.Errorf("sendDocument calls = %+v", calls)
	}
	if _, err := b.SendPhoto(context.Background(), &bot.SendPhotoParams{ChatID: chat, Photo: &models.InputFileString{Data: "AgACfileid"}}); err != nil {
		t.Fatal(err)
	}
	if last, _ := fake.LastMessage(chat); !last.Photo {
		t.Errorf("photo message = %+v", last)
	}
	if ok, err := b.SetMyCommands(context.Background(), &bot.SetMyCommandsParams{
		Commands: []models.BotCommand{{Command: "start", Description: "Start"}}, LanguageCode: "en",
	}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if cmds := fake.Commands("en"); len(cmds) != 1 || cmds[0].Command != "start" {
		t.Errorf("commands = %+v", cmds)
	}
	_, err = b.SetMyCommands(context.Background(), &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Start", Description: "x"}}})
	if err == nil || !strings.Contains(err.Error(), "BOT_COMMAND_INVALID") {
		t.Errorf("uppercase command: %v", err)
	}
}

func TestBlockedUser(t *testing.T) {
	fake, b := setup(t)
	fake.SetBlocked(chat, true)
	_, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) {
		t.Errorf("err = %v", err)
	}
	fake.SendText(chat, "/start")
	if _, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat, Text: "hi"}); err != nil {
		t.Errorf("after the user wrote again: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	fake, b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var polled sync.Map
	wg.Add(1)
	go func() { // a poller like the channel's, confirming what it got
		defer wg.Done()
		var offset int64
		for ctx.Err() == nil {
			body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": 1, "limit": 10, "allowed_updates": []string{"message", "callback_query"}})
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fake.URL()+"/bot"+token+"/getUpdates", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			var out struct {
				Result []models.Update `json:"result"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			for _, u := range out.Result {
				polled.Store(u.ID, true)
				offset = u.ID + 1
			}
		}
	}()
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := chat + int64(i)
			for j := range 5 {
				fake.SendText(id, fmt.Sprintf("msg %d", j))
				if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: id, Text: "reply", ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("ok", "ok")})}); err != nil {
					t.Error(err)
					return
				}
				fake.PressButton(id, "ok")
				_ = fake.Messages(id)
				_ = fake.Calls()
			}
		}()
	}
	fake.WaitFor(t, 10*time.Second, func(s *telegramtest.Server) bool {
		n := 0
		polled.Range(func(_, _ any) bool { n++; return true })
		return n == 8*5*2
	})
	cancel()
	wg.Wait()
}
