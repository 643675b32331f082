package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/surveybot/surveybot/admin"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestChangeAPI: the operator reads the change between two waves, on the
// panel and on all respondents; a chamber's key may not; an unknown wave
// is refused naming its parameter.
func TestChangeAPI(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	db := storetest.SQLite(t)
	now := time.Now().UTC()
	first, err := db.CreateWave(ctx, survey.Wave{Name: "2026-1", StartsAt: now.AddDate(-1, 0, 0), EndsAt: now.AddDate(0, -9, 0), Questionnaire: q.Ref()})
	if err != nil {
		t.Fatal(err)
	}
	second, err := db.CreateWave(ctx, survey.Wave{Name: "2027-1", StartsAt: now.Add(-time.Hour), EndsAt: now.AddDate(0, 3, 0), Questionnaire: q.Ref()})
	if err != nil {
		t.Fatal(err)
	}
	complete := func(i int, w survey.Wave, score float64) {
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
	// Eight firms in both waves, from 30 to 40; two more only in the second.
	for i := range 10 {
		if i < 8 {
			complete(i, first, 30)
		}
		complete(i, second, 40)
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
	get := func(path, key string) (int, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}

	type change struct {
		Field, Basis, Suppressed string
		NFrom                    *int     `json:"n_from"`
		NTo                      *int     `json:"n_to"`
		NPanel                   *int     `json:"n_panel"`
		Change                   *float64 `json:"change"`
	}
	changes := func() (string, string, []change) {
		t.Helper()
		code, body := get("/api/v1/change", opKey)
		var got struct {
			From, To string
			Changes  []change
		}
		if err := json.Unmarshal(body, &got); err != nil || code != http.StatusOK || len(got.Changes) != 4 {
			t.Fatalf("change: %d %s %v", code, body, err)
		}
		return got.From, got.To, got.Changes
	}
	// The two firms only in the second wave: its figure less the panel's
	// would be theirs.
	from, to, got := changes()
	if from != "2026-1" || to != "2027-1" || got[0].Basis != "panel" || got[0].Suppressed == "" || got[0].NPanel != nil || got[0].Change != nil {
		t.Errorf("with two joiners the panel is shown: %+v", got[0])
	}
	if all := got[1]; all.Basis != "all" || all.Suppressed != "" || *all.NFrom != 8 || *all.NTo != 10 || *all.Change != 10 {
		t.Errorf("all %+v", all)
	}
	for i := 10; i < 13; i++ {
		complete(i, second, 40)
	}
	_, _, got = changes()
	if panel := got[0]; panel.Field != survey.CompositeField || panel.Suppressed != "" || panel.NPanel == nil || *panel.NPanel != 8 || *panel.Change != 10 {
		t.Errorf("with five joiners: panel %+v, want 8 firms, +10", panel)
	}
	if all := got[1]; all.NPanel != nil || *all.NFrom != 8 || *all.NTo != 13 || *all.Change != 10 {
		t.Errorf("all %+v", all)
	}

	if code, _ := get("/api/v1/change", hwkKey); code != http.StatusForbidden {
		t.Errorf("a chamber's key: %d, want 403", code)
	}
	code, body := get("/api/v1/change?to=1999", opKey)
	var e struct{ Field string }
	if json.Unmarshal(body, &e); code != http.StatusBadRequest || e.Field != "to" {
		t.Errorf("an unknown wave: %d %s, want 400 naming to", code, body)
	}
	code, body = get("/api/v1/aggregates?by=wave&wave=2026-1", opKey)
	if code != http.StatusOK {
		t.Errorf("aggregates by wave of one wave: %d %s", code, body)
	}
	if code, body = get("/api/v1/aggregates?wave=nope", opKey); code != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Field != "wave" {
		t.Errorf("aggregates of an unknown wave: %d %s, want 400 naming wave", code, body)
	}
}
