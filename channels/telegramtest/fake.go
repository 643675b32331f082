// Package telegramtest is an in-process fake of the Telegram Bot API for
// tests. It speaks the real wire format (POST /bot<token>/<method> with
// JSON, multipart or URL-encoded bodies; {"ok":...,"result":...} answers
// and the real error codes and descriptions), keeps a model of the private
// chats the bot talks in, lets the test act as users (typing text, pressing
// inline buttons) and delivers the resulting updates by long polling
// (getUpdates) or, in webhook mode, by posting them where the test says.
//
// Point a github.com/go-telegram/bot client at it with
// bot.WithServerURL(fake.URL()) and bot.WithSkipGetMe().
//
// Supported methods (names case-insensitive, as in the real API): getMe,
// getUpdates, setWebhook, deleteWebhook, getWebhookInfo, setMyCommands,
// sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
// sendPhoto, sendDocument, sendChatAction and deleteMessage; others answer
// 404 "Not Found". parse_mode HTML is parsed like Telegram does (errors
// included); Markdown and MarkdownV2 text is kept as sent, unchecked.
//
// Everything is safe for concurrent use.
package telegramtest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"
)

// Limits and descriptions of the real Bot API.
const (
	maxTextLen         = 4096 // UTF-16 code units of a message text after entity parsing
	maxCaptionLen      = 1024 // the same for a caption
	maxCallbackData    = 64   // bytes of an inline button's callback_data
	maxCommands        = 100
	maxRequestBody     = 64 << 20
	defaultLimit       = 100
	defaultMaxConns    = 40
	defaultLanguage    = "de"
	descNotModified    = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	descEditNotFound   = "message to edit not found"
	descQueryInvalid   = "query is too old and response timeout expired or query ID is invalid"
	descWebhookActive  = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	descPollTerminated = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	descBlocked        = "Forbidden: bot was blocked by the user"
)

// Calls returns all recorded calls in the order they arrived, getUpdates
// and failed calls included.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = copyCall(c)
	}
	return out
}

// CallsTo returns the recorded calls of method (case-insensitive), in order.
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if strings.EqualFold(c.Method, method) {
			out = append(out, copyCall(c))
		}
	}
	return out
}

func copyCall(c Call) Call {
	p := make(map[string]string, len(c.Params))
	for k, v := range c.Params {
		p[k] = v
	}
	c.Params = p
	if c.Files != nil {
		f := make(map[string]File, len(c.Files))
		for k, v := range c.Files {
			f[k] = v
		}
		c.Files = f
	}
	return c
}

// FailNext makes the next n calls of method (case-insensitive) answer HTTP
// 429 {"ok":false,"error_code":429,"description":"Too Many Requests: retry
// after N","parameters":{"retry_after":N}} with N = retryAfter, without
// doing anything else. The calls are still recorded, with Status 429.
func (s *Server) FailNext(method string, n int, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[strings.ToLower(method)] = &failure{n: n, retryAfter: retryAfter}
}

// LimitSends makes the server enforce a bulk limit like Telegram's: send*
// calls beyond perSecond (a token bucket holding burst) answer 429 with
// retry_after 1.
func (s *Server) LimitSends(perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bulk = rate.NewLimiter(rate.Limit(perSecond), burst)
}

// Count429 is how many calls were answered with 429 so far.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n429
}

// WaitFor calls cond every few milliseconds until it returns true, or
// fails t after timeout with a description of the server's state (calls,
// chats, queue). cond is called without any lock held and may use the
// Server's methods.
func (s *Server) WaitFor(t testing.TB, timeout time.Duration, cond func(*Server) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if cond(s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("telegramtest: condition not met within %v\n%s", timeout, s.describe())
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// describe summarizes the state for failure messages.
func (s *Server) describe() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	if s.hook.url != "" {
		fmt.Fprintf(&b, "webhook: %s\n", s.hook.url)
	}
	fmt.Fprintf(&b, "queued updates: %d\n", len(s.queue))
	polls := 0
	var rest []Call
	for _, c := range s.calls {
		if c.Method == "getUpdates" && c.Status == http.StatusOK {
			polls++
			continue
		}
		rest = append(rest, c)
	}
	fmt.Fprintf(&b, "successful getUpdates calls: %d\n", polls)
	const maxShown = 40
	if len(rest) > maxShown {
		fmt.Fprintf(&b, "other calls: %d, the last %d:\n", len(rest), maxShown)
		rest = rest[len(rest)-maxShown:]
	} else {
		fmt.Fprintf(&b, "other calls: %d\n", len(rest))
	}
	for _, c := range rest {
		fmt.Fprintf(&b, "  %s %s %d", c.At.Format("15:04:05.000"), c.Method, c.Status)
		if c.Description != "" {
			fmt.Fprintf(&b, " %q", c.Description)
		}
		keys := make([]string, 0, len(c.Params))
		for k := range c.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := c.Params[k]
			if len(v) > 120 {
				v = v[:120] + "…"
			}
			fmt.Fprintf(&b, " %s=%q", k, v)
		}
		b.WriteByte('\n')
	}
	ids := make([]int64, 0, len(s.chats))
	for id := range s.chats {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, "chat %d:\n", id)
		for _, m := range s.chats[id].msgs {
			if m.deleted {
				continue
			}
			fmt.Fprintf(&b, "  #%d %q", m.id, m.text)
			if kb := keyboardOf(m.markup); kb != nil {
				fmt.Fprintf(&b, " keyboard=%v", kb)
			}
			if m.edits > 0 {
				fmt.Fprintf(&b, " edits=%d", m.edits)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Messages returns what the bot sent to the private chat chatID, in order,
// with edits applied and deleted messages left out.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.msgs {
		if !m.deleted {
			out = append(out, m.public())
		}
	}
	return out
}

// LastMessage returns the newest message the bot sent to chatID.
func (s *Server) LastMessage(chatID int64) (Message, bool) {
	msgs := s.Messages(chatID)
	if len(msgs) == 0 {
		return Message{}, false
	}
	return msgs[len(msgs)-1], true
}

// LastKeyboardMessage returns the newest message in chatID that still has
// an inline keyboard.
func (s *Server) LastKeyboardMessage(chatID int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lastKeyboardLocked(chatID)
	if m == nil {
		return Message{}, false
	}
	return m.public(), true
}

func (s *Server) lastKeyboardLocked(chatID int64) *botMessage {
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	for i := len(c.msgs) - 1; i >= 0; i-- {
		if m := c.msgs[i]; !m.deleted && m.markup != nil {
			return m
		}
	}
	return nil
}

// UnansweredCallbacks returns the ids of the callback queries created by
// Press that the bot has not answered, oldest first.
func (s *Server) UnansweredCallbacks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.callbackOrder {
		if !s.callbacks[id].cb.Answered {
			out = append(out, id)
		}
	}
	return out
}

// Callbacks returns all callback queries created by Press, oldest first,
// with the bot's answers.
func (s *Server) Callbacks() []Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Callback, 0, len(s.callbackOrder))
	for _, id := range s.callbackOrder {
		out = append(out, s.callbacks[id].cb)
	}
	return out
}

// Commands returns the command list the bot registered with setMyCommands
// for languageCode ("" for the default list); the scope is not told apart.
func (s *Server) Commands(languageCode string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[languageCode])
}

// Webhook returns the webhook URL and secret token the bot registered with
// setWebhook; url is "" while no webhook is set.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hook.url, s.hook.secret
}

// SetLanguage sets the language_code of the user of chatID in the updates
// created from then on ("de" unless set).
func (s *Server) SetLanguage(chatID int64, lang string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).lang = lang
}

// SetBlocked makes the user of chatID block (true) or unblock the bot.
// While blocked, sending to the chat answers 403 "Forbidden: bot was
// blocked by the user". A user who writes (SendText) has unblocked the bot.
func (s *Server) SetBlocked(chatID int64, blocked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).blocked = blocked
}

func (s *Server) chatLocked(id int64) *chatState {
	c := s.chats[id]
	if c == nil {
		c = &chatState{id: id, lang: defaultLanguage}
		s.chats[id] = c
	}
	return c
}

// userLocked is the user of a private chat.
func (s *Server) userLocked(c *chatState) models.User {
	return models.User{
		ID: c.id, FirstName: "User", LastName: strconv.FormatInt(c.id, 10),
		Username: "user" + strconv.FormatInt(c.id, 10), LanguageCode: c.lang,
	}
}

// chatObject is the private chat as Telegram describes it.
func chatObject(id int64) models.Chat {
	return models.Chat{
		ID: id, Type: models.ChatTypePrivate, FirstName: "User",
		LastName: strconv.FormatInt(id, 10), Username: "user" + strconv.FormatInt(id, 10),
	}
}
