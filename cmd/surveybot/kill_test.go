package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// buildBinary builds surveybot once for the process tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "surveybot")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// testConfig writes a config on the stores the tests may use: PostgreSQL
// and Redis when enabled, else SQLite and in-process sessions.
func testConfig(t *testing.T, listen string) (path, dsn string) {
	t.Helper()
	dsn = "sqlite:" + filepath.Join(t.TempDir(), "kill.db")
	redisURL, prefix := "", "surveybot:"
	if storetest.ServersEnabled(t) {
		dsn = storetest.PostgresDSN(t)
		_, prefix = storetest.Redis(t)
		redisURL = os.Getenv(storetest.RedisEnv)
	}
	path = filepath.Join(t.TempDir(), "surveybot.toml")
	cfg := fmt.Sprintf("[server]\nlisten = %q\n[sql]\ndsn = %q\n[redis]\nurl = %q\nkey_prefix = %q\n[log]\nlevel = \"warn\"\n", listen, dsn, redisURL, prefix)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, dsn
}

// chatProcess is a running `surveybot chat`.
type chatProcess struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startChat(t *testing.T, bin, cfg string) *chatProcess {
	t.Helper()
	cmd := exec.Command(bin, "chat", "--config", cfg, "--respondent", "kill-test")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return &chatProcess{cmd: cmd, in: in, out: bufio.NewReader(out)}
}

// next reads output up to the next input prompt ("> ").
func (c *chatProcess) next(t *testing.T) string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		var b strings.Builder
		for {
			r, _, err := c.out.ReadRune()
			if err != nil {
				done <- b.String()
				return
			}
			b.WriteRune(r)
			if strings.HasSuffix(b.String(), "\n> ") || b.String() == "> " {
				done <- b.String()
				return
			}
		}
	}()
	select {
	case s := <-done:
		return s
	case <-time.After(20 * time.Second):
		t.Fatal("no prompt from surveybot chat within 20s")
		return ""
	}
}

func (c *chatProcess) send(t *testing.T, line string) string {
	t.Helper()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		t.Fatal(err)
	}
	return c.next(t)
}

var questionRE = regexp.MustCompile(`── Frage (\d+) von ca\. \d+ ──\n([^\n]+)`)

// TestKillChatAndContinue kills `surveybot chat` with SIGKILL in the middle
// of a dialog, starts it again on the same stores and continues: the dialog
// resumes at the next question and every answer given before the kill is kept.
func TestKillChatAndContinue(t *testing.T) {
	bin := buildBinary(t)
	cfg, dsn := testConfig(t, "127.0.0.1:0")
	answers := []string{"ja", "1", "2", "1", "30159", "9"} // consent, business, Industrie, 1–9, Hannover, HWK Hannover

	c := startChat(t, bin, cfg)
	out := c.next(t)
	var asked []string
	for _, a := range answers {
		out = c.send(t, a)
		if m := questionRE.FindStringSubmatch(out); m != nil {
			asked = append(asked, m[2])
		}
	}
	if m := questionRE.FindStringSubmatch(out); m == nil || m[1] != "6" {
		t.Fatalf("before the kill, expected question 6; got:\n%s", out)
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()

	c = startChat(t, bin, cfg)
	out = c.next(t)
	m := questionRE.FindStringSubmatch(out)
	if m == nil || m[1] != "6" || m[2] != asked[len(asked)-1] {
		t.Fatalf("after restart, expected question 6 (%q) again; got:\n%s", asked[len(asked)-1], out)
	}
	for range 40 {
		if strings.Contains(out, "Gesamtindex") || strings.Contains(out, "Vielen Dank") {
			break
		}
		out = c.send(t, "-") // "keine Angabe" for the rest
	}
	if !strings.Contains(out, "Vielen Dank für Ihre Teilnahme") {
		t.Fatalf("dialog did not complete; last output:\n%s", out)
	}

	resp, got := stored(t, dsn, survey.Identity{Channel: "console", External: "kill-test"})
	if resp.Status != survey.StatusCompleted {
		t.Errorf("response status %s, want completed", resp.Status)
	}
	want := map[string]string{"org_type": "business", "sector": "industrie", "size": "s1_9", "postcode": "30159", "chamber": "hwk_h"}
	for item, v := range want {
		if got[item].Value != v {
			t.Errorf("answer %s = %+v after the kill, want %q", item, got[item], v)
		}
	}
}

// TestKillServeAndRestart kills `surveybot serve` with SIGKILL while a
// terminal dialog runs on the same stores, starts it again, and checks that
// it comes back ready on them and the dialog goes on; SIGTERM then shuts it
// down cleanly with exit code 0. (The dialogs that serve itself carries are
// killed in TestKillServeDuringTelegramDialog and
// TestKillServeWhileTakingUpdates.)
func TestKillServeAndRestart(t *testing.T) {
	bin := buildBinary(t)
	addr := testrig.FreeAddr(t)
	cfg, _ := testConfig(t, addr)

	startServe := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--config", cfg)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		testrig.WaitReady(t, addr)
		return cmd
	}
	srv := startServe()
	c := startChat(t, bin, cfg)
	c.next(t)
	c.send(t, "ja")
	c.send(t, "2") // education provider

	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	srv = startServe()

	out := c.send(t, "2") // size, after the restart
	if m := questionRE.FindStringSubmatch(out); m == nil || m[1] != "3" {
		t.Fatalf("dialog did not go on after the serve restart:\n%s", out)
	}
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v, want a clean exit", err)
	}
}

// TestKillServeDuringTelegramDialog answers through the Telegram webhook of
// a running `surveybot serve`, kills it with SIGKILL mid-dialog, starts it
// again and finishes: every answer the webhook acknowledged is kept, and no
// question is asked twice.
func TestKillServeDuringTelegramDialog(t *testing.T) {
	ts := newTelegramServe(t)
	fake, secret, startServe, dsn := ts.fake, ts.secret, ts.start, ts.dsn
	const chat = 777
	webhook := ts.webhook
	// say types a message and waits for the bot's answer to it, as a person would.
	say := func(text string) {
		t.Helper()
		before := len(fake.CallsTo("sendMessage"))
		resp, err := fake.PostUpdate(webhook, secret, fake.SendText(chat, text))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("webhook answered %d to %q", resp.StatusCode, text)
		}
		fake.WaitFor(t, 10*time.Second, func(s *telegramtest.Server) bool { return len(s.CallsTo("sendMessage")) > before })
	}
	srv := startServe()
	for _, in := range []string{"/start", "ja", "1", "3", "2", "30159"} { // business, Handel, 10–49, Hannover
		say(in)
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	srv = startServe()
	say("9") // chamber: HWK Hannover, after the restart
	for range 40 {
		if m, ok := fake.LastMessage(chat); ok && strings.Contains(m.Text, "Gesamtindex") {
			break
		}
		say("-")
	}
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()

	asked := map[string]int{}
	for _, m := range fake.Messages(chat) {
		if i := strings.Index(m.Text, "Frage "); i >= 0 {
			if line := strings.SplitN(m.Text[i:], "\n", 3); len(line) >= 2 {
				asked[line[1]]++
			}
		}
	}
	for q, n := range asked {
		if n > 1 {
			t.Errorf("asked %d times: %s", n, q)
		}
	}
	resp, answers := stored(t, dsn, survey.Identity{Channel: "telegram", External: "777"})
	want := map[string]string{"org_type": "business", "sector": "handel", "size": "s10_49", "postcode": "30159", "chamber": "hwk_h"}
	for item, v := range want {
		if answers[item].Value != v {
			t.Errorf("answer %s = %+v, want %q", item, answers[item], v)
		}
	}
	if resp.Status != survey.StatusCompleted {
		t.Errorf("response %s, want completed", resp.Status)
	}
}

// telegramServe is `surveybot serve` with its Telegram webhook on a fake Bot API.
type telegramServe struct {
	fake    *telegramtest.Server
	secret  string
	webhook string
	dsn     string
	start   func() *exec.Cmd
}

func newTelegramServe(t *testing.T) telegramServe {
	t.Helper()
	bin := buildBinary(t)
	addr := testrig.FreeAddr(t)
	cfg, dsn := testConfig(t, addr)
	ts := telegramServe{fake: telegramtest.New(t, "4242:kill-test"), secret: "kill-test-secret-0123456789",
		webhook: "http://" + addr + "/telegram/webhook", dsn: dsn}
	extra := fmt.Sprintf("[telegram]\ntoken = %q\napi_url = %q\nmode = \"webhook\"\nwebhook_secret = %q\nopen_answering = true\nchat_rate = 100.0\nchat_burst = 100\n",
		ts.fake.Token(), ts.fake.URL(), ts.secret)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(extra); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ts.start = func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--config", cfg)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		testrig.WaitReady(t, addr)
		return cmd
	}
	return ts
}

// TestKillServeWhileTakingUpdates kills `surveybot serve` with SIGKILL while
// a chat's answers stream in, restarts it and lets Telegram deliver again
// what was not acknowledged: every acknowledged answer is kept, and the one
// in flight is applied exactly once, whether or not it was stored before
// the kill.
func TestKillServeWhileTakingUpdates(t *testing.T) {
	ts := newTelegramServe(t)
	srv := ts.start()
	const chat = 778
	post := func(u models.Update) (int, error) {
		resp, err := ts.fake.PostUpdate(ts.webhook, ts.secret, u)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	for _, in := range []string{"/start", "ja", "1"} { // consent, business
		if code, err := post(ts.fake.SendText(chat, in)); err != nil || code != 200 {
			t.Fatalf("%q: %d %v", in, code, err)
		}
	}
	acked := 0
	var pending *models.Update
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 25 { // fewer than the questions left, so each answers one
			time.Sleep(15 * time.Millisecond) // about as fast as a person who taps quickly, many times over
			u := ts.fake.SendText(chat, "-")  // "keine Angabe" to whatever is asked
			code, err := post(u)
			if err != nil || code != 200 {
				pending = &u // not acknowledged: Telegram will deliver it again
				return
			}
			acked++
		}
	}()
	time.Sleep(150 * time.Millisecond)
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	<-done
	if pending == nil {
		t.Fatalf("all %d answers were taken before the kill; nothing was in flight", acked)
	}
	srv = ts.start()
	// Telegram delivers an unacknowledged update again until it gets a 2xx:
	// while the killed instance's claim on it lasts (in Redis), the answer
	// is 503, then 200.
	deadline := time.Now().Add(20 * time.Second)
	for delivered := 0; delivered < 2; {
		code, err := post(*pending)
		switch {
		case err == nil && code == 200:
			delivered++
		case err == nil && code == 503 && time.Now().Before(deadline):
			time.Sleep(500 * time.Millisecond)
		default:
			t.Fatalf("redelivery after the restart: %d %v", code, err)
		}
	}
	_ = srv.Process.Signal(syscall.SIGTERM)
	_ = srv.Wait()

	_, answers := stored(t, ts.dsn, survey.Identity{Channel: "telegram", External: "778"})
	// org_type, then one answer for each acknowledged update and one for the
	// update in flight: none lost, none doubled.
	if want := 1 + acked + 1; len(answers) != want {
		t.Errorf("%d answers stored after %d acknowledged and 1 redelivered update, want %d", len(answers), acked, want)
	}
}

// stored reads, from the database a DSN names, the current response of the
// respondent known as who and its answers.
func stored(t *testing.T, dsn string, who survey.Identity) (survey.Response, map[string]dialogs.Answer) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	resp, err := db.CurrentResponse(ctx, who)
	if err != nil {
		t.Fatal(err)
	}
	answers, err := db.Answers(ctx, resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	return resp, answers
}
