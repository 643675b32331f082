package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/surveybot/surveybot/admin"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestWavesAPI: the operator plans waves; a bad field is named in the
// JSON error; a chamber sees the waves but cannot plan one.
func TestWavesAPI(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	op, err := db.CreateOperatorKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, hwkKey, err := db.AddChamber(ctx, "hwk_h", "HWK Hannover")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	admin.New(admin.Config{DB: db, Questionnaire: dialogstest.Core(t), Log: testrig.Discard()}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	api := adminClient{t: t, url: srv.URL, key: op}
	hwk := adminClient{t: t, url: srv.URL, key: hwkKey}

	start := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	end := time.Now().AddDate(0, 3, 0).Format(time.DateOnly)
	var made survey.Wave
	api.json("POST", "/api/v1/waves", "application/json", `{"name":"2027-1","start":"`+start+`","end":"`+end+`"}`, http.StatusCreated, &made)
	if made.Name != "2027-1" || made.ID == "" || made.Questionnaire != dialogstest.Core(t).Ref() {
		t.Errorf("created %+v", made)
	}
	for body, field := range map[string]string{
		`{"name":"2027-1","start":"` + start + `","end":"` + end + `"}`: "name",
		`{"name":"x y","start":"` + start + `","end":"` + end + `"}`:    "name",
		`{"name":"2027-2","start":"gestern","end":"` + end + `"}`:       "start",
		`{"name":"2027-2","start":"` + end + `","end":"` + start + `"}`: "end",
	} {
		code, got := api.do("POST", "/api/v1/waves", "application/json", body)
		var e struct{ Error, Field string }
		_ = json.Unmarshal([]byte(got), &e)
		if code != http.StatusBadRequest || e.Field != field {
			t.Errorf("POST %s: %d %s, want 400 naming %s", body, code, got, field)
		}
	}
	hwk.status("POST", "/api/v1/waves", "application/json", `{"name":"2027-9","start":"`+start+`","end":"`+end+`"}`, http.StatusForbidden)
	var list struct{ Waves []survey.Wave }
	hwk.json("GET", "/api/v1/waves", "", "", http.StatusOK, &list)
	if len(list.Waves) != 1 || list.Waves[0].Name != "2027-1" {
		t.Errorf("a chamber's list of waves: %+v, want 2027-1 only", list.Waves)
	}
}
