package email_test

import (
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/email"
	"github.com/surveybot/surveybot/channels/emailtest"
	"github.com/surveybot/surveybot/dialogs"
)

func TestFileSender(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox", "mail")
	s, err := email.NewFileSender(dir, from)
	if err != nil {
		t.Fatal(err)
	}
	m := reminder(t)
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	other, err := email.Compose(invite(email.Invitation, dialogs.English))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(t.Context(), other); err != nil {
		t.Fatal(err)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("%d files, want 2 (no leftovers): %v", len(entries), entries)
	}
	name := regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{12}\.eml$`)
	var found bool
	for _, e := range entries {
		if !name.MatchString(e.Name()) {
			t.Errorf("file name %q is not <UTC time>-<random>.eml", e.Name())
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := mail.ReadMessage(strings.NewReader(string(data)))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		var dec mime.WordDecoder
		if subject, _ := dec.DecodeHeader(parsed.Header.Get("Subject")); subject != m.Subject {
			continue // the other one
		}
		found = true
		got := emailtest.Received{From: "umfrage@example.org", To: []string{m.To}, Data: data, Parsed: parsed}
		checkReceived(t, got, m)
	}
	if !found {
		t.Error("the reminder was not written")
	}
}

func TestNewFileSenderRejects(t *testing.T) {
	if _, err := email.NewFileSender("", from); err == nil {
		t.Error("no folder accepted")
	}
	if _, err := email.NewFileSender(t.TempDir(), "nobody"); err == nil {
		t.Error("bad From accepted")
	}
}
