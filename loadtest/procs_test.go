package loadtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/internal/testrig"
)

const (
	testToken  = "4242:loadtest"
	testSecret = "loadtest-webhook-secret-0123456789"
	testWebKey = "loadtest-web-secret-key-0123456789abcdef"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildDir  string
)

// buildBinary builds surveybot once for the tests of this package.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs surveybot serve; skipped with -short")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "surveyload-bin")
		if buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "surveybot")
		out, err := exec.Command("go", "build", "-o", builtBin, "../cmd/surveybot").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// stores is what the serve instances keep their data in.
type stores struct {
	dsn, redisURL, prefix string
}

// serveProc is one `surveybot serve` process of a test.
type serveProc struct {
	t    *testing.T
	bin  string
	cfg  string
	addr string
	cmd  *exec.Cmd
	done chan struct{}
}

// startServes starts n instances on the stores, all speaking to fake.
func startServes(t *testing.T, n int, st stores, fake *telegramtest.Server) []*serveProc {
	t.Helper()
	bin := buildBinary(t)
	var out []*serveProc
	for range n {
		p := &serveProc{t: t, bin: bin, addr: testrig.FreeAddr(t)}
		p.cfg = filepath.Join(t.TempDir(), "surveybot.toml")
		cfg := fmt.Sprintf(`[server]
listen = %q
shutdown_timeout = "2s"
[sql]
dsn = %q
[redis]
url = %q
key_prefix = %q
lock_ttl = "3s"
[telegram]
token = %q
api_url = %q
mode = "webhook"
webhook_secret = %q
open_answering = true
global_rate = 10000.0
chat_rate = 1000.0
chat_burst = 1000
[web]
secret_key = %q
open_answering = true
[digest]
enabled = false
[email]
outbox_dir = %q
[log]
level = "error"
`, p.addr, st.dsn, st.redisURL, st.prefix, testToken, fake.URL(), testSecret, testWebKey, filepath.Join(filepath.Dir(p.cfg), "outbox"))
		if err := os.WriteFile(p.cfg, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		p.start()
		out = append(out, p)
	}
	return out
}

func (p *serveProc) start() {
	p.t.Helper()
	cmd := exec.Command(p.bin, "serve", "--config", p.cfg)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // gone with the test, even on a panic
	logPath := p.cfg + ".log"
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() {
		if p.t.Failed() {
			b, _ := os.ReadFile(logPath)
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			p.t.Logf("log of serve on %s (last lines):\n%s", p.addr, strings.Join(lines[max(0, len(lines)-20):], "\n"))
		}
	})
	p.cmd, p.done = cmd, make(chan struct{})
	done := p.done
	go func() { _ = cmd.Wait(); close(done) }()
	p.t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	testrig.WaitReady(p.t, p.addr)
}

// kill ends the instance with SIGKILL.
func (p *serveProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *serveProc) url() string { return "http://" + p.addr }

func targets(ps []*serveProc) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.url())
	}
	return out
}

// runHarness runs the harness with cfg and fails t on any problem or any
// difference in SQL.
func runHarness(t *testing.T, ctx context.Context, cfg Config) *Report {
	t.Helper()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(ctx, cfg.DSN, rep); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", rep.Summary())
	for _, w := range rep.Warnings {
		t.Logf("warning: %s", w)
	}
	for _, p := range rep.Problems {
		t.Errorf("problem: %s", p)
	}
	for _, d := range rep.Differences {
		t.Errorf("in SQL: %s", d)
	}
	if rep.Verified != cfg.Telegram+cfg.Web {
		t.Errorf("%d respondents verified, want %d", rep.Verified, cfg.Telegram+cfg.Web)
	}
	return rep
}
