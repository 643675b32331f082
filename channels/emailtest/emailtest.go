// Package emailtest is an in-process SMTP server for tests (go-smtp on
// 127.0.0.1 with a random port). It demands AUTH PLAIN with the server's
// Username and Password, keeps every message it accepts, and helps to find
// the links inside. Plain SMTP by default; WithSTARTTLS and WithImplicitTLS
// add encryption.
package emailtest

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From   string   // envelope sender (MAIL FROM)
	To     []string // envelope recipients (RCPT TO)
	Data   []byte   // the message as sent, headers and body
	Parsed *mail.Message
}

// Option changes how NewServer sets the server up.
type Option func(*smtp.Server, *bool)

// WithSTARTTLS offers STARTTLS with cfg; AUTH is then offered only after
// the upgrade, as real submission servers do.
func WithSTARTTLS(cfg *tls.Config) Option {
	return func(s *smtp.Server, _ *bool) {
		s.TLSConfig = cfg
		s.AllowInsecureAuth = false
	}
}

// WithImplicitTLS speaks TLS from the first byte, like port 465.
func WithImplicitTLS(cfg *tls.Config) Option {
	return func(s *smtp.Server, implicit *bool) {
		s.TLSConfig = cfg
		*implicit = true
	}
}

// Server is a running test SMTP server. It is safe for concurrent use.
type Server struct {
	// Username and Password are what AUTH PLAIN accepts.
	Username, Password string

	addr *net.TCPAddr

	mu       sync.Mutex
	messages []Received
	changed  chan struct{} // closed and replaced on every new message
}

// NewServer starts a server that stops when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{Username: "surveybot", Password: rand.Text(), changed: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	implicit := false
	for _, o := range opts {
		o(srv, &implicit)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("emailtest: listen: %v", err)
	}
	s.addr = l.Addr().(*net.TCPAddr)
	if implicit {
		l = tls.NewListener(l, srv.TLSConfig)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return s
}

// Addr returns where the server listens.
func (s *Server) Addr() (host string, port int) { return s.addr.IP.String(), s.addr.Port }

// Messages returns the messages accepted so far, oldest first, each with
// a freshly parsed Parsed whose Body can be read once.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.messages))
	for i, m := range s.messages {
		out[i] = Received{From: m.From, To: append([]string(nil), m.To...), Data: m.Data}
		out[i].Parsed, _ = mail.ReadMessage(bytes.NewReader(m.Data))
	}
	return out
}

// WaitFor waits until at least n messages have arrived and returns them;
// it fails the test after timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.messages), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("emailtest: %d of %d messages arrived within %v", got, n, timeout)
			return nil
		}
	}
}

func (s *Server) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

// session is one SMTP conversation.
type session struct {
	server *Server
	authed bool
	from   string
	to     []string
}

func (c *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (c *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != c.server.Username || password != c.server.Password {
			return smtp.ErrAuthFailed
		}
		c.authed = true
		return nil
	}), nil
}

func (c *session) Mail(from string, _ *smtp.MailOptions) error {
	if !c.authed {
		return smtp.ErrAuthRequired
	}
	c.from = from
	return nil
}

func (c *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	c.to = append(c.to, to)
	return nil
}

func (c *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unparsable message: " + err.Error()}
	}
	c.server.add(Received{From: c.from, To: append([]string(nil), c.to...), Data: data, Parsed: parsed})
	return nil
}

func (c *session) Reset() { c.from, c.to = "", nil }

func (c *session) Logout() error { return nil }

// Text returns the decoded text/plain part of a message.
func Text(t testing.TB, msg Received) string {
	t.Helper()
	return part(t, msg, "text/plain")
}

// HTML returns the decoded text/html part of a message.
func HTML(t testing.TB, msg Received) string {
	t.Helper()
	return part(t, msg, "text/html")
}

// Link returns the first URL in the text/plain part that starts with
// prefix, such as "https://survey.example.org/s/"; it fails the test if
// there is none.
func Link(t testing.TB, msg Received, prefix string) string {
	t.Helper()
	text := Text(t, msg)
	i := strings.Index(text, prefix)
	if i < 0 {
		t.Fatalf("emailtest: no link starting with %q in:\n%s", prefix, text)
	}
	rest := text[i:]
	if end := strings.IndexAny(rest, " \t\r\n<>\""); end >= 0 {
		rest = rest[:end]
	}
	return strings.TrimRight(rest, ".,;:)")
}

func part(t testing.TB, msg Received, want string) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(msg.Data))
	if err != nil {
		t.Fatalf("emailtest: parse message: %v", err)
	}
	body, found, err := findPart(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, want)
	if err != nil {
		t.Fatalf("emailtest: read message: %v", err)
	}
	if !found {
		t.Fatalf("emailtest: no %s part in:\n%s", want, msg.Data)
	}
	return body
}

// findPart walks a MIME tree for the first part of type want. The
// multipart reader decodes quoted-printable parts itself.
func findPart(contentType, encoding string, body io.Reader, want string) (string, bool, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = "text/plain" // RFC 2045 default
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return "", false, nil
			}
			if err != nil {
				return "", false, err
			}
			s, ok, err := findPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, want)
			if err != nil || ok {
				return s, ok, err
			}
		}
	}
	if mediaType != want {
		return "", false, nil
	}
	b, err := io.ReadAll(decode(encoding, body))
	return string(b), true, err
}

// decode undoes a Content-Transfer-Encoding that mime/multipart has not
// already undone (it does so for quoted-printable parts only).
func decode(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	}
	return r
}
