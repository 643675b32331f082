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

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/channels/emailtest"
	"github.com/surveybot/surveybot/channels/slacktest"
	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/internal/testrig"
)

// TestCampaignOverAllChannels runs a chamber's campaign as its staff would,
// with the CLI and `surveybot serve`, against fakes of the SMTP server, the
// Telegram Bot API and the Slack Web API: members imported from CSV (a
// file with a bad row first), a campaign created and launched, and each
// member invited once on their channel: a Telegram member who once wrote
// to the bot in Telegram, a Slack member by DM, the rest by e-mail. The
// Telegram invitation's button starts the dialog.
func TestCampaignOverAllChannels(t *testing.T) {
	ctx := context.Background()
	smtp := emailtest.NewServer(t)
	tg := telegramtest.New(t, "777000:campaign")
	sl := slacktest.New(t)
	sl.AddUser("slack.user@example.org", "U0SLACK001")
	addr := testrig.FreeAddr(t)
	host, port := smtp.Addr()
	dir := t.TempDir()
	secret := "campaign-webhook-secret-0123"
	cfgPath := filepath.Join(dir, "surveybot.toml")
	cfg := fmt.Sprintf(`[server]
listen = %q
[sql]
dsn = "sqlite:%s"
[web]
base_url = "http://%s"
secret_key = "0123456789abcdef0123456789abcdef"
[email]
mode = "smtp"
from = "Umfrage <umfrage@example.org>"
smtp_host = %q
smtp_port = %d
smtp_username = %q
smtp_tls = "none"
[telegram]
token = "777000:campaign"
api_url = %q
mode = "webhook"
webhook_secret = %q
bot_username = "umfrage_bot"
[slack]
bot_token = "xoxb-test"
signing_secret = "slack-signing-secret"
api_url = %q
[campaigns]
key_secret = "fedcba9876543210fedcba9876543210"
[log]
level = "warn"
`, addr, filepath.Join(dir, "campaign.db"), addr, host, port, smtp.Username, tg.URL(), secret, sl.APIURL())
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"SURVEYBOT_EMAIL_SMTP_PASSWORD": smtp.Password}
	cli := func(args ...string) (int, string) {
		var out strings.Builder
		code := run(ctx, withConfig(args, cfgPath), env{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
		return code, out.String()
	}
	serveInBackground(t, cfgPath, vars, addr)
	webhook := "http://" + addr + "/telegram/webhook"
	post := func(chat int64, u any) {
		t.Helper()
		var resp *http.Response
		var err error
		switch u := u.(type) {
		case string:
			resp, err = tg.PostUpdate(webhook, secret, tg.SendText(chat, u))
		case models.Update:
			resp, err = tg.PostUpdate(webhook, secret, u)
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("webhook: %d", resp.StatusCode)
		}
	}

	if code, out := cli("chamber", "add", "--code", "hwk_h", "--name", "HWK Hannover"); code != 0 {
		t.Fatalf("chamber add: %d %s", code, out)
	}
	// Frau Krüger answered an earlier invitation in Telegram: her chat is known.
	code, out := cli("invitation", "create", "--email", "tg.user@example.org", "--chamber", "hwk_h")
	if code != 0 {
		t.Fatalf("invitation create: %d %s", code, out)
	}
	post(4242, "/start "+strings.Fields(out)[0])
	tg.WaitFor(t, 10*time.Second, func(s *telegramtest.Server) bool { return len(s.Messages(4242)) > 0 })

	list := filepath.Join(dir, "mitglieder.csv")
	bad := "\ufeffMitgliedsnummer;Firma;E-Mail;Telegram;Slack;Einwilligung\r\n" +
		"1;Krüger Elektro;tg.user@example.org;ja;;ja\r\n" +
		"2;Slack & Söhne;;nein;slack.user@example.org;ja\r\n" +
		"3;Maler Mail;mail.user@example;nein;;ja\r\n"
	if err := os.WriteFile(list, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := cli("members", "import", "--chamber", "hwk_h", list); code != 1 || !strings.Contains(out, "line 4") || !strings.Contains(out, "nothing was imported") {
		t.Fatalf("import with a bad row: exit %d\n%s\nwant exit 1 naming line 4", code, out)
	}
	good := strings.Replace(bad, "mail.user@example;", "mail.user@example.org;", 1)
	if err := os.WriteFile(list, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := cli("members", "import", "--chamber", "hwk_h", list); code != 0 || !strings.Contains(out, "3 members added") {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	end := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	code, out = cli("campaign", "create", "--chamber", "hwk_h", "--name", "Herbstumfrage", "--channels", "telegram,slack,email",
		"--end", end, "--quiet-hours", "none", "--quiet-sunday=false")
	m := regexp.MustCompile(`campaign (\w+) created`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("campaign create: exit %d\n%s", code, out)
	}
	id := m[1]
	if code, out := cli("campaign", "launch", id); code != 0 || !strings.Contains(out, "3 invitations queued (email 1, telegram 1, slack 1)") {
		t.Fatalf("campaign launch: exit %d\n%s", code, out)
	}

	mails := smtp.WaitFor(t, 1, 20*time.Second) // the earlier invitation was not e-mailed; the campaign's is
	if len(mails) != 1 || !strings.Contains(mails[0].Parsed.Header.Get("To"), "mail.user@example.org") {
		t.Fatalf("e-mails: %d, want the one to mail.user@example.org", len(mails))
	}
	link := emailtest.Link(t, mails[0], "http://"+addr+"/s/")
	resp, err := http.Get(link) // Herr Maler opens his link
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", link, resp.StatusCode)
	}
	tg.WaitFor(t, 20*time.Second, func(s *telegramtest.Server) bool {
		last, ok := s.LastKeyboardMessage(4242)
		return ok && strings.Contains(last.Text, "HWK Hannover")
	})
	var slackDM []slacktest.Message
	for deadline := time.Now().Add(20 * time.Second); len(slackDM) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		slackDM = sl.Messages(slacktest.DMOf("U0SLACK001"))
	}
	if len(slackDM) != 1 || !strings.Contains(slackDM[0].Text, "HWK Hannover") {
		t.Fatalf("Slack DMs %+v, want one invitation from HWK Hannover", slackDM)
	}

	// The Telegram invitation's button starts the survey in the chat.
	post(4242, tg.PressButton(4242, dialogs.UICampaignStart.In(dialogs.German)))
	tg.WaitFor(t, 10*time.Second, func(s *telegramtest.Server) bool {
		last, ok := s.LastKeyboardMessage(4242)
		return ok && last.MessageID > 3 && strings.Contains(last.Text, "Möchten Sie an der Umfrage teilnehmen")
	})

	code, out = cli("campaign", "status", id)
	if code != 0 {
		t.Fatalf("campaign status: exit %d\n%s", code, out)
	}
	for _, want := range []string{"Herbstumfrage", "running", "email", "telegram", "slack"} {
		if !strings.Contains(out, want) {
			t.Errorf("status does not show %q:\n%s", want, out)
		}
	}
	// Two dialogs are open (the web page, the Telegram chat), but nobody
	// has consented yet: opened counts the link, consented the consent.
	if !regexp.MustCompile(`all\s+3\s+0\s+3\s+0\s+0\s+1\s+0\s+0`).MatchString(out) {
		t.Errorf("status: want 3 invited, 0 waiting, 3 sent, none failed or skipped, 1 opened, 0 consented, 0 completed:\n%s", out)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(smtp.Messages()); n != 1 {
		t.Errorf("%d e-mails in all, want 1", n)
	}
}

// serveInBackground runs `surveybot serve` with a config file and
// environment until the test ends, and waits until it listens on addr.
func serveInBackground(t *testing.T, cfgPath string, vars map[string]string, addr string) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		run(ctx, []string{"serve", "--config", cfgPath}, env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
	}()
	t.Cleanup(func() { stop(); <-served })
	testrig.WaitReady(t, addr)
}

// withConfig puts --config after the command and its subcommand, before
// any flag or argument of theirs.
func withConfig(args []string, path string) []string {
	out := append([]string(nil), args[:2]...)
	return append(append(out, "--config", path), args[2:]...)
}
