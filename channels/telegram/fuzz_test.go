package telegram_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/channels/telegram"
)

// postWebhook posts body to the channel's handler with the right secret,
// as Telegram does, and fails t on a 5xx: whatever the body, a server
// error would make Telegram deliver the same update again and again.
func postWebhook(t *testing.T, h http.Handler, body []byte) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	switch rec.Code {
	case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
	default:
		t.Fatalf("webhook answered %d (%q) for %q", rec.Code, rec.Body.String(), body)
	}
	return rec.Code
}

// FuzzWebhook posts arbitrary bodies, with the right secret, to the full
// webhook handler on SQLite and in-process sessions.
func FuzzWebhook(f *testing.F) {
	for _, seed := range []string{
		`{"update_id":1,"message":{"message_id":1,"date":1700000000,"chat":{"id":42,"type":"private"},"from":{"id":42,"first_name":"A","language_code":"de"},"text":"/start"}}`,
		`{"update_id":2,"message":{"message_id":2,"date":1700000000,"chat":{"id":42,"type":"private"},"from":{"id":42,"first_name":"A"},"text":"ja"}}`,
		`{"update_id":3,"message":{"message_id":3,"date":1700000000,"chat":{"id":-100,"type":"group"},"text":"hallo"}}`,
		`{"update_id":4,"callback_query":{"id":"q1","from":{"id":42,"first_name":"A","language_code":"en"},"message":{"message_id":1,"date":1700000000,"chat":{"id":42,"type":"private"}},"data":"o|consent|yes"}}`,
		`{"update_id":5,"callback_query":{"id":"q2","from":{"id":43,"first_name":"B"},"message":{"message_id":7,"date":0,"chat":{"id":43,"type":"private"}},"data":"c||back"}}`,
		`{"update_id":6,"message":{"message_id":4,"date":1700000000,"chat":{"id":42,"type":"private"},"text":"/start abc_DEF-123"}}`,
		`{"update_id":7,"message":{"message_id":5,"date":1700000000,"chat":{"id":42,"type":"private"},"text":"/subscribe@surveybot council-2026"}}`,
		`{"update_id":8,"edited_message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"text":"x"}}`,
		`{"update_id":0}`,
		`{"update_id":9223372036854775807,"message":{"message_id":-1,"date":-1,"chat":{"id":-9223372036854775808,"type":"private"},"text":"\u0000"}}`,
		`[]`,
		``,
	} {
		f.Add([]byte(seed))
	}
	r := newRig(f, rigOptions{mode: telegram.ModeWebhook})
	h := r.ch.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		postWebhook(t, h, body)
	})
}

// FuzzCallbackData presses a button with arbitrary callback data in a chat
// whose dialog has begun: a client can send any data for a button, not
// only what the bot put there.
func FuzzCallbackData(f *testing.F) {
	for _, seed := range []string{
		"o|consent|yes", "o|org_type|business", "o|size|na", "c|chamber|back", "c|mat_tech|done",
		"c||help", "d||yes", "d||no", "s||abc123", "s||o123456789012", "o||", "||", "|", "", "x|y|z|w",
	} {
		f.Add(seed)
	}
	r := newRig(f, rigOptions{mode: telegram.ModeWebhook})
	h := r.ch.Handler()
	const chat = 4242
	// Update ids only grow, as Telegram's do, so no press is a duplicate.
	var updateID atomic.Int64
	update := func(u models.Update) []byte {
		u.ID = updateID.Add(1)
		b, err := json.Marshal(u)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	from := models.User{ID: chat, FirstName: "Fuzz", LanguageCode: "de"}
	start := update(models.Update{Message: &models.Message{ID: 1, From: &from, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: chat, Type: models.ChatTypePrivate}, Text: "/start"}})
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(start))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		f.Fatalf("/start answered %d", rec.Code)
	}
	f.Fuzz(func(t *testing.T, data string) {
		body := update(models.Update{CallbackQuery: &models.CallbackQuery{
			ID: "q", From: from, Data: data,
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage,
				Message: &models.Message{ID: 2, Date: int(time.Now().Unix()), Chat: models.Chat{ID: chat, Type: models.ChatTypePrivate}}},
		}})
		if code := postWebhook(t, h, body); code != http.StatusOK {
			t.Fatalf("a press with data %q answered %d, want 200", data, code)
		}
	})
}
