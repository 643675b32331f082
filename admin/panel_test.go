package admin_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/admin"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestResponsesByWave: ?wave= keeps one wave, a firm has one panel id in
// both, an unknown wave is a 400 naming the field, and a chamber's key
// still sees only its own members.
func TestResponsesByWave(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	db := storetest.SQLite(t)
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
	}{{"wave-a", "hwk_h", ws}, {"wave-b", "ihk_h", ws[:1]}} {
		rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: f.who})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range f.waves {
			r, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: "test", WaveID: w.ID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: r.ID, Channel: "test", Lang: dialogs.German, Phase: dialogs.PhaseDone,
				Changes: []dialogs.Change{{Item: "chamber", Answer: dialogs.Answer{Value: f.chamber}}},
				Scores:  &dialogs.Scores{Fields: map[string]float64{}}, Dims: map[survey.Dimension]string{survey.ByChamber: f.chamber}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, hwkKey, err := db.AddChamber(ctx, "hwk_h", "HWK Hannover")
	if err != nil {
		t.Fatal(err)
	}
	opKey, err := db.CreateOperatorKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	admin.New(admin.Config{DB: db, Questionnaire: q, Log: testrig.Discard()}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(path, key string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// rows returns the (panel_id, wave, chamber) of each row.
	rows := func(path, key string) [][3]string {
		t.Helper()
		code, body := get(path, key)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		var out [][3]string
		for _, rec := range recs[1:] {
			out = append(out, [3]string{rec[col["panel_id"]], rec[col["wave"]], rec[col["chamber"]]})
		}
		return out
	}

	all := rows("/api/v1/responses", hwkKey)
	if len(all) != 2 || all[0][0] == "" || all[0][0] != all[1][0] || all[0][1] == all[1][1] {
		t.Errorf("HWK's key, all waves: %v; want its member's 2 waves under one panel id", all)
	}
	first := rows("/api/v1/responses?wave=2027-1", hwkKey)
	if len(first) != 1 || first[0][1] != "2027-1" || first[0][2] != "hwk_h" || first[0][0] != all[0][0] {
		t.Errorf("HWK's key, wave 2027-1: %v; want its member's one row", first)
	}
	if got := rows("/api/v1/responses?wave=2027-1", opKey); len(got) != 2 || got[0][0] == got[1][0] {
		t.Errorf("operator, wave 2027-1: %v; want both firms under different panel ids", got)
	}
	if got := rows("/api/v1/responses?wave=2027-2&chamber=ihk_h", opKey); len(got) != 0 {
		t.Errorf("operator, IHK in 2027-2: %v; want none", got)
	}
	code, body := get("/api/v1/responses?wave=nope", hwkKey)
	var e struct{ Error, Field string }
	if err := json.Unmarshal([]byte(body), &e); code != http.StatusBadRequest || err != nil || e.Field != "wave" || e.Error == "" {
		t.Errorf("unknown wave: %d %s; want 400 naming the field wave", code, body)
	}
}
