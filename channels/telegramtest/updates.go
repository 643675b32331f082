package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"
	"unicode"

	"github.com/go-telegram/bot/models"
)

// ErrNoKeyboard is what TryPress returns, wrapped, for a message without
// an inline keyboard: one the bot sent without, or took it off since.
var ErrNoKeyboard = errors.New("no inline keyboard")

// queuedUpdate is an update waiting to be fetched by getUpdates.
type queuedUpdate struct {
	id   int64
	kind string // the update's field: "message", "callback_query", ...
	raw  json.RawMessage
}

// SendText makes the user of the private chat chatID (user id == chatID)
// write text to the bot and returns the message update. Text starting with
// "/" carries a bot_command entity, as the real API sends commands. The
// user's language_code is "de" unless changed with SetLanguage. The update
// is queued for getUpdates unless a webhook is set (then deliver it with
// PostUpdate).
func (s *Server) SendText(chatID int64, text string) models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(chatID)
	c.blocked = false
	c.nextMsgID++
	from := s.userLocked(c)
	u := models.Update{
		ID: s.newUpdateIDLocked(),
		Message: &models.Message{
			ID: c.nextMsgID, From: &from, Date: int(time.Now().Unix()),
			Chat: chatObject(chatID), Text: text, Entities: commandEntities(text),
		},
	}
	s.deliverLocked(u)
	return u
}

// Press makes the user of chatID press the inline button with callback
// data on the bot's message messageID and returns the callback_query
// update, which carries the message as it is now (reply_markup included)
// and a fresh query id. It fails the test given to New if there is no such
// message or button: tests must only press buttons the bot actually sent.
// The update is queued for getUpdates unless a webhook is set.
func (s *Server) Press(chatID int64, messageID int, data string) models.Update {
	s.helper()
	s.mu.Lock()
	u, err := s.pressLocked(chatID, messageID, data)
	s.mu.Unlock()
	if err != nil {
		s.fatalf("telegramtest: Press: %v", err)
		return models.Update{}
	}
	return u
}

// PressButton presses the button labelled label on the newest message of
// chatID that has an inline keyboard (see LastKeyboardMessage), like Press.
// It fails the test given to New if there is no such button.
func (s *Server) PressButton(chatID int64, label string) models.Update {
	s.helper()
	s.mu.Lock()
	u, err := s.pressButtonLocked(chatID, label)
	s.mu.Unlock()
	if err != nil {
		s.fatalf("telegramtest: PressButton: %v", err)
		return models.Update{}
	}
	return u
}

func (s *Server) pressButtonLocked(chatID int64, label string) (models.Update, error) {
	m := s.lastKeyboardLocked(chatID)
	if m == nil {
		return models.Update{}, fmt.Errorf("chat %d has no message with an inline keyboard", chatID)
	}
	var labels []string
	for _, row := range m.markup.InlineKeyboard {
		for _, b := range row {
			if b.Text != label {
				labels = append(labels, b.Text)
				continue
			}
			if b.CallbackData == "" {
				return models.Update{}, fmt.Errorf("button %q of message %d in chat %d has no callback data", label, m.id, chatID)
			}
			return s.pressLocked(chatID, m.id, b.CallbackData)
		}
	}
	return models.Update{}, fmt.Errorf("message %d in chat %d (%q) has no button %q; its buttons: %q", m.id, chatID, m.text, label, labels)
}

func (s *Server) pressLocked(chatID int64, messageID int, data string) (models.Update, error) {
	var m *botMessage
	if c := s.chats[chatID]; c != nil {
		for _, cm := range c.msgs {
			if cm.id == messageID && !cm.deleted {
				m = cm
			}
		}
	}
	if m == nil {
		return models.Update{}, fmt.Errorf("chat %d has no message %d from the bot", chatID, messageID)
	}
	if m.markup == nil {
		return models.Update{}, fmt.Errorf("message %d in chat %d (%q) has %w", messageID, chatID, m.text, ErrNoKeyboard)
	}
	found := false
	var datas []string
	for _, row := range m.markup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != "" {
				datas = append(datas, b.CallbackData)
			}
			if data != "" && b.CallbackData == data {
				found = true
			}
		}
	}
	if !found {
		return models.Update{}, fmt.Errorf("message %d in chat %d (%q) has no button with callback data %q; it has %q", messageID, chatID, m.text, data, datas)
	}
	s.nextQueryID++
	id := strconv.FormatInt(s.nextQueryID, 10)
	s.callbacks[id] = &callbackState{cb: Callback{ID: id, ChatID: chatID, MessageID: messageID, Data: data}}
	s.callbackOrder = append(s.callbackOrder, id)
	u := models.Update{
		ID: s.newUpdateIDLocked(),
		CallbackQuery: &models.CallbackQuery{
			ID:   id,
			From: s.userLocked(s.chatLocked(chatID)),
			Message: models.MaybeInaccessibleMessage{
				Type:    models.MaybeInaccessibleMessageTypeMessage,
				Message: s.wire(m),
			},
			ChatInstance: chatInstance(chatID),
			Data:         data,
		},
	}
	s.deliverLocked(u)
	return u, nil
}

// chatInstance is a stable stand-in for Telegram's chat_instance.
func chatInstance(chatID int64) string {
	return "-" + strconv.FormatUint((uint64(chatID)^0x5deece66d)*2654435761%1000000000000000000, 10)
}

// Queue queues u for getUpdates as it is, also while a webhook is set, so
// tests can deliver duplicated, reordered or unusual updates. An update_id
// of 0 is replaced by the next one; a higher update_id than any so far
// moves the counter on.
func (s *Server) Queue(u models.Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == 0 {
		u.ID = s.newUpdateIDLocked()
	} else if u.ID >= s.nextUpdateID {
		s.nextUpdateID = u.ID + 1
	}
	s.enqueueLocked(u)
}

// Pending is the number of queued updates the bot has not confirmed yet
// (by a getUpdates with a higher offset): in polling mode, what it has not
// taken.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// PostUpdate POSTs u as JSON to url, the way Telegram calls a webhook,
// with the header X-Telegram-Bot-Api-Secret-Token set to secret (left out
// when secret is ""). The caller closes the response body.
func (s *Server) PostUpdate(url, secret string, u models.Update) (*http.Response, error) {
	body, err := encodeJSON(u)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	return client.Do(req)
}

func (s *Server) newUpdateIDLocked() int64 {
	id := s.nextUpdateID
	s.nextUpdateID++
	return id
}

// deliverLocked queues an update created by a user unless a webhook is set.
func (s *Server) deliverLocked(u models.Update) {
	if s.hook.url == "" {
		s.enqueueLocked(u)
	}
}

func (s *Server) enqueueLocked(u models.Update) {
	raw, err := encodeJSON(u)
	if err != nil {
		s.errorf("telegramtest: cannot encode update %d: %v", u.ID, err)
		return
	}
	s.queue = append(s.queue, queuedUpdate{id: u.ID, kind: updateKind(raw), raw: raw})
	s.broadcastLocked()
}

// broadcastLocked wakes every waiting getUpdates.
func (s *Server) broadcastLocked() {
	close(s.notify)
	s.notify = make(chan struct{})
}

// updateKind is the name of the update's one optional field.
func updateKind(raw []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	var keys []string
	for k := range m {
		if k != "update_id" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

func (s *Server) setAllowedLocked(list []string) {
	if len(list) == 0 {
		s.allowed = nil // Telegram's default
		return
	}
	s.allowed = slices.Clone(list)
}

// allowedLocked tells whether updates of kind are delivered: those named
// in allowed_updates, or by default all but chat_member, message_reaction
// and message_reaction_count.
func (s *Server) allowedLocked(kind string) bool {
	if s.allowed == nil {
		return kind != "chat_member" && kind != "message_reaction" && kind != "message_reaction_count"
	}
	return slices.Contains(s.allowed, kind)
}

// getUpdatesLocked answers getUpdates; it releases the lock while it waits.
func (s *Server) getUpdatesLocked(ctx context.Context, p map[string]string) (any, *apiError) {
	if s.hook.url != "" {
		return nil, &apiError{code: http.StatusConflict, desc: descWebhookActive}
	}
	offset := intParam(p, "offset", 0)
	limit := int(intParam(p, "limit", defaultLimit))
	if limit <= 0 || limit > defaultLimit {
		limit = defaultLimit
	}
	timeout := max(intParam(p, "timeout", 0), 0)
	if list, ok := stringList(p, "allowed_updates"); ok {
		s.setAllowedLocked(list)
	}

	// Confirm (forget) what the offset says the bot has seen.
	switch {
	case offset > 0:
		s.queue = slices.DeleteFunc(s.queue, func(q queuedUpdate) bool { return q.id < offset })
	case offset < 0:
		if n := int(-offset); n < len(s.queue) {
			s.queue = slices.Clone(s.queue[len(s.queue)-n:])
		}
	}

	// A newer getUpdates terminates an older one that still waits.
	s.pollGen++
	gen := s.pollGen
	s.broadcastLocked()

	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	var timer *time.Timer
	for {
		switch {
		case s.closed:
			return []json.RawMessage{}, nil
		case gen != s.pollGen:
			return nil, &apiError{code: http.StatusConflict, desc: descPollTerminated}
		case s.hook.url != "":
			return nil, &apiError{code: http.StatusConflict, desc: descWebhookActive}
		}
		res := []json.RawMessage{}
		for _, q := range s.queue {
			if len(res) == limit {
				break
			}
			if s.allowedLocked(q.kind) {
				res = append(res, q.raw)
			}
		}
		if len(res) > 0 {
			return res, nil
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return res, nil
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		}
		ch := s.notify
		s.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
		case <-ctx.Done():
		}
		s.mu.Lock()
		if ctx.Err() != nil {
			return []json.RawMessage{}, nil
		}
	}
}

// commandEntities finds bot commands ("/start", "/help@some_bot") at the
// start of the text or after white space, with offsets and lengths in
// UTF-16 code units, as Telegram marks them.
func commandEntities(text string) []models.MessageEntity {
	var ents []models.MessageEntity
	runes := []rune(text)
	isCmd := func(r rune) bool {
		return r < 0x80 && (isAlnum(byte(r)) || r == '_')
	}
	off := 0
	prevSpace := true
	for i := 0; i < len(runes); {
		r := runes[i]
		if r == '/' && prevSpace {
			j := i + 1
			for j < len(runes) && isCmd(runes[j]) {
				j++
			}
			if n := j - i - 1; n >= 1 && n <= 64 {
				if j < len(runes) && runes[j] == '@' {
					k := j + 1
					for k < len(runes) && isCmd(runes[k]) {
						k++
					}
					if k-j-1 >= 3 {
						j = k
					}
				}
				ents = append(ents, models.MessageEntity{Type: models.MessageEntityTypeBotCommand, Offset: off, Length: j - i})
				off += j - i // ASCII only: one UTF-16 unit per rune
				i = j
				prevSpace = false
				continue
			}
		}
		prevSpace = unicode.IsSpace(r)
		off += utf16Len(string(r))
		i++
	}
	return ents
}
