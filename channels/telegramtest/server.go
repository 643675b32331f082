package telegramtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"
)

// Server is a fake Telegram Bot API server. Create it with New.
type Server struct {
	t     testing.TB
	token string
	srv   *httptest.Server
	bot   models.User

	mu            sync.Mutex
	closed        bool
	bulk          *rate.Limiter // LimitSends, nil without
	calls         []Call
	chats         map[int64]*chatState
	nextUpdateID  int64
	queue         []queuedUpdate
	allowed       []string // allowed_updates; nil: Telegram's default
	notify        chan struct{}
	pollGen       uint64
	hook          webhookState
	fails         map[string]*failure
	n429          int
	callbacks     map[string]*callbackState
	callbackOrder []string
	nextQueryID   int64
	nextFileID    int
	commands      map[string][]models.BotCommand
	watchers      map[int64]chan struct{} // closed when the chat changes (WaitChat)
}

// New starts a fake Bot API server for token; it is closed when the test
// ends. Press and PressButton report misuse through t. The bot's own user
// (getMe, and the sender of its messages) has the id before the ':' of the
// token, like a real token.
func New(t testing.TB, token string) *Server {
	t.Helper()
	s := newServer(t, token)
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.close)
	return s
}

// newServer is a Server that does not listen yet; t may be nil (NewServer).
func newServer(t testing.TB, token string) *Server {
	id, err := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	if err != nil || id <= 0 {
		id = 1000000001
	}
	s := &Server{
		t:     t,
		token: token,
		bot: models.User{
			ID: id, IsBot: true, FirstName: "Test Bot", Username: "telegramtest_bot",
			CanJoinGroups: true,
		},
		chats:        map[int64]*chatState{},
		nextUpdateID: 1,
		notify:       make(chan struct{}),
		fails:        map[string]*failure{},
		callbacks:    map[string]*callbackState{},
		nextQueryID:  4000000000000000001,
		commands:     map[string][]models.BotCommand{},
		watchers:     map[int64]chan struct{}{},
	}
	return s
}

// close ends waiting long polls, then shuts the HTTP server down.
func (s *Server) close() {
	s.mu.Lock()
	s.closed = true
	s.broadcastLocked()
	s.mu.Unlock()
	s.srv.Close()
}

// URL is the server's base URL, for bot.WithServerURL.
func (s *Server) URL() string { return s.srv.URL }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// Bot is the bot's own user, as getMe returns it.
func (s *Server) Bot() models.User { return s.bot }

// Option configures a Server made by NewServer.
type Option func(*serverOptions)

type serverOptions struct {
	ln          net.Listener
	firstUpdate int64
}

// WithFirstUpdateID makes the Server number the updates it creates from
// id on, instead of 1. A bot remembers the update ids it took (surveybot
// for 24 hours), so a new fake for a bot that already took updates from
// another must continue where that one stopped, as Telegram would.
func WithFirstUpdateID(id int64) Option {
	return func(o *serverOptions) { o.firstUpdate = id }
}

// WithListener makes the Server serve on ln (for example on a fixed
// address a separately started bot is configured with) instead of a fresh
// port on 127.0.0.1.
func WithListener(ln net.Listener) Option {
	return func(o *serverOptions) { o.ln = ln }
}

// NewServer starts a fake Bot API server for token outside a test, for
// tools such as a load harness; Close stops it. It behaves like New, except
// that misuse which New reports through the test (Press of a button that
// does not exist) panics, so use TryPress and TryPressButton instead.
func NewServer(token string, opts ...Option) *Server {
	var o serverOptions
	for _, opt := range opts {
		opt(&o)
	}
	s := newServer(nil, token)
	if o.firstUpdate > 0 {
		s.nextUpdateID = o.firstUpdate
	}
	if o.ln == nil {
		s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
		return s
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	_ = s.srv.Listener.Close()
	s.srv.Listener = o.ln
	s.srv.Start()
	return s
}

// Close ends waiting long polls and stops a Server made by NewServer. A
// Server made by New is closed when its test ends.
func (s *Server) Close() { s.close() }

// TryPress is Press that returns misuse as an error instead of failing a
// test.
func (s *Server) TryPress(chatID int64, messageID int, data string) (models.Update, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pressLocked(chatID, messageID, data)
}

// TryPressButton is PressButton that returns misuse as an error instead of
// failing a test.
func (s *Server) TryPressButton(chatID int64, label string) (models.Update, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pressButtonLocked(chatID, label)
}

// EncodeUpdate is u as Telegram posts it to a webhook.
func EncodeUpdate(u models.Update) ([]byte, error) { return encodeJSON(u) }

// WaitChat calls cond with the messages of the private chat chatID (as
// Messages returns them) now and after every change the bot makes to the
// chat, until cond returns true; then it returns those messages. It
// returns ctx's error when ctx ends first.
func (s *Server) WaitChat(ctx context.Context, chatID int64, cond func([]Message) bool) ([]Message, error) {
	for {
		s.mu.Lock()
		ch := s.watchers[chatID]
		if ch == nil {
			ch = make(chan struct{})
			s.watchers[chatID] = ch
		}
		s.mu.Unlock()
		msgs := s.Messages(chatID)
		if cond(msgs) {
			return msgs, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return msgs, ctx.Err()
		}
	}
}

// chatChangedLocked wakes the WaitChat calls of the chat a method named.
func (s *Server) chatChangedLocked(chatID string) {
	id, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return
	}
	if ch := s.watchers[id]; ch != nil {
		close(ch)
		delete(s.watchers, id)
	}
}

// helper marks the caller as a test helper when there is a test.
func (s *Server) helper() {
	if s.t != nil {
		s.t.Helper()
	}
}

// fatalf fails the test given to New, or panics without one.
func (s *Server) fatalf(format string, args ...any) {
	if s.t == nil {
		panic(fmt.Sprintf(format, args...))
	}
	s.t.Helper()
	s.t.Fatalf(format, args...)
}

// errorf reports an error to the test given to New; without one it is
// dropped, as the caller goes on anyway.
func (s *Server) errorf(format string, args ...any) {
	if s.t != nil {
		s.t.Helper()
		s.t.Errorf(format, args...)
	}
}
