package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/emailtest"
	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/internal/testrig"
)

// TestTwoWavesOfOneFirm follows a firm through two waves as the chamber
// and the firm would: the wave-1 campaign's e-mail, completed on the web;
// the operator plans wave 2; the wave-2 campaign invites the same firm,
// which answers in Telegram through the invitation's key, confirms its
// screening of wave 1 in one question and is shown its change since; the campaign tables count each wave's own.
func TestTwoWavesOfOneFirm(t *testing.T) {
	ctx := context.Background()
	smtp := emailtest.NewServer(t)
	tg := telegramtest.New(t, "777000:waves")
	addr := testrig.FreeAddr(t)
	host, port := smtp.Addr()
	dir := t.TempDir()
	secret := "waves-webhook-secret-0123"
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
token = "777000:waves"
api_url = %q
mode = "webhook"
webhook_secret = %q
bot_username = "umfrage_bot"
[campaigns]
key_secret = "fedcba9876543210fedcba9876543210"
[log]
level = "warn"
`, addr, filepath.Join(dir, "waves.db"), addr, host, port, smtp.Username, tg.URL(), secret)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"SURVEYBOT_EMAIL_SMTP_PASSWORD": smtp.Password}
	cli := func(args ...string) string {
		t.Helper()
		var out strings.Builder
		code := run(ctx, withConfig(args, cfgPath), env{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
		if code != 0 {
			t.Fatalf("surveybot %s: exit %d\n%s", strings.Join(args, " "), code, out.String())
		}
		return out.String()
	}
	serveInBackground(t, cfgPath, vars, addr)

	cli("chamber", "add", "--code", "hwk_h", "--name", "HWK Hannover")
	list := filepath.Join(dir, "mitglieder.csv")
	csv := "Mitgliedsnummer;Firma;E-Mail;Einwilligung\n1;Tischlerei Panel;panel@example.org;ja\n"
	if err := os.WriteFile(list, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	cli("members", "import", "--chamber", "hwk_h", list)
	campaign := func(name string, extra ...string) string {
		t.Helper()
		args := append([]string{"campaign", "create", "--chamber", "hwk_h", "--name", name, "--channels", "email",
			"--end", time.Now().AddDate(0, 2, 0).Format(time.DateOnly), "--quiet-hours", "none", "--quiet-sunday=false"}, extra...)
		m := regexp.MustCompile(`campaign (\w+) created`).FindStringSubmatch(cli(args...))
		if m == nil {
			t.Fatalf("campaign %s: no id", name)
		}
		cli("campaign", "launch", m[1])
		return m[1]
	}

	// Wave 1: the first wave, made for the first campaign; the firm
	// answers its e-mail's link on the web.
	first := campaign("Welle 1")
	mails := smtp.WaitFor(t, 1, 20*time.Second)
	completeOnTheWeb(t, emailtest.Link(t, mails[0], "http://"+addr+"/s/"), nil)
	if out := cli("campaign", "status", first); !regexp.MustCompile(`all\s+1\s+0\s+1\s+0\s+0\s+1\s+1\s+1\s+100\.0%`).MatchString(out) {
		t.Errorf("wave 1's campaign: want 1 invited, sent, opened, consented and completed:\n%s", out)
	}

	// The operator plans wave 2 to start in a moment; serve picks it up.
	start := time.Now().Add(12 * time.Second).UTC().Truncate(time.Second)
	cli("wave", "add", "--name", "2027-1", "--start", start.Format(time.RFC3339), "--end", start.AddDate(0, 2, 0).Format(time.DateOnly))
	if out := cli("wave", "list"); !regexp.MustCompile(`(?m)^1 .*current\n2027-1 .*planned$`).MatchString(out) {
		t.Errorf("wave list before wave 2 starts:\n%s", out)
	}
	time.Sleep(time.Until(start))
	second := campaign("Welle 2", "--wave", "2027-1", "--start", start.Format(time.RFC3339))
	if out := cli("campaign", "status", second); !strings.Contains(out, "wave 2027-1") || !regexp.MustCompile(`all\s+1\s+\d\s+\d\s+0\s+0\s+0\s+0\s+0\s`).MatchString(out) {
		t.Errorf("wave 2's campaign before the firm answered: want 1 invited, nothing opened, consented or completed:\n%s", out)
	}
	mails = smtp.WaitFor(t, 2, 20*time.Second)
	link := emailtest.Link(t, mails[1], "http://"+addr+"/s/")
	key := link[strings.LastIndex(link, "/")+1:]

	// The firm follows the e-mail's Telegram link: /start with the key.
	const chat = 5151
	webhook := "http://" + addr + "/telegram/webhook"
	tgc := telegramChat{t: t, tg: tg, chat: chat, webhook: webhook, secret: secret}
	tgc.send("/start " + key)
	summary := tgc.complete()
	prefilled := false
	for _, m := range tg.Messages(chat) {
		prefilled = prefilled || strings.Contains(m.Text, "Noch aktuell?") && strings.Contains(m.Text, "Unternehmen / Betrieb")
	}
	if !prefilled {
		t.Error("wave 2 in Telegram did not offer wave 1's screening to confirm")
	}
	for _, want := range []string{"Ihre Entwicklung seit der letzten Befragung (1):", "(letzte Befragung 1: "} {
		if !strings.Contains(summary, want) {
			t.Errorf("the end of wave 2 in Telegram:\n%s\nwant %q", summary, want)
		}
	}
	if out := cli("campaign", "status", first); !regexp.MustCompile(`all\s+1\s+0\s+1\s+0\s+0\s+1\s+1\s+1\s+100\.0%`).MatchString(out) {
		t.Errorf("wave 1's campaign after wave 2: unchanged, want 1 completed:\n%s", out)
	}
	if out := cli("campaign", "status", second); !regexp.MustCompile(`all\s+1\s+0\s+1\s+0\s+0\s+0\s+1\s+1\s+100\.0%`).MatchString(out) {
		t.Errorf("wave 2's campaign: want 1 invited, sent, consented (in Telegram, no web page opened) and completed:\n%s", out)
	}
}

// completeOnTheWeb answers a dialog through its web link: consent, then
// the first option of each question, "keine Angabe" where there is none.
// It shows every page to check (nil: none) and returns the last one.
func completeOnTheWeb(t *testing.T, link string, check func(page string)) string {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func() string {
		resp, err := client.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", link, resp.StatusCode, b)
		}
		return string(b)
	}
	post := func(page string, fields url.Values) {
		t.Helper()
		c, i := csrfRE.FindStringSubmatch(page), itemRE.FindStringSubmatch(page)
		if c == nil || i == nil {
			t.Fatalf("no answer form on the page:\n%s", page)
		}
		fields.Set("csrf", c[1])
		fields.Set("item", i[1])
		resp, err := client.PostForm(link, fields)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %v: %d, want 303", fields, resp.StatusCode)
		}
	}
	show := func() string {
		page := get()
		if check != nil {
			check(page)
		}
		return page
	}
	post(show(), url.Values{"choice": {"yes"}})
	for range 60 {
		page := show()
		if strings.Contains(page, "Vielen Dank") {
			return page
		}
		if c := choiceRE.FindStringSubmatch(page); c != nil {
			post(page, url.Values{"choice": {c[1]}})
		} else {
			post(page, url.Values{"cmd": {"na"}})
		}
	}
	t.Fatal("the web dialog did not end")
	return ""
}
