package admin_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/admin"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
)

// TestUnknownRoutesAnswerJSON checks that a client of the API gets every
// error as {"error": "..."}, also for a path the API does not have and a
// method a path does not take, which http.ServeMux answers in plain text.
func TestUnknownRoutesAnswerJSON(t *testing.T) {
	mux := http.NewServeMux()
	admin.New(admin.Config{DB: storetest.SQLite(t), Questionnaire: dialogstest.Core(t), Log: testrig.Discard()}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/api/v1/nope", http.StatusNotFound, ""},
		{"GET", "/api/", http.StatusNotFound, ""},
		{"GET", "/api/v2/responses", http.StatusNotFound, ""},
		{"POST", "/api/v1/aggregates", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"PUT", "/api/v1/digest/subscribers", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{"GET", "/api/v1/responses", http.StatusUnauthorized, ""},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Error string `json:"error"`
		}
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || json.Unmarshal(body, &e) != nil || e.Error == "" {
			t.Errorf("%s %s: %q body %q, want a JSON error", tc.method, tc.path, ct, body)
		}
		if got := resp.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}
