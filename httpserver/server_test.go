package httpserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surveybot/surveybot/httpserver"
)

func srvLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func srvCheck(name string, err error) httpserver.Check {
	return httpserver.Check{Name: name, Check: func(context.Context) error { return err }}
}

func TestServerHealthz(t *testing.T) {
	// Liveness does not depend on the checks: a process with a dead
	// database is still alive.
	srv := httpserver.NewServer(srvLogger(), srvCheck("database", errors.New("down")))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", rec.Code)
	}
	if body := strings.TrimSpace(rec.Body.String()); body != "ok" {
		t.Errorf("GET /healthz body = %q, want ok", body)
	}
}

func TestServerReadyz(t *testing.T) {
	const secret = "password authentication failed for user surveybot at 10.1.2.3"
	tests := []struct {
		name       string
		checks     []httpserver.Check
		wantStatus int
		wantBody   map[string]string
	}{
		{
			name:       "database ok",
			checks:     []httpserver.Check{srvCheck("database", nil)},
			wantStatus: http.StatusOK,
			wantBody:   map[string]string{"database": "ok"},
		},
		{
			name:       "database and redis ok",
			checks:     []httpserver.Check{srvCheck("database", nil), srvCheck("redis", nil)},
			wantStatus: http.StatusOK,
			wantBody:   map[string]string{"database": "ok", "redis": "ok"},
		},
		{
			name:       "database down",
			checks:     []httpserver.Check{srvCheck("database", errors.New(secret))},
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   map[string]string{"database": "unavailable"},
		},
		{
			name:       "redis down, database ok",
			checks:     []httpserver.Check{srvCheck("database", nil), srvCheck("redis", errors.New(secret))},
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   map[string]string{"database": "ok", "redis": "unavailable"},
		},
		{
			name:       "no checks",
			wantStatus: http.StatusOK,
			wantBody:   map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			srv := httpserver.NewServer(slog.New(slog.NewTextHandler(&logged, nil)), tt.checks...)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if rec.Code != tt.wantStatus {
				t.Errorf("GET /readyz = %d, want %d", rec.Code, tt.wantStatus)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			raw := rec.Body.String()
			var got map[string]string
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatalf("body %q is not a JSON object of strings: %v", raw, err)
			}
			if !maps.Equal(got, tt.wantBody) {
				t.Errorf("body = %v, want %v", got, tt.wantBody)
			}
			if strings.Contains(raw, "password") || strings.Contains(raw, "10.1.2.3") {
				t.Errorf("body %q leaks the error text", raw)
			}
			// The operator finds the reason in the log instead.
			for name, state := range tt.wantBody {
				if state == "unavailable" && (!strings.Contains(logged.String(), name) || !strings.Contains(logged.String(), secret)) {
					t.Errorf("log %q does not name the failed check %s and its error", logged.String(), name)
				}
			}
		})
	}
}

func TestServerReadyzGivesChecksADeadline(t *testing.T) {
	var hadDeadline atomic.Bool
	srv := httpserver.NewServer(srvLogger(), httpserver.Check{Name: "database", Check: func(ctx context.Context) error {
		_, ok := ctx.Deadline()
		hadDeadline.Store(ok)
		return nil
	}})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusOK || !hadDeadline.Load() {
		t.Errorf("GET /readyz = %d, check had a deadline: %v; want 200 and a deadline, so a hung dependency cannot hang the probe", rec.Code, hadDeadline.Load())
	}
}

func TestServerShutsDownGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	base := "http://" + addr

	srv := httpserver.NewServer(srvLogger(), srvCheck("database", nil))
	started := make(chan struct{})
	var finished atomic.Bool
	srv.Handle("GET /slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		finished.Store(true)
		io.WriteString(w, "done")
	}))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	var servedAfterHandler atomic.Bool
	go func() {
		err := srv.Serve(ctx, ln, httpserver.Timeouts{Read: 5 * time.Second, Write: 5 * time.Second, Shutdown: 5 * time.Second})
		servedAfterHandler.Store(finished.Load())
		served <- err
	}()

	client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz on the running server: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz = %d, want 200", resp.StatusCode)
	}

	type result struct {
		status int
		body   string
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := client.Get(base + "/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- result{status: resp.StatusCode, body: string(b), err: err}
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the slow request never reached its handler")
	}
	cancel() // shutdown begins while the slow request is in flight

	select {
	case r := <-slow:
		if r.err != nil || r.status != http.StatusOK || r.body != "done" {
			t.Errorf("in-flight request during shutdown = %d %q, %v; want 200 done", r.status, r.body, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the in-flight request did not complete")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve after a graceful shutdown = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
	if !servedAfterHandler.Load() {
		t.Error("Serve returned before the in-flight request had finished")
	}

	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("a new connection to %s was accepted after shutdown", addr)
	}
}

func TestServerShutdownTimeoutIsReported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserver.NewServer(srvLogger())
	started, release := make(chan struct{}), make(chan struct{})
	srv.Handle("GET /stuck", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	}))
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() {
		served <- srv.Serve(ctx, ln, httpserver.Timeouts{Read: 5 * time.Second, Write: 5 * time.Second, Shutdown: 200 * time.Millisecond})
	}()
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	go func() {
		if resp, err := client.Get("http://" + ln.Addr().String() + "/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the request never reached its handler")
	}
	cancel()
	select {
	case err := <-served:
		if err == nil || !strings.Contains(err.Error(), "shutdown") {
			t.Errorf("Serve with a request outliving the shutdown timeout = %v, want a shutdown error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not give up after its 200ms shutdown timeout")
	}
}
