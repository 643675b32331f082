package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/survey"
)

// TestTelegramKeyboardReplaced has a scripted bot take the keyboard off
// the consent prompt the respondent has just seen and send the prompt
// anew, as the reply to a second /start (a nudge, or a redelivery after
// FLUSHALL) does when it goes out after the first one's: the respondent,
// like a person, presses the new message, once, and reaches the end
// without a problem.
func TestTelegramKeyboardReplaced(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	const chat = 4711
	consent := "o|" + dialogs.ConsentPrompt + "|yes"
	call := func(method string, params map[string]any) int {
		body, _ := json.Marshal(params)
		resp, err := http.Post(fake.URL()+"/bot"+testToken+"/"+method, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Errorf("%s: %v", method, err)
			return 0
		}
		defer resp.Body.Close()
		var out struct {
			OK     bool            `json:"ok"`
			Result json.RawMessage `json:"result"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || !out.OK {
			t.Errorf("%s: ok=%v, %v", method, out.OK, err)
		}
		var m struct {
			ID int `json:"message_id"`
		}
		_ = json.Unmarshal(out.Result, &m) // true, not a message, for some methods
		return m.ID
	}
	ask := func() int {
		return call("sendMessage", map[string]any{"chat_id": chat, "text": "Möchten Sie an der Umfrage teilnehmen?",
			"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "Ja", "callback_data": consent}}}}})
	}
	var (
		mu      sync.Mutex
		pressed []int // the messages whose button was pressed
		second  = make(chan int, 1)
		bg      sync.WaitGroup
	)
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u models.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		switch {
		case u.Message != nil && u.Message.Text == "/start":
			first := ask()
			// The second /start's reply, still going out: the first prompt's
			// keyboard is taken off while the respondent thinks, and the
			// prompt comes again.
			bg.Go(func() {
				time.Sleep(100 * time.Millisecond)
				call("editMessageReplyMarkup", map[string]any{"chat_id": chat, "message_id": first,
					"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{}}})
				time.Sleep(100 * time.Millisecond)
				second <- ask()
			})
		case u.CallbackQuery != nil && u.CallbackQuery.Data == consent:
			mu.Lock()
			pressed = append(pressed, u.CallbackQuery.Message.Message.ID)
			mu.Unlock()
			call("answerCallbackQuery", map[string]any{"callback_query_id": u.CallbackQuery.ID})
			call("sendMessage", map[string]any{"chat_id": chat, "text": "Vielen Dank!"})
		}
	}))
	defer bot.Close()

	cfg := Config{Targets: []string{bot.URL}, BotAPI: fake, Telegram: 1, Concurrency: 1,
		Think: time.Second, Nudge: 10 * time.Second, Deadline: 20 * time.Second, Log: testrig.Log(t)}
	if err := cfg.defaults(); err != nil {
		t.Fatal(err)
	}
	h := &harness{cfg: cfg, bal: newBalancer(cfg.Targets, 1, cfg.Log), log: cfg.Log,
		rep: &Report{Channels: map[string]*ChannelStats{kindTelegram: newChannelStats(func() {})}}}
	r := &Respondent{Channel: kindTelegram, Name: fmt.Sprint("telegram:", chat), Who: survey.Identity{Channel: survey.Telegram, External: fmt.Sprint(chat)}, Script: Script{Actions: []Action{{
		Callback: consent, Text: "ja", Answers: true,
		Before: Screen{Phase: dialogs.PhaseConsent, Item: dialogs.ConsentPrompt},
		After:  Screen{Phase: dialogs.PhaseDone},
	}}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := h.telegram(ctx, r, rand.New(rand.NewPCG(1, 2)))
	bg.Wait()
	if err != nil {
		t.Fatalf("the respondent gave up: %v", err)
	}
	if len(h.rep.Problems) > 0 {
		t.Errorf("problems: %q", h.rep.Problems)
	}
	if n := h.stats(kindTelegram).Represses; n != 1 {
		t.Errorf("%d represses, want 1", n)
	}
	want := <-second
	mu.Lock()
	defer mu.Unlock()
	if len(pressed) != 1 || pressed[0] != want {
		t.Errorf("pressed the consent on messages %v, want once on the newest, %d", pressed, want)
	}
}
