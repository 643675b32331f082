package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// TestExportPanelCommand: a firm in two waves is one row of the wide panel
// and two of the long one, under one panel id that the responses export
// shows as well; --wave keeps one wave; the configured panel secret
// decides the ids; bad flags are usage errors.
func TestExportPanelCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := &chatRig{t: t, vars: map[string]string{"SURVEYBOT_SQL_DSN": "sqlite:" + filepath.Join(dir, "panel.db")}}
	if code, out := r.run("", "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, out)
	}
	db, err := store.Open(ctx, r.vars["SURVEYBOT_SQL_DSN"])
	if err != nil {
		t.Fatal(err)
	}
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-48 * time.Hour)
	var ws []survey.Wave
	for i, name := range []string{"2027-1", "2027-2"} {
		w, err := db.CreateWave(ctx, survey.Wave{Name: name, StartsAt: start.Add(time.Duration(i) * time.Hour), EndsAt: start.AddDate(0, 3, 0), Questionnaire: q.Ref()})
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	for _, f := range []struct {
		who, chamber string
		waves        []survey.Wave
	}{{"a", "hwk_h", ws}, {"b", "ihk_h", ws[1:]}} {
		rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: f.who})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range f.waves {
			resp, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: "test", WaveID: w.ID})
			if err != nil {
				t.Fatal(err)
			}
			c := 42.5
			if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: resp.ID, Channel: "test", Lang: dialogs.German, Phase: dialogs.PhaseDone,
				Scores: &dialogs.Scores{Fields: map[string]float64{"maturity": c}, Composite: &c},
				Dims:   map[survey.Dimension]string{survey.ByChamber: f.chamber}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.Close()

	read := func(name string) [][]string {
		t.Helper()
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
		cr.Comma = ';'
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	long, wide := filepath.Join(dir, "long.csv"), filepath.Join(dir, "wide.csv")
	if code, out := r.run("", "export", "panel", "--out", long); code != 0 || !strings.Contains(out, "2 firms, 3 responses") {
		t.Fatalf("export panel: %d %s", code, out)
	}
	if code, out := r.run("", "export", "panel", "--format", "wide", "--out", wide); code != 0 {
		t.Fatalf("export panel --format wide: %d %s", code, out)
	}
	l, w := read(long), read(wide)
	if len(l) != 4 || l[0][0] != "panel_id" || l[0][1] != "wave" || l[0][2] != "completed_at" {
		t.Fatalf("long panel:\n%v", l)
	}
	if len(w) != 3 || w[0][0] != "panel_id" || w[0][1] != "2027-1_completed_at" || !strings.Contains(strings.Join(w[0], ";"), ";2027-2_maturity;") {
		t.Fatalf("wide panel header %v, %d rows", w[0], len(w)-1)
	}
	ids := map[string]int{}
	for _, rec := range l[1:] {
		ids[rec[0]]++
	}
	if len(ids) != 2 {
		t.Errorf("long panel ids %v, want 2 firms", ids)
	}

	// The hwk_h panel is a's two waves.
	if code, out := r.run("", "export", "panel", "--chamber", "hwk_h", "--out", long); code != 0 || !strings.Contains(out, "1 firms, 2 responses") {
		t.Errorf("export panel --chamber hwk_h: %d %s", code, out)
	}
	a := read(long)[1][0]
	if ids[a] != 2 {
		t.Errorf("hwk_h's firm %s has %d rows in the whole panel, want 2", a, ids[a])
	}

	// The responses export of one wave shows the same id.
	resp := filepath.Join(dir, "welle.csv")
	if code, out := r.run("", "export", "responses", "--wave", "2027-1", "--out", resp); code != 0 || !strings.Contains(out, "1 responses") {
		t.Fatalf("export responses --wave 2027-1: %d %s", code, out)
	}
	if rec := read(resp); rec[0][1] != "panel_id" || rec[0][2] != "wave" || rec[1][1] != a || rec[1][2] != "2027-1" {
		t.Errorf("responses of 2027-1: %v, want a (%s) in 2027-1", rec, a)
	}

	// Another secret, other ids.
	r.vars["SURVEYBOT_SQL_PANEL_SECRET"] = strings.Repeat("k", 32)
	if code, out := r.run("", "export", "panel", "--chamber", "hwk_h", "--out", long); code != 0 {
		t.Fatalf("export panel with a configured secret: %d %s", code, out)
	}
	if b := read(long)[1][0]; b == a || len(b) != len(a) {
		t.Errorf("panel id %q under another secret, was %q", b, a)
	}
	delete(r.vars, "SURVEYBOT_SQL_PANEL_SECRET")

	for _, args := range [][]string{
		{"export", "responses", "--wave", "nope", "--out", resp},
		{"export", "panel", "--format", "tall", "--out", long},
		{"export", "panel"},
	} {
		if code, _ := r.run("", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", args, code)
		}
	}
}
