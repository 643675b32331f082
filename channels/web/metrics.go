package web

import (
	"net/http"
	"time"
)

// counted counts the submissions h takes by the status it answers with:
// every refusal has its own status, also the cross-origin check's before
// the handler, so the reasons are told apart in one place.
func (c *Channel) counted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		c.metrics.Received()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		switch reason := rejection(sw.status); {
		case reason != "":
			c.metrics.Rejected(reason)
		case sw.status >= http.StatusInternalServerError:
			c.metrics.Failed()
		default: // a redirect to the next question, or a page explaining why not
			c.metrics.Handled(time.Since(start))
		}
	})
}

// rejection names the reason for a status that refuses a submission, or
// gives "" for one that does not.
func rejection(status int) string {
	switch status {
	case http.StatusNotFound:
		return "bad_token" // a link that is wrong, expired or erased
	case http.StatusTooManyRequests:
		return "rate_limited" // too many wrong links from one address
	case http.StatusForbidden:
		return "bad_csrf" // a form not from our page
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusBadRequest:
		return "bad_form"
	}
	return ""
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status  int
	written bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.written {
		w.status, w.written = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.written = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
