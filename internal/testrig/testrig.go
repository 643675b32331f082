// Package testrig holds what tests of several packages need and that
// belongs to no store or platform fake: a logger writing through the test,
// a free local address, and the wait for a server to be ready.
package testrig

import (
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// VerboseEnv, when set, makes Log write everything, debug lines too.
const VerboseEnv = "SURVEYBOT_TEST_VERBOSE"

// Log is a test's logger: warnings and up, written through t so that they
// show with the test that logged them (all levels with VerboseEnv set).
func Log(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv(VerboseEnv) != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(writer{t}, &slog.HandlerOptions{Level: level}))
}

// Discard is a logger that writes nothing.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

type writer struct{ t testing.TB }

func (w writer) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// FreeAddr returns a local address that was free a moment ago, for a
// server the test starts in another process.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// WaitReady waits up to 30 s for the server at addr to answer /readyz
// with 200.
func WaitReady(t testing.TB, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server on %s not ready within 30s", addr)
}

// WaitFor polls cond every 10 ms until it holds, failing the test after
// timeout.
func WaitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
