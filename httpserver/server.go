// Package httpserver is the listener every HTTP route of surveybot shares:
// health and readiness checks, timeouts and graceful shutdown.
package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Check is one dependency /readyz looks at.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// Server is surveybot's HTTP server: health and readiness, and whatever
// channels mount on it.
type Server struct {
	mux    *http.ServeMux
	log    *slog.Logger
	checks []Check
}

// NewServer returns a server whose /readyz runs checks.
func NewServer(log *slog.Logger, checks ...Check) *Server {
	s := &Server{mux: http.NewServeMux(), log: log, checks: checks}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	s.mux.HandleFunc("GET /readyz", s.ready)
	return s
}

// Handle mounts a handler, as http.ServeMux does.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// ready answers 200 when every dependency answers, else 503, with a JSON
// body naming each check's result.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := http.StatusOK
	results := map[string]string{}
	for _, c := range s.checks {
		if err := c.Check(ctx); err != nil {
			status = http.StatusServiceUnavailable
			results[c.Name] = "unavailable"
			s.log.Warn("readiness check failed", slog.String("check", c.Name), slog.Any("error", err))
			continue
		}
		results[c.Name] = "ok"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(results)
}

// Timeouts bound the HTTP server's work.
type Timeouts struct {
	Read, Write, Shutdown time.Duration
}

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets requests in flight finish within the shutdown timeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener, t Timeouts) error {
	srv := &http.Server{
		Handler:           s,
		ReadTimeout:       t.Read,
		ReadHeaderTimeout: min(t.Read, 10*time.Second),
		WriteTimeout:      t.Write,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("listening", slog.String("addr", ln.Addr().String()))
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), t.Shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}
