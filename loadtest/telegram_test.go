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

const scriptedChat = 4711

// TestTelegramKeyboardReplaced has a scripted bot take the keyboard off
// the consent prompt the respondent has just seen and send the prompt
// anew, as the reply to a second /start (a nudge, or a redelivery after
// FLUSHALL) does when it goes out after the first one's: the respondent,
// like a person, presses the new message, once, and reaches the end
// without a problem.
func TestTelegramKeyboardReplaced(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	consent := "o|" + dialogs.ConsentPrompt + "|yes"
	var (
		mu      sync.Mutex
		pressed []int // the messages whose button was pressed
		second  = make(chan int, 1)
		bg      sync.WaitGroup
	)
	h := scriptedRun(t, fake, time.Second, func(u models.Update) {
		switch {
		case u.Message != nil && u.Message.Text == "/start":
			first := ask(t, fake, "Möchten Sie an der Umfrage teilnehmen?", buttons(consent))
			// The second /start's reply, still going out: the first prompt's
			// keyboard is taken off while the respondent thinks, and the
			// prompt comes again.
			bg.Go(func() {
				time.Sleep(100 * time.Millisecond)
				botCall(t, fake, "editMessageReplyMarkup", map[string]any{"chat_id": scriptedChat, "message_id": first, "reply_markup": buttons()})
				time.Sleep(100 * time.Millisecond)
				second <- ask(t, fake, "Möchten Sie an der Umfrage teilnehmen?", buttons(consent))
			})
		case u.CallbackQuery != nil && u.CallbackQuery.Data == consent:
			mu.Lock()
			pressed = append(pressed, u.CallbackQuery.Message.Message.ID)
			mu.Unlock()
			ask(t, fake, "Vielen Dank!", nil)
		}
	}, Action{Callback: consent, Text: "ja", Answers: true,
		Before: Screen{Phase: dialogs.PhaseConsent, Item: dialogs.ConsentPrompt},
		After:  Screen{Phase: dialogs.PhaseDone},
	})
	bg.Wait()
	if len(h.rep.Problems)+len(h.rep.Warnings) > 0 {
		t.Errorf("problems %q, warnings %q", h.rep.Problems, h.rep.Warnings)
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

// TestTelegramDoneOnLostTicks has a scripted bot lose the ticks of a
// multiple choice (as FLUSHALL loses the dialog session) just before the
// "done" press, refuse the press and show the choice with no ticks, as the
// engine does: the respondent reports the lost ticks (a warning with
// AllowLostTicks), ticks them again and presses "done" again.
func TestTelegramDoneOnLostTicks(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	tick, done := "o|m|a", "c|m|"+string(dialogs.CmdDone)
	var (
		mu     sync.Mutex
		msg    int
		ticked bool
		dones  int
	)
	choice := func(ticked bool) *models.InlineKeyboardMarkup {
		label := "a"
		if ticked {
			label = "✓ a"
		}
		return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: label, CallbackData: tick}}, {{Text: "fertig", CallbackData: done}}}}
	}
	h := scriptedRun(t, fake, 0, func(u models.Update) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case u.Message != nil && u.Message.Text == "/start":
			msg = ask(t, fake, "Was?", choice(ticked))
		case u.CallbackQuery != nil && u.CallbackQuery.Data == tick:
			ticked = !ticked
			botCall(t, fake, "editMessageText", map[string]any{"chat_id": scriptedChat, "message_id": msg, "text": "Was?", "reply_markup": choice(ticked)})
		case u.CallbackQuery != nil && u.CallbackQuery.Data == done:
			if dones++; dones == 1 {
				ticked = false // the session is lost: "done" on no ticks is refused
				botCall(t, fake, "editMessageText", map[string]any{"chat_id": scriptedChat, "message_id": msg, "text": "Was? (keine Auswahl)", "reply_markup": choice(false)})
				return
			}
			if ticked {
				botCall(t, fake, "editMessageText", map[string]any{"chat_id": scriptedChat, "message_id": msg, "text": "Was? a"})
				ask(t, fake, "Vielen Dank!", nil)
			}
		}
	}, Action{Callback: tick, Before: Screen{Item: "m"}, After: Screen{Item: "m", Draft: []string{"a"}}},
		Action{Callback: done, Answers: true, Before: Screen{Item: "m", Draft: []string{"a"}}, After: Screen{Phase: dialogs.PhaseDone}})
	if len(h.rep.Problems) > 0 || len(h.rep.Warnings) != 1 {
		t.Errorf("problems %q, warnings %q; want one warning of the lost tick", h.rep.Problems, h.rep.Warnings)
	}
	mu.Lock()
	defer mu.Unlock()
	if dones != 2 {
		t.Errorf("%d presses of done, want 2", dones)
	}
}

// scriptedRun lets one Telegram respondent act through a scripted bot:
// handle gets each update the respondent delivers to the webhook and
// answers through the fake Bot API.
func scriptedRun(t *testing.T, fake *telegramtest.Server, think time.Duration, handle func(models.Update), acts ...Action) *harness {
	t.Helper()
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u models.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if u.CallbackQuery != nil {
			botCall(t, fake, "answerCallbackQuery", map[string]any{"callback_query_id": u.CallbackQuery.ID})
		}
		handle(u)
	}))
	t.Cleanup(bot.Close)
	cfg := Config{Targets: []string{bot.URL}, BotAPI: fake, Telegram: 1, Concurrency: 1, AllowLostTicks: true,
		Think: think, Nudge: 500 * time.Millisecond, Deadline: 20 * time.Second, Log: testrig.Log(t)}
	if err := cfg.defaults(); err != nil {
		t.Fatal(err)
	}
	h := &harness{cfg: cfg, bal: newBalancer(cfg.Targets, 1, cfg.Log), log: cfg.Log,
		rep: &Report{Channels: map[string]*ChannelStats{kindTelegram: newChannelStats(func() {})}}}
	who := survey.Identity{Channel: survey.Telegram, External: fmt.Sprint(scriptedChat)}
	r := &Respondent{Channel: kindTelegram, Name: "telegram:" + who.External, Who: who, Script: Script{Actions: acts}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.telegram(ctx, r, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatalf("the respondent gave up: %v", err)
	}
	return h
}

func buttons(data ...string) *models.InlineKeyboardMarkup {
	rows := [][]models.InlineKeyboardButton{}
	for _, d := range data {
		rows = append(rows, []models.InlineKeyboardButton{{Text: d, CallbackData: d}})
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// ask sends text (with the keyboard kb, if not nil) to the scripted chat
// and returns the message's id.
func ask(t *testing.T, fake *telegramtest.Server, text string, kb *models.InlineKeyboardMarkup) int {
	p := map[string]any{"chat_id": scriptedChat, "text": text}
	if kb != nil {
		p["reply_markup"] = kb
	}
	return botCall(t, fake, "sendMessage", p)
}

// botCall calls the fake Bot API as the bot, and returns the id of the
// message in the result (0 if none).
func botCall(t *testing.T, fake *telegramtest.Server, method string, params map[string]any) int {
	body, _ := json.Marshal(params)
	resp, err := http.Post(fake.URL()+"/bot"+testToken+"/"+method, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: %v", method, err)
		return 0
	}
	defer resp.Body.Close()
	var out struct {
		OK          bool            `json:"ok"`
		Description string          `json:"description"`
		Result      json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || !out.OK {
		t.Errorf("%s: %s %v", method, out.Description, err)
	}
	var m struct {
		ID int `json:"message_id"`
	}
	_ = json.Unmarshal(out.Result, &m) // true, not a message, for some methods
	return m.ID
}
