package email

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// parseFrom checks a From address such as "Umfrage <umfrage@example.org>".
func parseFrom(from string) (*mail.Address, error) {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("%w: from %q: %w", ErrInvalidConfig, from, err)
	}
	return a, nil
}

// buildMsg turns a Message into a go-mail message: text/plain with a
// text/html alternative, quoted-printable UTF-8, a Message-ID in the
// sender's domain rather than this host's name.
func buildMsg(from *mail.Address, m Message, now time.Time) (*gomail.Msg, error) {
	if m.Subject == "" || (m.Text == "" && m.HTML == "") {
		return nil, fmt.Errorf("%w: no subject or body", ErrInvalidMessage)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("%w: recipient: %w", ErrInvalidMessage, err)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	msg.ToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetDateWithValue(now)
	msg.SetMessageIDWithValue(rand.Text() + "@" + domainOf(from.Address))
	for k, v := range m.Headers {
		if strings.ContainsAny(k, ": \t\r\n") || strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("%w: header %q", ErrInvalidMessage, k)
		}
		if isASCII(v) {
			// Preformatted: go-mail must not Q-encode "<https://…>".
			msg.SetGenHeaderPreformatted(gomail.Header(k), v)
		} else {
			msg.SetGenHeader(gomail.Header(k), v)
		}
	}
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.Text != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	default:
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		msg.AttachReadSeeker(a.Name, bytes.NewReader(a.Data))
	}
	return msg, nil
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return addr[i+1:]
	}
	return "localhost"
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
