// Package slacktest is a fake of the Slack Web API for tests, built on
// slack-go's own slacktest server, whose custom handlers (its Binder)
// answer the methods the bot calls with the real wire format: a model of
// the messages in each conversation (chat.postMessage, chat.update,
// chat.postEphemeral), conversations.open, users.lookupByEmail and the files
// upload v2 flow (files.getUploadURLExternal, the upload,
// files.completeUploadExternal). It records every call, can answer 429
// with Retry-After, and builds the requests Slack sends to an app (events,
// button presses, slash commands), signed with the signing secret as
// Slack signs them, or sends them as Socket Mode envelopes over its
// WebSocket (apps.connections.open leads there) and records the acks.
//
// Point a slack-go client at it with slack.OptionAPIURL(fake.APIURL()).
// Everything is safe for concurrent use.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	slackfake "github.com/slack-go/slack/slacktest"
)

// Call is one Web API call the fake received.
type Call struct {
	Method string
	Params url.Values
}

// Message is a message as it stands in a conversation, after any updates.
type Message struct {
	Channel   string
	TS        string
	Text      string
	Blocks    slack.Blocks
	Ephemeral bool   // chat.postEphemeral: shown to User alone, not kept
	User      string // ephemeral: the user who sees it
	Updates   int    // chat.update calls on it
}

// File is an uploaded file, shared into Channel.
type File struct {
	ID, Name, Title, Channel string
	Data                     []byte
}

// Server is the fake Web API.
type Server struct {
	fake *slackfake.Server

	mu       sync.Mutex
	calls    []Call
	messages []*Message
	users    map[string]string // e-mail -> user id
	fail     map[string][2]int // method -> {times, retry after seconds}
	n429     int
	files    []File
	pending  map[string]File // uploads not completed yet
	seq      int64
	base     int64

	envelopes chan []byte // Socket Mode envelopes to send
	acks      []Ack
}

// New starts a fake, stopped when the test ends.
func New(t testing.TB) *Server {
	s := &Server{users: map[string]string{}, fail: map[string][2]int{}, pending: map[string]File{}, base: time.Now().Unix(), envelopes: make(chan []byte, 16)}
	s.fake = slackfake.NewTestServer(func(c slackfake.Customize) {
		for method, h := range map[string]func(v url.Values, r *http.Request) (any, error){
			"chat.postMessage":             s.postMessage,
			"chat.update":                  s.update,
			"chat.postEphemeral":           s.postEphemeral,
			"conversations.open":           s.openConversation,
			"users.lookupByEmail":          s.lookupByEmail,
			"files.getUploadURLExternal":   s.getUploadURL,
			"files.completeUploadExternal": s.completeUpload,
			"apps.connections.open":        s.socketURL,
		} {
			c.Handle("/"+method, s.method(method, h))
		}
		c.Handle("/upload/", s.upload)
		c.Handle("/socket", s.socket)
	})
	s.fake.Start()
	t.Cleanup(s.fake.Stop)
	return s
}

// APIURL is the base URL for slack.OptionAPIURL; it ends in "/".
func (s *Server) APIURL() string { return s.fake.GetAPIURL() }

// AddUser lets users.lookupByEmail find id by email.
func (s *Server) AddUser(email, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[strings.ToLower(email)] = id
}

// FailNext makes the next times calls of method answer 429 with
// Retry-After: retryAfter (seconds).
func (s *Server) FailNext(method string, times, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[method] = [2]int{times, retryAfter}
}

// Count429 returns how many calls were answered 429.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n429
}

// Calls returns every call so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns the calls of one method.
func (s *Server) CallsTo(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the messages of a conversation as they stand now, in
// the order they were posted, without ephemeral ones.
func (s *Server) Messages(channel string) []Message {
	return s.filter(func(m *Message) bool { return m.Channel == channel && !m.Ephemeral })
}

// Ephemerals returns the ephemeral messages shown in a conversation.
func (s *Server) Ephemerals(channel string) []Message {
	return s.filter(func(m *Message) bool { return m.Channel == channel && m.Ephemeral })
}

func (s *Server) filter(keep func(*Message) bool) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if keep(m) {
			out = append(out, *m)
		}
	}
	return out
}

// LastMessage returns the latest message of a conversation.
func (s *Server) LastMessage(channel string) (Message, bool) {
	ms := s.Messages(channel)
	if len(ms) == 0 {
		return Message{}, false
	}
	return ms[len(ms)-1], true
}

// LastInteractive returns the latest message of a conversation that has
// buttons or checkboxes.
func (s *Server) LastInteractive(channel string) (Message, bool) {
	ms := s.Messages(channel)
	for i := len(ms) - 1; i >= 0; i-- {
		if len(ms[i].Actions()) > 0 {
			return ms[i], true
		}
	}
	return Message{}, false
}

// Files returns the files uploaded and shared so far.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.files)
}

// method wraps a Web API method: it records the call, answers 429 when
// told to, and writes the result or the error as Slack does.
func (s *Server) method(name string, h func(v url.Values, r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v, _ := url.ParseQuery(string(body))
		for k, q := range r.URL.Query() {
			v[k] = q
		}
		s.mu.Lock()
		s.calls = append(s.calls, Call{Method: name, Params: v})
		f := s.fail[name]
		if f[0] > 0 {
			s.fail[name] = [2]int{f[0] - 1, f[1]}
			s.n429++
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if f[0] > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f[1]))
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		}
		res, err := h(v, r)
		if err != nil {
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": err.Error()})
			return
		}
		b, _ := json.Marshal(res)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		if m == nil {
			m = map[string]any{}
		}
		m["ok"] = true
		_ = json.NewEncoder(w).Encode(m)
	}
}

// apiError is a Slack error code.
type apiError string

func (e apiError) Error() string { return string(e) }

func (s *Server) nextTS() string {
	s.seq++
	return fmt.Sprintf("%d.%06d", s.base, s.seq)
}

func parseBlocks(v url.Values) (slack.Blocks, error) {
	var bs slack.Blocks
	if raw := v.Get("blocks"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &bs); err != nil {
			return bs, apiError("invalid_blocks")
		}
	}
	return bs, nil
}

func (s *Server) postMessage(v url.Values, _ *http.Request) (any, error) {
	ch := v.Get("channel")
	if ch == "" {
		return nil, apiError("channel_not_found")
	}
	bs, err := parseBlocks(v)
	if err != nil {
		return nil, err
	}
	if v.Get("text") == "" && len(bs.BlockSet) == 0 {
		return nil, apiError("no_text")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Channel: ch, TS: s.nextTS(), Text: v.Get("text"), Blocks: bs}
	s.messages = append(s.messages, m)
	return map[string]any{"channel": ch, "ts": m.TS, "message": map[string]any{"text": m.Text, "ts": m.TS}}, nil
}

func (s *Server) postEphemeral(v url.Values, _ *http.Request) (any, error) {
	bs, err := parseBlocks(v)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Channel: v.Get("channel"), TS: s.nextTS(), Text: v.Get("text"), Blocks: bs, Ephemeral: true, User: v.Get("user")}
	s.messages = append(s.messages, m)
	return map[string]any{"message_ts": m.TS}, nil
}

func (s *Server) update(v url.Values, _ *http.Request) (any, error) {
	bs, err := parseBlocks(v)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.messages {
		if m.Channel == v.Get("channel") && m.TS == v.Get("ts") && !m.Ephemeral {
			m.Text, m.Blocks = v.Get("text"), bs
			m.Updates++
			return map[string]any{"channel": m.Channel, "ts": m.TS, "text": m.Text}, nil
		}
	}
	return nil, apiError("message_not_found")
}

func (s *Server) openConversation(v url.Values, _ *http.Request) (any, error) {
	users := strings.Split(v.Get("users"), ",")
	if len(users) != 1 || users[0] == "" {
		return nil, apiError("invalid_arguments")
	}
	return map[string]any{"channel": map[string]any{"id": DMOf(users[0])}}, nil
}

// DMOf is the id of the app's DM with user in the fake.
func DMOf(user string) string { return "D" + user }

func (s *Server) lookupByEmail(v url.Values, _ *http.Request) (any, error) {
	s.mu.Lock()
	id, ok := s.users[strings.ToLower(v.Get("email"))]
	s.mu.Unlock()
	if !ok {
		return nil, apiError("users_not_found")
	}
	return map[string]any{"user": map[string]any{"id": id, "profile": map[string]any{"email": v.Get("email")}}}, nil
}

func (s *Server) getUploadURL(v url.Values, _ *http.Request) (any, error) {
	n, _ := strconv.Atoi(v.Get("length"))
	if v.Get("filename") == "" || n <= 0 {
		return nil, apiError("invalid_arguments")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("F%06d", s.seq)
	s.pending[id] = File{ID: id, Name: v.Get("filename")}
	return map[string]any{"upload_url": s.APIURL() + "upload/" + id, "file_id": id}, nil
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	f, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(f)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{Method: "upload", Params: url.Values{"file_id": {id}}})
	p, ok := s.pending[id]
	if !ok {
		http.Error(w, "unknown upload", http.StatusNotFound)
		return
	}
	p.Data = data
	s.pending[id] = p
	_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(data)))
}

func (s *Server) completeUpload(v url.Values, _ *http.Request) (any, error) {
	var files []slack.FileSummary
	if err := json.Unmarshal([]byte(v.Get("files")), &files); err != nil || len(files) == 0 {
		return nil, apiError("invalid_arguments")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range files {
		p, ok := s.pending[f.ID]
		if !ok || p.Data == nil {
			return nil, apiError("file_not_found")
		}
		delete(s.pending, f.ID)
		p.Title, p.Channel = f.Title, v.Get("channel_id")
		s.files = append(s.files, p)
	}
	return map[string]any{"files": files}, nil
}
