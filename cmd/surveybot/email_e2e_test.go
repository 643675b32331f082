package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/emailtest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// emailRig runs surveybot commands in-process on one config: SQLite, web
// links on a free port, e-mail through an in-process SMTP server.
type emailRig struct {
	t      *testing.T
	smtp   *emailtest.Server
	addr   string
	cfg    string
	dsn    string
	getenv func(string) string
}

func newEmailRig(t *testing.T) *emailRig {
	t.Helper()
	r := &emailRig{t: t, smtp: emailtest.NewServer(t), addr: testrig.FreeAddr(t)}
	host, port := r.smtp.Addr()
	r.dsn = "sqlite:" + filepath.Join(t.TempDir(), "mail.db")
	r.cfg = filepath.Join(t.TempDir(), "surveybot.toml")
	cfg := fmt.Sprintf(`[server]
listen = %q
[sql]
dsn = %q
[web]
base_url = "http://%s"
secret_key = "0123456789abcdef0123456789abcdef"
[email]
mode = "smtp"
from = "Umfrage Digitalisierung <umfrage@example.org>"
smtp_host = %q
smtp_port = %d
smtp_username = %q
smtp_tls = "none"
[log]
level = "warn"
`, r.addr, r.dsn, r.addr, host, port, r.smtp.Username)
	if err := os.WriteFile(r.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"SURVEYBOT_EMAIL_SMTP_PASSWORD": r.smtp.Password}
	r.getenv = func(k string) string { return vars[k] }
	return r
}

func (r *emailRig) run(ctx context.Context, args ...string) (int, string) {
	var out, errOut strings.Builder
	code := run(ctx, args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: r.getenv})
	return code, out.String() + errOut.String()
}

// serve runs `surveybot serve` in this process until the test ends.
func (r *emailRig) serve() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.run(ctx, "serve", "--config", r.cfg) }()
	r.t.Cleanup(func() { cancel(); <-done })
	testrig.WaitReady(r.t, r.addr)
}

var (
	csrfRE   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	itemRE   = regexp.MustCompile(`id="answer"[\s\S]*?name="item" value="([^"]+)"`)
	choiceRE = regexp.MustCompile(`type="radio" name="choice" id="[^"]+" value="([^"]+)"`)
)

// TestInvitationByEmailCompletedOnTheWeb sends a real invitation through
// SMTP, reads it as a mail program would, follows its personal link and
// completes the questionnaire through the web form; then unsubscribes, and
// a second invitation to that address is refused.
func TestInvitationByEmailCompletedOnTheWeb(t *testing.T) {
	r := newEmailRig(t)
	ctx := context.Background()
	code, out := r.run(ctx, "invitation", "create", "--config", r.cfg, "--email", "anna.meier@example.org", "--chamber", "hwk_h", "--send")
	if code != 0 {
		t.Fatalf("invitation create: exit %d\n%s", code, out)
	}
	msgs := r.smtp.WaitFor(t, 1, 10*time.Second)
	m := msgs[0]
	if got := m.Parsed.Header.Get("To"); !strings.Contains(got, "anna.meier@example.org") {
		t.Errorf("To: %q", got)
	}
	if !strings.HasPrefix(m.Parsed.Header.Get("List-Unsubscribe"), "<http://"+r.addr+"/u/") {
		t.Errorf("List-Unsubscribe: %q", m.Parsed.Header.Get("List-Unsubscribe"))
	}
	link := emailtest.Link(t, m, "http://"+r.addr+"/s/")
	r.serve()

	pages := 0
	page := completeOnTheWeb(t, link, func(page string) {
		if pages++; pages == 1 && !strings.Contains(page, "Datenschutz") && !strings.Contains(page, "einverstanden") {
			t.Fatalf("the link does not open at the privacy notice:\n%s", page)
		}
		if strings.Contains(page, "Kammer oder Organisation") {
			t.Errorf("the chamber was asked although the invitation fixed it")
		}
	})
	if !strings.Contains(page, "Vielen Dank") {
		t.Fatalf("no final page after %d pages:\n%s", pages, page)
	}
	db, err := store.Open(ctx, r.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	inv, err := db.InvitationByKey(ctx, link[strings.LastIndex(link, "/")+1:])
	if err != nil {
		t.Fatal(err)
	}
	resp, err := db.LatestResponse(ctx, inv.RespondentID)
	if err != nil {
		t.Fatal(err)
	}
	answers, err := db.Answers(ctx, resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != survey.StatusCompleted || answers["org_type"].Value != "business" || answers["chamber"].Value != "hwk_h" {
		t.Errorf("response %s with answers %v; want completed, a business, chamber from the invitation", resp.Status, answers)
	}

	// One-click unsubscribe, as a mail program does it (RFC 8058).
	unsub := strings.Trim(m.Parsed.Header.Get("List-Unsubscribe"), "<>")
	uresp, err := http.Post(unsub, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	uresp.Body.Close()
	if uresp.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", uresp.StatusCode)
	}
	code, out = r.run(ctx, "invitation", "create", "--config", r.cfg, "--email", "Anna.Meier@example.org", "--send")
	if code == 0 || !strings.Contains(out, "no more e-mail") {
		t.Errorf("inviting an unsubscribed address: exit %d\n%s", code, out)
	}
	if n := len(r.smtp.Messages()); n != 1 {
		t.Errorf("%d mails sent, want only the first", n)
	}
}
