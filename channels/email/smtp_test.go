package email_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/email"
	"github.com/surveybot/surveybot/channels/emailtest"
	"github.com/surveybot/surveybot/dialogs"
)

const from = "Strategierat Niedersachsen – Umfrage <umfrage@example.org>"

// selfSigned makes a server certificate for 127.0.0.1 that no one trusts.
func selfSigned(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
}

func sender(t *testing.T, srv *emailtest.Server, mode string) *email.SMTPSender {
	t.Helper()
	host, port := srv.Addr()
	s, err := email.NewSMTPSender(email.SMTPConfig{
		Host: host, Port: port, Username: srv.Username, Password: srv.Password,
		TLS: mode, From: from, Timeout: 5 * time.Second, InsecureSkipVerify: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func reminder(t *testing.T) email.Message {
	t.Helper()
	inv := invite(email.Reminder, dialogs.German)
	inv.Chamber = "Handwerkskammer Braunschweig-Lüneburg-Stade"
	m, err := email.Compose(inv)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// checkReceived asserts what a respondent's mail program would show.
func checkReceived(t *testing.T, got emailtest.Received, want email.Message) {
	t.Helper()
	if got.From != "umfrage@example.org" || len(got.To) != 1 || got.To[0] != want.To {
		t.Errorf("envelope %q -> %q", got.From, got.To)
	}
	h := got.Parsed.Header
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil || subject != want.Subject {
		t.Errorf("subject %q (%v), want %q", subject, err, want.Subject)
	}
	if !strings.Contains(subject, "läuft") {
		t.Errorf("subject %q lost its umlaut", subject)
	}
	fromAddr, err := mail.ParseAddress(h.Get("From"))
	if err != nil || fromAddr.Name != "Strategierat Niedersachsen – Umfrage" || fromAddr.Address != "umfrage@example.org" {
		t.Errorf("From %q (%v)", h.Get("From"), err)
	}
	if to, err := mail.ParseAddress(h.Get("To")); err != nil || to.Address != want.To {
		t.Errorf("To %q (%v)", h.Get("To"), err)
	}
	if h.Get("List-Unsubscribe") != "<"+unsubLink+">" || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("unsubscribe headers %q, %q", h.Get("List-Unsubscribe"), h.Get("List-Unsubscribe-Post"))
	}
	if h.Get("Date") == "" || !strings.HasSuffix(h.Get("Message-Id"), "@example.org>") {
		t.Errorf("Date %q, Message-ID %q", h.Get("Date"), h.Get("Message-Id"))
	}

	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v)", h.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(got.Parsed.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts[ct] = strings.ReplaceAll(string(b), "\r\n", "\n") // mail lines end in CRLF
	}
	if parts["text/plain"] != want.Text {
		t.Errorf("text/plain part differs from the composed text:\n%s", parts["text/plain"])
	}
	if parts["text/html"] != want.HTML {
		t.Errorf("text/html part differs from the composed HTML:\n%s", parts["text/html"])
	}
	if link := emailtest.Link(t, got, "https://survey.example.org/s/"); link != webLink {
		t.Errorf("personal link %q, want %q", link, webLink)
	}
}

func TestSMTPSenderSTARTTLS(t *testing.T) {
	// AUTH is offered only after STARTTLS, so delivery proves the upgrade.
	srv := emailtest.NewServer(t, emailtest.WithSTARTTLS(selfSigned(t)))
	m := reminder(t)
	if err := sender(t, srv, email.TLSStartTLS).Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, srv.WaitFor(t, 1, 5*time.Second)[0], m)
}

func TestSMTPSenderImplicitTLS(t *testing.T) {
	srv := emailtest.NewServer(t, emailtest.WithImplicitTLS(selfSigned(t)))
	m := reminder(t)
	if err := sender(t, srv, email.TLSImplicit).Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, srv.WaitFor(t, 1, 5*time.Second)[0], m)
}

func TestSMTPSenderPlainRelay(t *testing.T) {
	srv := emailtest.NewServer(t)
	m := reminder(t)
	if err := sender(t, srv, email.TLSNone).Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, srv.WaitFor(t, 1, 5*time.Second)[0], m)
}

func TestSMTPSenderRefusesWithoutSTARTTLS(t *testing.T) {
	srv := emailtest.NewServer(t) // offers no STARTTLS
	err := sender(t, srv, email.TLSStartTLS).Send(t.Context(), reminder(t))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a STARTTLS error", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages sent in the clear", n)
	}
}

func TestSMTPSenderRejectsUntrustedCertificate(t *testing.T) {
	srv := emailtest.NewServer(t, emailtest.WithSTARTTLS(selfSigned(t)))
	host, port := srv.Addr()
	s, err := email.NewSMTPSender(email.SMTPConfig{Host: host, Port: port, Username: srv.Username, Password: srv.Password, From: from, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(t.Context(), reminder(t)); err == nil {
		t.Fatal("sent over TLS with a certificate no one trusts")
	}
}

func TestSMTPSenderWrongPassword(t *testing.T) {
	srv := emailtest.NewServer(t, emailtest.WithSTARTTLS(selfSigned(t)))
	srv.Password = "not-the-password" // the client keeps the one it was given
	host, port := srv.Addr()
	s, err := email.NewSMTPSender(email.SMTPConfig{Host: host, Port: port, Username: srv.Username, Password: "wrong", From: from, Timeout: 5 * time.Second, InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(t.Context(), reminder(t))
	if err == nil {
		t.Fatal("sent with a wrong password")
	}
	if email.IsTemporary(err) {
		t.Errorf("a rejected login (%v) is not worth retrying", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages accepted", n)
	}
}

// silentServer accepts connections and never says a word.
func silentServer(t *testing.T) (string, int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		for _, c := range conns {
			c.Close()
		}
	})
	a := l.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

func TestSMTPSenderTimeout(t *testing.T) {
	host, port := silentServer(t)
	const timeout = 300 * time.Millisecond
	s, err := email.NewSMTPSender(email.SMTPConfig{Host: host, Port: port, TLS: email.TLSNone, From: from, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = s.Send(t.Context(), reminder(t))
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("a server that never answers took the message")
	}
	if elapsed > timeout+time.Second {
		t.Errorf("gave up after %v, want about %v", elapsed, timeout)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("err = %v, want a timeout", err)
	}
	if !email.IsTemporary(err) {
		t.Errorf("a timeout (%v) is worth retrying", err)
	}
}

func TestSMTPSenderContextDeadline(t *testing.T) {
	host, port := silentServer(t)
	s, err := email.NewSMTPSender(email.SMTPConfig{Host: host, Port: port, TLS: email.TLSNone, From: from, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := s.Send(ctx, reminder(t)); err == nil {
		t.Fatal("no error")
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("ignored the context's deadline: %v", elapsed)
	}
}

func TestSMTPSenderConcurrent(t *testing.T) {
	srv := emailtest.NewServer(t, emailtest.WithSTARTTLS(selfSigned(t)))
	s := sender(t, srv, email.TLSStartTLS)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			inv := invite(email.Invitation, dialogs.English)
			inv.To = fmt.Sprintf("firm%d@example.com", i)
			m, err := email.Compose(inv)
			if err == nil {
				err = s.Send(t.Context(), m)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got := srv.WaitFor(t, n, 5*time.Second)
	seen := map[string]bool{}
	for _, r := range got {
		seen[r.To[0]] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct recipients, want %d", len(seen), n)
	}
}

func TestNewSMTPSenderRejects(t *testing.T) {
	tests := map[string]email.SMTPConfig{
		"no host":  {From: from},
		"bad from": {Host: "mail.example.org", From: "nobody"},
		"bad tls":  {Host: "mail.example.org", From: from, TLS: "ssl"},
		"bad port": {Host: "mail.example.org", From: from, Port: 70000},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := email.NewSMTPSender(cfg); !errors.Is(err, email.ErrInvalidConfig) {
				t.Errorf("err = %v, want ErrInvalidConfig", err)
			}
		})
	}
}
