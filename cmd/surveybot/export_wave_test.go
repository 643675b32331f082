package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// TestExportByWaveAndChange fills two waves (ten firms in both, five only
// in the first) and exports the figures by wave, of one wave, and the
// change between them.
func TestExportByWaveAndChange(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "w.db")
	runIt := func(args ...string) (int, string, string) {
		var out, errOut strings.Builder
		vars := map[string]string{"SURVEYBOT_SQL_DSN": dsn}
		code := run(ctx, args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
		return code, out.String(), errOut.String()
	}
	if code, _, errOut := runIt("migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errOut)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	first, err := db.CreateWave(ctx, survey.Wave{Name: "2026-1", StartsAt: now.AddDate(-1, 0, 0), EndsAt: now.AddDate(0, -9, 0), Questionnaire: q.Ref()})
	if err != nil {
		t.Fatal(err)
	}
	second, err := db.CreateWave(ctx, survey.Wave{Name: "2027-1", StartsAt: now.Add(-time.Hour), EndsAt: now.AddDate(0, 3, 0), Questionnaire: q.Ref()})
	if err != nil {
		t.Fatal(err)
	}
	completeIn := func(i int, w survey.Wave, score float64) {
		rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: fmt.Sprint("firm", i)})
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: "test", WaveID: w.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: r.ID, Channel: "test", Lang: dialogs.German, Phase: dialogs.PhaseDone,
			Scores: &dialogs.Scores{Fields: map[string]float64{"maturity": score}, Composite: &score}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 15 {
		if i < 10 {
			completeIn(i, first, 40)
			completeIn(i, second, 50)
		} else {
			completeIn(i, first, 20)
		}
	}
	db.Close()

	out := filepath.Join(dir, "out.csv")
	read := func() string {
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if code, _, errOut := runIt("export", "aggregates", "--by", "wave", "--out", out); code != 0 {
		t.Fatalf("export aggregates --by wave: %d %s", code, errOut)
	}
	got := read()
	i1, i2 := strings.Index(got, "wave;2026-1;2026-1;composite;Gesamtindex;15;33,33;"), strings.Index(got, "wave;2027-1;2027-1;composite;Gesamtindex;10;50;")
	if i1 < 0 || i2 < i1 {
		t.Errorf("figures by wave, the earlier wave first:\n%s", got)
	}
	if code, _, errOut := runIt("export", "aggregates", "--wave", "2026-1", "--out", out); code != 0 || !strings.Contains(read(), "overall;total;gesamt;composite;Gesamtindex;15;33,33;") {
		t.Errorf("export aggregates --wave 2026-1: %d %s\n%s", code, errOut, read())
	}
	if code, _, errOut := runIt("export", "aggregates", "--wave", "1999", "--out", out); code != 2 || !strings.Contains(errOut, "--wave") {
		t.Errorf("an unknown wave: exit %d %q, want 2 naming --wave", code, errOut)
	}

	code, stdout, errOut := runIt("export", "change", "--out", out)
	if code != 0 || !strings.Contains(stdout, "from wave 2026-1 to 2027-1") {
		t.Fatalf("export change: %d %s %s", code, stdout, errOut)
	}
	got = read()
	for _, want := range []string{
		"field;basis;n_from;n_to;n_panel;mean_from;mean_to;change;suppressed",
		"composite;panel;15;10;10;40;50;10;",
		"composite;all;15;10;;33,33;50;16,67;",
		"maturity;panel;15;10;10;40;50;10;",
	} {
		if !strings.Contains(got, want+"\r\n") {
			t.Errorf("change lacks %q:\n%s", want, got)
		}
	}
	if code, _, errOut := runIt("export", "change", "--from", "2027-1", "--to", "2026-1", "--out", out); code != 2 || !strings.Contains(errOut, "--from") {
		t.Errorf("from after to: exit %d %q, want 2 naming --from", code, errOut)
	}
	if code, _, errOut := runIt("export", "change", "--to", "nope", "--out", out); code != 2 || !strings.Contains(errOut, "--to") {
		t.Errorf("an unknown wave: exit %d %q, want 2 naming --to", code, errOut)
	}
}
