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
	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestAdminAPI checks who sees what: a chamber's key only its own members'
// responses, the operator's everything; no key or a wrong one nothing; and
// figures never describe fewer than 5.
func TestAdminAPI(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	db := storetest.SQLite(t)
	svc := bot.NewService(db, store.NewMemorySessions(time.Hour), testrig.Discard(), q)
	// Three members of HWK Hannover, two of IHK Hannover, through the dialog.
	for i, chamber := range []string{"hwk_h", "hwk_h", "hwk_h", "ihk_h", "ihk_h"} {
		_, key, err := db.CreateInvitation(ctx, survey.NewInvitation{Lang: dialogs.German, Fixed: map[string]string{"chamber": chamber}, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		who := survey.Identity{Channel: "test", External: "admin-" + string(rune('a'+i))}
		r, err := svc.StartInvitation(ctx, who, key)
		if err != nil {
			t.Fatal(err)
		}
		for !r.Finished() {
			p, _ := dialogstest.Question(r.Prompts)
			if r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, 0)); err != nil {
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
	call := func(method, path, key, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	semis := func(body string) int {
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("export is not CSV: %v", err)
		}
		return len(recs) - 1
	}

	if code, _ := call("GET", "/api/v1/responses", "", ""); code != http.StatusUnauthorized {
		t.Errorf("no key: %d, want 401", code)
	}
	if code, _ := call("GET", "/api/v1/responses", "sb_wrong", ""); code != http.StatusUnauthorized {
		t.Errorf("a wrong key: %d, want 401", code)
	}
	code, body := call("GET", "/api/v1/responses", hwkKey, "")
	if code != http.StatusOK || semis(body) != 3 {
		t.Errorf("HWK's key: %d with %d rows, want its 3 members only", code, semis(body))
	}
	if code, _ := call("GET", "/api/v1/responses?chamber=ihk_h", hwkKey, ""); code != http.StatusForbidden {
		t.Errorf("HWK's key asking for IHK's responses: %d, want 403", code)
	}
	if code, body := call("GET", "/api/v1/responses", opKey, ""); code != http.StatusOK || semis(body) != 5 {
		t.Errorf("operator: %d with %d rows, want all 5", code, semis(body))
	}
	if code, body := call("GET", "/api/v1/responses?chamber=ihk_h", opKey, ""); code != http.StatusOK || semis(body) != 2 {
		t.Errorf("operator for IHK: %d with %d rows, want 2", code, semis(body))
	}

	// Figures: chambers of 3 and 2 are both suppressed, and so is the total
	// of 5, which HWK, holding its 3 rows, could turn into IHK's 2.
	code, body = call("GET", "/api/v1/aggregates?by=chamber", opKey, "")
	if code != http.StatusOK {
		t.Fatalf("aggregates: %d %s", code, body)
	}
	type label struct{ De, En string }
	var agg struct {
		Tables []struct {
			Field      string `json:"field"`
			FieldTitle label  `json:"field_title"`
			Total      struct {
				Group string `json:"group"`
				Label label  `json:"label"`
				N     *int   `json:"n"`
			} `json:"total"`
			Cells []struct {
				Group      string `json:"group"`
				Label      label  `json:"label"`
				N          *int   `json:"n"`
				Suppressed bool   `json:"suppressed"`
			} `json:"cells"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(body), &agg); err != nil {
		t.Fatal(err)
	}
	for _, tb := range agg.Tables {
		for _, c := range tb.Cells {
			if !c.Suppressed || c.N != nil {
				t.Errorf("%s/%s shown: %+v", tb.Field, c.Group, c)
			}
		}
		if tb.Field == survey.CompositeField && tb.Total.N != nil {
			t.Errorf("composite total shown with n=%d; less HWK's 3 rows it describes IHK's 2", *tb.Total.N)
		}
		if tb.Total.Group != "total" || tb.Total.Label != (label{"gesamt", "total"}) {
			t.Errorf("%s total: group %q label %+v, want the code total and its labels", tb.Field, tb.Total.Group, tb.Total.Label)
		}
		if tb.Field == survey.CompositeField && tb.FieldTitle != (label{"Gesamtindex", "Composite index"}) {
			t.Errorf("composite titled %+v", tb.FieldTitle)
		}
		for _, c := range tb.Cells {
			if c.Group == "hwk_h" && c.Label != (label{"HWK Hannover", "HWK Hannover"}) {
				t.Errorf("hwk_h labelled %+v", c.Label)
			}
		}
	}
	if code, _ := call("GET", "/api/v1/aggregates?by=chamber", hwkKey, ""); code != http.StatusForbidden {
		t.Errorf("a chamber asking for all figures: %d, want 403", code)
	}

	// Digest subscribers: the operator manages them; a chamber may not.
	if code, _ := call("POST", "/api/v1/digest/subscribers", hwkKey, `{"kind":"email","target":"rat@example.org"}`); code != http.StatusForbidden {
		t.Errorf("a chamber adding a subscriber: %d, want 403", code)
	}
	for _, bad := range []string{`{"kind":"fax","target":"1"}`, `{"kind":"email","target":"nope"}`, `{"kind":"email"`} {
		if code, _ := call("POST", "/api/v1/digest/subscribers", opKey, bad); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, code)
		}
	}
	if code, _ := call("POST", "/api/v1/digest/subscribers", opKey, `{"kind":"email","target":"rat@example.org"}`); code != http.StatusCreated {
		t.Errorf("add: %d, want 201", code)
	}
	if code, body := call("GET", "/api/v1/digest/subscribers", opKey, ""); code != http.StatusOK || !strings.Contains(body, "rat@example.org") {
		t.Errorf("list: %d %s", code, body)
	}
	if code, _ := call("DELETE", "/api/v1/digest/subscribers/email/rat@example.org", opKey, ""); code != http.StatusNoContent {
		t.Errorf("delete: %d, want 204", code)
	}
	if code, _ := call("DELETE", "/api/v1/digest/subscribers/email/rat@example.org", opKey, ""); code != http.StatusNotFound {
		t.Errorf("delete again: %d, want 404", code)
	}
}
