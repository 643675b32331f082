package admin_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
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
	"github.com/xuri/excelize/v2"
)

// adminRig is the admin API over a database with five members of HWK
// Hannover and five of IHK Hannover, and a key for each and the operator.
type adminRig struct {
	t                 *testing.T
	db                *store.DB
	srv               *httptest.Server
	hwk, ihk, op      string // API keys
	hwkIDs, ihkIDs    []string
	subscribersBefore []survey.Subscriber
}

func newAdminRig(t *testing.T, db *store.DB) *adminRig {
	t.Helper()
	ctx := context.Background()
	q := dialogstest.Core(t)
	svc := bot.NewService(db, store.NewMemorySessions(time.Hour), testrig.Discard(), q)
	for i, chamber := range []string{"hwk_h", "hwk_h", "hwk_h", "hwk_h", "hwk_h", "ihk_h", "ihk_h", "ihk_h", "ihk_h", "ihk_h"} {
		_, key, err := db.CreateInvitation(ctx, survey.NewInvitation{Lang: dialogs.German, Fixed: map[string]string{"chamber": chamber}, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		who := survey.Identity{Channel: "test", External: fmt.Sprintf("sec-%d", i)}
		r, err := svc.StartInvitation(ctx, who, key)
		if err != nil {
			t.Fatal(err)
		}
		for !r.Finished() {
			p, _ := dialogstest.Question(r.Prompts)
			if r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := &adminRig{t: t, db: db}
	var err error
	if _, a.hwk, err = db.AddChamber(ctx, "hwk_h", "HWK Hannover"); err != nil {
		t.Fatal(err)
	}
	if _, a.ihk, err = db.AddChamber(ctx, "ihk_h", "IHK Hannover"); err != nil {
		t.Fatal(err)
	}
	if a.op, err = db.CreateOperatorKey(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.AddSubscriber(ctx, survey.Subscriber{Kind: "email", Target: "rat@example.org"}); err != nil {
		t.Fatal(err)
	}
	if a.subscribersBefore, err = db.Subscribers(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	admin.New(admin.Config{DB: db, Questionnaire: q, Log: testrig.Discard()}).Register(mux)
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	a.hwkIDs = a.exportIDs(a.mustGet("/api/v1/responses?chamber=hwk_h", a.op))
	a.ihkIDs = a.exportIDs(a.mustGet("/api/v1/responses?chamber=ihk_h", a.op))
	if len(a.hwkIDs) != 5 || len(a.ihkIDs) != 5 {
		t.Fatalf("%d HWK and %d IHK responses, want 5 each", len(a.hwkIDs), len(a.ihkIDs))
	}
	return a
}

func (a *adminRig) call(method, path, key string, body io.Reader, header http.Header) (int, string) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (a *adminRig) mustGet(path, key string) string {
	a.t.Helper()
	code, body := a.call(http.MethodGet, path, key, nil, nil)
	if code != http.StatusOK {
		a.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	return body
}

// exportIDs returns the response column of a CSV export.
func (a *adminRig) exportIDs(body string) []string {
	a.t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		a.t.Fatalf("not a CSV export: %v\n%s", err, body)
	}
	var ids []string
	for _, rec := range recs[1:] {
		ids = append(ids, rec[0])
	}
	return ids
}

// unchanged checks that the subscribers and the responses are as before.
func (a *adminRig) unchanged() {
	a.t.Helper()
	subs, err := a.db.Subscribers(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	if !slices.Equal(subs, a.subscribersBefore) {
		a.t.Errorf("subscribers changed: %v, want %v", subs, a.subscribersBefore)
	}
	all := a.exportIDs(a.mustGet("/api/v1/responses", a.op))
	if len(all) != len(a.hwkIDs)+len(a.ihkIDs) {
		a.t.Errorf("%d responses, want %d", len(all), len(a.hwkIDs)+len(a.ihkIDs))
	}
}

// leaks reports which of IHK's export ids a body shows.
func (a *adminRig) leaks(body string) []string {
	var out []string
	for _, id := range a.ihkIDs {
		if strings.Contains(body, id) {
			out = append(out, id)
		}
	}
	return out
}

// TestSecurityAdminAPIOtherChambersKey tries every admin route with the
// key of HWK Hannover against what belongs to IHK Hannover or to the
// operator: each is refused and no IHK response is shown.
func TestSecurityAdminAPIOtherChambersKey(t *testing.T) {
	for _, s := range storetest.Rigs(t) {
		t.Run(s.Name, func(t *testing.T) {
			a := newAdminRig(t, s.DB)
			jsonType := http.Header{"Content-Type": {"application/json"}}
			refused := []struct {
				method, path, body string
				want               int
			}{
				{"GET", "/api/v1/responses?chamber=ihk_h", "", http.StatusForbidden},
				{"GET", "/api/v1/responses?chamber=ihk_h&format=xlsx", "", http.StatusForbidden},
				{"GET", "/api/v1/responses?format=xlsx&chamber=ihk_h", "", http.StatusForbidden},
				{"GET", "/api/v1/responses?chamber=IHK_H", "", http.StatusForbidden},
				{"GET", "/api/v1/responses?chamber=ihk_h&chamber=hwk_h", "", http.StatusForbidden},
				{"GET", "/api/v1/responses?chamber=%20hwk_h", "", http.StatusForbidden},
				{"GET", "/api/v1/aggregates", "", http.StatusForbidden},
				{"GET", "/api/v1/aggregates?by=chamber", "", http.StatusForbidden},
				{"GET", "/api/v1/aggregates?by=week", "", http.StatusForbidden},
				{"GET", "/api/v1/digest/subscribers", "", http.StatusForbidden},
				{"POST", "/api/v1/digest/subscribers", `{"kind":"email","target":"spion@example.org"}`, http.StatusForbidden},
				{"DELETE", "/api/v1/digest/subscribers/email/rat@example.org", "", http.StatusForbidden},
			}
			for _, tc := range refused {
				code, body := a.call(tc.method, tc.path, a.hwk, strings.NewReader(tc.body), jsonType)
				if code != tc.want {
					t.Errorf("%s %s with HWK's key: %d, want %d", tc.method, tc.path, code, tc.want)
				}
				if l := a.leaks(body); len(l) > 0 || strings.Contains(body, "rat@example.org") {
					t.Errorf("%s %s with HWK's key shows IHK's responses %v or a subscriber:\n%s", tc.method, tc.path, l, body)
				}
			}
			// What HWK's key may ask for shows HWK's members alone, whatever
			// else the query says.
			for _, path := range []string{"/api/v1/responses", "/api/v1/responses?chamber=hwk_h", "/api/v1/responses?chamber=",
				"/api/v1/responses?chamber=hwk_h&chamber=ihk_h", "/api/v1/responses?Chamber=ihk_h"} {
				ids := a.exportIDs(a.mustGet(path, a.hwk))
				slices.Sort(ids)
				if want := slices.Sorted(slices.Values(a.hwkIDs)); !slices.Equal(ids, want) {
					t.Errorf("GET %s with HWK's key: responses %v, want HWK's %v", path, ids, want)
				}
			}
			_, xlsx := a.call(http.MethodGet, "/api/v1/responses?format=xlsx", a.hwk, nil, nil)
			f, err := excelize.OpenReader(strings.NewReader(xlsx))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := f.GetRows("Antworten")
			f.Close()
			if err != nil || len(rows) != len(a.hwkIDs)+1 {
				t.Errorf("HWK's workbook has %d rows (%v), want a header and HWK's %d", len(rows), err, len(a.hwkIDs))
			}
			for _, row := range rows {
				if l := a.leaks(strings.Join(row, ";")); len(l) > 0 {
					t.Errorf("HWK's workbook holds IHK's responses %v", l)
				}
			}
			// The key only counts in the Authorization header, as a bearer token.
			for name, h := range map[string]http.Header{
				"lower-case scheme": {"Authorization": {"bearer " + a.ihk}},
				"basic scheme":      {"Authorization": {"Basic " + a.ihk}},
				"no scheme":         {"Authorization": {a.ihk}},
				"two spaces":        {"Authorization": {"Bearer  " + a.ihk}},
				"key with a suffix": {"Authorization": {"Bearer " + a.ihk + "x"}},
				"key cut short":     {"Authorization": {"Bearer " + a.ihk[:len(a.ihk)-1]}},
				"other header":      {"X-Api-Key": {a.ihk}},
			} {
				if code, body := a.call(http.MethodGet, "/api/v1/responses", "", nil, h); code != http.StatusUnauthorized || len(a.leaks(body)) > 0 {
					t.Errorf("%s: %d, want 401 and nothing shown", name, code)
				}
			}
			if code, _ := a.call(http.MethodGet, "/api/v1/responses?key="+url.QueryEscape(a.ihk), "", nil, nil); code != http.StatusUnauthorized {
				t.Errorf("the key in the query string: %d, want 401", code)
			}
			a.unchanged()
		})
	}
}

// TestSecurityAdminAPIInjectionInParameters sends SQL in every query and
// path parameter of the admin API: a parameter with a fixed set of values
// gets 400, a filter selects nothing, never a 500, and nothing changes.
func TestSecurityAdminAPIInjectionInParameters(t *testing.T) {
	sqls := []string{`chamber'; DROP TABLE answers;--`, `x' OR '1'='1`, `overall UNION SELECT key_hash FROM api_keys--`, `1); DELETE FROM responses;--`}
	for _, s := range storetest.Rigs(t) {
		t.Run(s.Name, func(t *testing.T) {
			a := newAdminRig(t, s.DB)
			for _, inj := range sqls {
				v := url.QueryEscape(inj)
				for _, key := range []string{a.op, a.hwk} {
					if code, body := a.call(http.MethodGet, "/api/v1/responses?format="+v, key, nil, nil); code != http.StatusBadRequest {
						t.Errorf("format=%q: %d %s, want 400", inj, code, body)
					}
				}
				if code, body := a.call(http.MethodGet, "/api/v1/aggregates?by="+v, a.op, nil, nil); code != http.StatusBadRequest || strings.Contains(body, "key_hash") {
					t.Errorf("by=%q: %d %s, want 400", inj, code, body)
				}
				// A chamber's key may not name another chamber, SQL or not.
				if code, _ := a.call(http.MethodGet, "/api/v1/responses?chamber="+v, a.hwk, nil, nil); code != http.StatusForbidden {
					t.Errorf("chamber=%q with HWK's key: %d, want 403", inj, code)
				}
				// The operator's filter is a value: no chamber has that code.
				code, body := a.call(http.MethodGet, "/api/v1/responses?chamber="+v, a.op, nil, nil)
				if code >= 500 {
					t.Errorf("chamber=%q with the operator's key: %d", inj, code)
				} else if code == http.StatusOK {
					if ids := a.exportIDs(body); len(ids) != 0 {
						t.Errorf("chamber=%q selected %d responses, want none", inj, len(ids))
					}
				}
				// Path parameters of the subscriber to delete.
				for _, path := range []string{"/api/v1/digest/subscribers/email/" + url.PathEscape(inj), "/api/v1/digest/subscribers/" + url.PathEscape(inj) + "/rat@example.org"} {
					if code, body := a.call(http.MethodDelete, path, a.op, nil, nil); code != http.StatusNotFound {
						t.Errorf("DELETE %s: %d %s, want 404", path, code, body)
					}
				}
				// Bodies: a kind outside the set is refused; SQL as an e-mail
				// address, a Slack channel or a Telegram chat too.
				for _, body := range []string{
					fmt.Sprintf(`{"kind":%q,"target":"rat2@example.org"}`, inj),
					fmt.Sprintf(`{"kind":"email","target":%q}`, inj),
					fmt.Sprintf(`{"kind":"slack","target":%q}`, "C0"+inj),
					fmt.Sprintf(`{"kind":"telegram","target":%q}`, "1"+inj),
				} {
					if code, out := a.call(http.MethodPost, "/api/v1/digest/subscribers", a.op, strings.NewReader(body), nil); code != http.StatusBadRequest {
						t.Errorf("POST %s: %d %s, want 400", body, code, out)
					}
				}
			}
			a.unchanged()
		})
	}
}

// TestSecurityAdminAPIOversizedBody posts a body of a megabyte to the only
// admin route that reads JSON: it is refused with 413 and nothing is stored.
func TestSecurityAdminAPIOversizedBody(t *testing.T) {
	a := newAdminRig(t, storetest.SQLite(t))
	big := `{"kind":"email","target":"gross@example.org","x":"` + strings.Repeat("x", 1<<20) + `"}`
	code, body := a.call(http.MethodPost, "/api/v1/digest/subscribers", a.op, bytes.NewReader([]byte(big)), http.Header{"Content-Type": {"application/json"}})
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d %s, want 413", code, body)
	}
	// Just under the limit with an unknown field: still refused, not stored.
	padded := `{"kind":"email","target":"gross@example.org","pad":"` + strings.Repeat("x", 4000) + `"}`
	if code, _ := a.call(http.MethodPost, "/api/v1/digest/subscribers", a.op, strings.NewReader(padded), nil); code != http.StatusBadRequest {
		t.Errorf("body with an unknown field: %d, want 400", code)
	}
	a.unchanged()
}
