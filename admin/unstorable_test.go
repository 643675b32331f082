package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/admin"
	"github.com/surveybot/surveybot/campaigns/campaignstest"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
)

// TestUnstorableTextOnEveryAPIWritePath sends a NUL, a control character
// and a lone surrogate to every route of the admin API that writes or
// filters, on SQLite and PostgreSQL: each is a 4xx that names the field,
// never a 500, and nothing is stored.
func TestUnstorableTextOnEveryAPIWritePath(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			hwk, hwkKey, err := db.AddChamber(ctx, "hwk_h", "HWK Hannover")
			if err != nil {
				t.Fatal(err)
			}
			opKey, err := db.CreateOperatorKey(ctx)
			if err != nil {
				t.Fatal(err)
			}
			e := &campaignstest.Env{DB: db, Chamber: hwk, Clock: campaignstest.NewClock(time.Now()), Senders: campaignstest.NewRecorders()}
			mux := http.NewServeMux()
			admin.New(admin.Config{DB: db, Questionnaire: dialogstest.Core(t), Campaigns: e.Runner(t), Log: testrig.Discard()}).Register(mux)
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			hwkAPI := adminClient{t: t, url: srv.URL, key: hwkKey}
			opAPI := adminClient{t: t, url: srv.URL, key: opKey}
			end := time.Now().AddDate(0, 2, 0).Format(time.DateOnly)
			const js = "application/json"

			field := func(c adminClient, method, path, contentType, body string, want int) string {
				t.Helper()
				code, got := c.do(method, path, contentType, body)
				var e struct{ Error, Field string }
				_ = json.Unmarshal([]byte(got), &e)
				if code != want || e.Error == "" {
					t.Errorf("%s %s %.60q: %d %s, want %d with an error", method, path, body, code, got, want)
				}
				return e.Field
			}
			for _, bad := range []string{`\u0000`, `\u0007`, `\ud800`} {
				if f := field(hwkAPI, "POST", "/api/v1/campaigns", js, `{"name":"Herbst`+bad+`","end":"`+end+`"}`, http.StatusBadRequest); f != "name" {
					t.Errorf("campaign name with %s: field %q, want name", bad, f)
				}
				if f := field(opAPI, "POST", "/api/v1/digest/subscribers", js, `{"kind":"email","target":"rat`+bad+`@example.org"}`, http.StatusBadRequest); f != "target" {
					t.Errorf("subscriber with %s: field %q, want target", bad, f)
				}
			}
			list := "Mitgliedsnummer;Firma;E-Mail;Sprache;Einwilligung\r\n101;Tischlerei\x00Alt;alt@example.org;de;ja\r\n"
			if code, got := hwkAPI.do("POST", "/api/v1/members", "text/csv; charset=utf-8", list); code != http.StatusUnprocessableEntity || !strings.Contains(got, "cannot be stored") {
				t.Errorf("member list with a NUL: %d %s, want 422 naming the row", code, got)
			}
			if f := field(opAPI, "GET", "/api/v1/responses?chamber=hwk%00", "", "", http.StatusBadRequest); f != "chamber" {
				t.Errorf("responses?chamber= with a NUL: field %q", f)
			}
			if f := field(hwkAPI, "GET", "/api/v1/campaigns/ab%00cd", "", "", http.StatusBadRequest); f != "path" {
				t.Errorf("a campaign id with a NUL: field %q", f)
			}
			if f := field(opAPI, "DELETE", "/api/v1/digest/subscribers/email/rat%00@example.org", "", "", http.StatusBadRequest); f != "path" {
				t.Errorf("a subscriber path with a NUL: field %q", f)
			}
			// Nothing of it was kept.
			var camps struct{ Campaigns []json.RawMessage }
			hwkAPI.json("GET", "/api/v1/campaigns", "", "", http.StatusOK, &camps)
			var ms struct{ Members []json.RawMessage }
			hwkAPI.json("GET", "/api/v1/members", "", "", http.StatusOK, &ms)
			subs, err := db.Subscribers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(camps.Campaigns) != 0 || len(ms.Members) != 0 || len(subs) != 0 {
				t.Errorf("stored %d campaigns, %d members, %d subscribers from unstorable input", len(camps.Campaigns), len(ms.Members), len(subs))
			}
		})
	}
}
