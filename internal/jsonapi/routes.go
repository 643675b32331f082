package jsonapi

import (
	"fmt"
	"net/http"
)

// Routes serves mux's routes and answers what mux has no route for as the
// API's other errors are, {"error": "..."}: 404 for an unknown path, 405
// (with the Allow header) for a method the path does not take, where
// http.ServeMux would answer in plain text.
func Routes(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" { // a route, or a redirect to one
			mux.ServeHTTP(w, r)
			return
		}
		// Let the mux decide between 404 and 405 and which methods it
		// allows, then say it in JSON.
		rec := &statusRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		switch rec.status {
		case http.StatusMethodNotAllowed:
			if allow := rec.header.Get("Allow"); allow != "" {
				w.Header().Set("Allow", allow)
			}
			Error(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, rec.header.Get("Allow")))
		default:
			Error(w, http.StatusNotFound, fmt.Sprintf("no such route: %s %s (see docs/openapi.yaml)", r.Method, r.URL.Path))
		}
	})
}

// statusRecorder keeps the status and headers of the mux's own answer and
// drops its plain-text body.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return len(b), nil
}
