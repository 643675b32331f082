package email_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/surveybot/surveybot/channels/email"
	"github.com/surveybot/surveybot/dialogs"
)

const (
	webLink   = "https://survey.example.org/s/k3yK3yK3yK3yK3yK3yK3yA"
	tgLink    = "https://t.me/umfrage_bot?start=k3yK3yK3yK3yK3yK3yK3yA"
	unsubLink = "https://survey.example.org/u/k3yK3yK3yK3yK3yK3yK3yA"
)

func invite(kind email.Kind, lang dialogs.Lang) email.Invite {
	return email.Invite{
		Kind:            kind,
		Lang:            lang,
		To:              "inhaber@tischlerei-example.de",
		Chamber:         "Handwerkskammer Hannover",
		WebLink:         webLink,
		TelegramLink:    tgLink,
		UnsubscribeLink: unsubLink,
		Deadline:        time.Date(2026, time.December, 15, 23, 59, 0, 0, time.UTC),
	}
}

func TestComposeKindsAndLanguages(t *testing.T) {
	tests := []struct {
		name        string
		kind        email.Kind
		lang        dialogs.Lang
		subject     string // a word the subject must have
		deadline    string
		mustSay     []string
		mustNotSay  []string
		unsubscribe string
	}{
		{"invitation de", email.Invitation, dialogs.German, "Einladung", "15. Dezember 2026",
			[]string{"Strategierat Niedersachsen", "10 Minuten", "mindestens 5", "Telegram", "Pause"}, []string{"Falls Sie schon begonnen"}, "melden Sie sich hier ab"},
		{"invitation en", email.Invitation, dialogs.English, "Invitation", "15 December 2026",
			[]string{"Strategierat Niedersachsen", "10 minutes", "at least 5", "Telegram", "pause"}, []string{"already started"}, "Unsubscribe"},
		{"reminder de", email.Reminder, dialogs.German, "Erinnerung", "15. Dezember 2026",
			[]string{"noch offen", "Antworten sind gespeichert", "mindestens 5"}, nil, "melden Sie sich hier ab"},
		{"reminder en", email.Reminder, dialogs.English, "Reminder", "15 December 2026",
			[]string{"still open", "answers so far are saved", "at least 5"}, nil, "Unsubscribe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := email.Compose(invite(tt.kind, tt.lang))
			if err != nil {
				t.Fatal(err)
			}
			if m.To != "inhaber@tischlerei-example.de" {
				t.Errorf("To = %q", m.To)
			}
			if !strings.Contains(m.Subject, tt.subject) {
				t.Errorf("subject %q lacks %q", m.Subject, tt.subject)
			}
			for _, part := range []struct{ name, body string }{{"text", oneLine(m.Text)}, {"html", oneLine(m.HTML)}} {
				for _, want := range append([]string{webLink, tgLink, unsubLink, tt.deadline, tt.unsubscribe, "Handwerkskammer Hannover"}, tt.mustSay...) {
					if !strings.Contains(part.body, want) {
						t.Errorf("%s part lacks %q:\n%s", part.name, want, part.body)
					}
				}
				for _, bad := range tt.mustNotSay {
					if strings.Contains(part.body, bad) {
						t.Errorf("%s part says %q", part.name, bad)
					}
				}
			}
			if !strings.Contains(m.HTML, `<html lang="`+string(tt.lang)+`"`) {
				t.Errorf("html does not declare its language %s", tt.lang)
			}
			if !strings.Contains(m.HTML, `<a href="`+webLink+`"`) {
				t.Error("html has no button to the web link")
			}
			if got := m.Headers["List-Unsubscribe"]; got != "<"+unsubLink+">" {
				t.Errorf("List-Unsubscribe = %q", got)
			}
			if got := m.Headers["List-Unsubscribe-Post"]; got != "List-Unsubscribe=One-Click" {
				t.Errorf("List-Unsubscribe-Post = %q", got)
			}
		})
	}
}

func TestComposeWithoutTelegram(t *testing.T) {
	inv := invite(email.Invitation, dialogs.German)
	inv.TelegramLink = ""
	m, err := email.Compose(inv)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"text": m.Text, "html": m.HTML} {
		if strings.Contains(body, "t.me") || strings.Contains(body, "Telegram") {
			t.Errorf("%s part mentions Telegram though there is no Telegram link:\n%s", name, body)
		}
		if !strings.Contains(body, webLink) {
			t.Errorf("%s part lacks the web link", name)
		}
	}
}

func TestComposeEscapesChamberInHTML(t *testing.T) {
	inv := invite(email.Reminder, dialogs.German)
	inv.Chamber = `<script>alert("x")</script> & Söhne`
	m, err := email.Compose(inv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") {
		t.Errorf("html contains the chamber's <script> unescaped:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, "&lt;script&gt;") || !strings.Contains(m.HTML, "&amp; Söhne") {
		t.Errorf("html does not show the chamber's name escaped:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, `<script>alert("x")</script> & Söhne`) {
		t.Error("plain text should show the chamber's name as it is")
	}
}

func TestComposeWithoutChamberOrDeadline(t *testing.T) {
	inv := invite(email.Invitation, dialogs.English)
	inv.Chamber, inv.Deadline = "", time.Time{}
	m, err := email.Compose(inv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "%!") || strings.Contains(m.Text, "until") {
		t.Errorf("text has a hole or a deadline:\n%s", m.Text)
	}
}

func TestComposeSubjectHasNoLineBreak(t *testing.T) {
	inv := invite(email.Reminder, dialogs.German)
	inv.Chamber = "IHK\r\nBcc: victim@example.org"
	m, err := email.Compose(inv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("subject %q has a line break", m.Subject)
	}
}

func TestComposeWrapsText(t *testing.T) {
	m, err := email.Compose(invite(email.Reminder, dialogs.German))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(m.Text, "\n") {
		if utf8.RuneCountInString(line) > 72 && !strings.Contains(line, "https://") {
			t.Errorf("line longer than 72 characters: %q", line)
		}
	}
}

func TestComposeHTTPUnsubscribeHasNoOneClick(t *testing.T) {
	inv := invite(email.Invitation, dialogs.German)
	inv.UnsubscribeLink = "http://localhost:8080/u/abc"
	m, err := email.Compose(inv)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Headers["List-Unsubscribe-Post"]; ok {
		t.Error("RFC 8058 one-click needs an https link")
	}
	if m.Headers["List-Unsubscribe"] != "<http://localhost:8080/u/abc>" {
		t.Errorf("List-Unsubscribe = %q", m.Headers["List-Unsubscribe"])
	}
}

func TestComposeRejects(t *testing.T) {
	tests := map[string]func(*email.Invite){
		"no recipient":    func(i *email.Invite) { i.To = "" },
		"bad recipient":   func(i *email.Invite) { i.To = "not an address" },
		"no web link":     func(i *email.Invite) { i.WebLink = "" },
		"relative link":   func(i *email.Invite) { i.WebLink = "/s/abc" },
		"no unsubscribe":  func(i *email.Invite) { i.UnsubscribeLink = "" },
		"javascript link": func(i *email.Invite) { i.TelegramLink = "javascript:alert(1)" },
		"bracket in link": func(i *email.Invite) { i.UnsubscribeLink = "https://x.example/u/a>b" },
		"unknown kind":    func(i *email.Invite) { i.Kind = 7 },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			inv := invite(email.Invitation, dialogs.German)
			change(&inv)
			if _, err := email.Compose(inv); !errors.Is(err, email.ErrInvalidMessage) {
				t.Errorf("err = %v, want ErrInvalidMessage", err)
			}
		})
	}
}

// oneLine undoes the wrapping of plain text.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
