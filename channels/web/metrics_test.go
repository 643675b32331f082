package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/metrics/metricstest"
	"github.com/surveybot/surveybot/survey"
)

// TestMetrics answers two questions by form, with a forged form, a form
// sent twice, a wrong link and an oversized form in between, and scrapes
// /metrics as Prometheus would.
func TestMetrics(t *testing.T) {
	m := metrics.New()
	r := newCountedRig(t, nil, web.Config{}, m)
	scrapes := httptest.NewServer(m.Handler())
	defer scrapes.Close()
	_, key := r.invite(survey.NewInvitation{})

	consent := r.get("/s/" + key)
	path, vals := r.fill(consent, "ja")
	vals.Set("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	if resp, _ := r.postRaw(path, vals.Encode()); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged form: %d, want 403", resp.StatusCode)
	}
	q1 := r.submit(consent, "ja")
	path, vals = r.fill(q1, "1")
	if resp, _ := r.postRaw(path, vals.Encode()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first answer: %d, want 303", resp.StatusCode)
	}
	if again := r.post(path, vals); !strings.Contains(again.text(), "bereits beantwortet") {
		t.Fatalf("the form sent twice is not explained:\n%s", again.body)
	}
	q2 := r.get("/s/" + key)
	r.submit(q2, "2")
	wrong := "/s/not-a-key" // a link that leads nowhere
	if resp, _ := r.postRaw(wrong, vals.Encode()); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("wrong link: %d, want 404", resp.StatusCode)
	}
	vals.Set("text", strings.Repeat("x", 70<<10))
	if resp, _ := r.postRaw(path, vals.Encode()); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized form: %d, want 413", resp.StatusCode)
	}

	f := metricstest.Scrape(t, scrapes.URL)
	w := []string{"channel", "web"}
	reason := func(r string) []string { return []string{"channel", "web", "reason", r} }
	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"surveybot_updates_received_total", w, 7},
		{"surveybot_updates_rejected_total", reason("bad_csrf"), 1},
		{"surveybot_updates_rejected_total", reason("bad_token"), 1},
		{"surveybot_updates_rejected_total", reason("too_large"), 1},
		{"surveybot_updates_rejected_total", w, 3},
		{"surveybot_updates_failed_total", w, 0},
		{"surveybot_update_duration_seconds", w, 4}, // consent, two answers, and the form sent twice
		{"surveybot_dialogs_started_total", w, 1},
		{"surveybot_answers_accepted_total", w, 2},
		{"surveybot_dialogs_completed_total", w, 0},
	}
	for _, tc := range tests {
		if got := f.Value(tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
}
