package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/digest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/survey"
)

// TestDigestPreviewDefaultsToTheSentWeek checks that `digest preview`
// without --week shows the week the digest sent next reports, the
// complete week before this one, not the week still under way.
func TestDigestPreviewDefaultsToTheSentWeek(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"SURVEYBOT_SQL_DSN": "sqlite:" + filepath.Join(dir, "digest.db")}
	var out strings.Builder
	code := run(context.Background(), []string{"digest", "preview", "--out", dir}, env{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
		log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	want := survey.ISOWeek(time.Now().In(berlin).AddDate(0, 0, -7))
	if code != 0 || !strings.Contains(out.String(), "Wochenbericht "+want) {
		t.Errorf("digest preview: exit %d, want the report of %s:\n%s", code, want, out.String())
	}

	// The same week the job sends once it is due, whatever the day.
	job := digest.NewJob(nil, nil, nil, berlin, time.Monday, 8*time.Hour, testrig.Discard())
	for day := range 7 {
		now := time.Date(2026, 11, 30+day, 9, 0, 0, 0, berlin) // Monday 30 November 2026, 09:00, and the days after
		sent, due := job.Due(now)
		if got := reportedWeek(now, berlin); !due || got != sent {
			t.Errorf("%s: preview shows %s, the job sends %s (due %v)", now.Format("Mon 2006-01-02"), got, sent, due)
		}
	}
}
