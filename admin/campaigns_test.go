package admin_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/admin"
	"github.com/surveybot/surveybot/campaigns/campaignstest"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/members"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// adminClient calls the admin API of a test server with one key.
type adminClient struct {
	t   *testing.T
	url string
	key string
}

// do sends a request and returns the status and body.
func (c adminClient) do(method, path, contentType, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.t.Errorf("%s %s: Content-Type %q, want JSON", method, path, ct)
	}
	return resp.StatusCode, string(b)
}

// json sends a request and decodes the JSON answer into out, failing the
// test unless the status is want.
func (c adminClient) json(method, path, contentType, body string, want int, out any) string {
	c.t.Helper()
	code, got := c.do(method, path, contentType, body)
	if code != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, code, got, want)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, got)
		}
	}
	return got
}

// status checks that a request gets the status want, and returns the
// error message of a JSON error.
func (c adminClient) status(method, path, contentType, body string, want int) string {
	c.t.Helper()
	code, got := c.do(method, path, contentType, body)
	if code != want {
		c.t.Errorf("%s %s: %d %s, want %d", method, path, code, got, want)
	}
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal([]byte(got), &e)
	return e.Error
}

type importAnswer struct {
	Created int                `json:"created"`
	Updated int                `json:"updated"`
	Skipped []members.RowError `json:"skipped"`
}

// hwkList is HWK Hannover's member list as German Excel saves it (BOM,
// semicolons, CRLF); line 4 has a bad e-mail address.
const hwkList = "\ufeffMitgliedsnummer;Firma;Ansprechpartner;E-Mail;Telegram;Slack;Sprache;Einwilligung\r\n" +
	"101;Tischlerei Alt;Anna Alt;alt@example.org;nein;;de;ja\r\n" +
	"102;Elektro Berg;;berg@example.org;ja;U0BERG0001;en;ja\r\n" +
	"103;Bäckerei Celle;;celle(at)example.org;nein;;de;ja\r\n" +
	";Dachdecker Dorn;;dorn@example.org;nein;;de;nein\r\n"

// hwkListFixed is the corrected list sent again: 101 and 102 found by
// member number, Dorn (no number) by e-mail address, 103 new.
const hwkListFixed = "Mitgliedsnummer;Firma;Ansprechpartner;E-Mail;Telegram;Slack;Sprache;Einwilligung\r\n" +
	"101;Tischlerei Alt & Söhne;Anna Alt;alt@example.org;nein;;de;ja\r\n" +
	"102;Elektro Berg;;berg@example.org;ja;U0BERG0001;en;ja\r\n" +
	"103;Bäckerei Celle;;celle@example.org;nein;;de;ja\r\n" +
	";Dachdecker Dorn GmbH;;Dorn@Example.org;nein;;de;nein\r\n"

// TestAdminCampaignAPI runs a chamber's campaign through the HTTP API: it
// imports its member list, creates and launches a campaign, follows it
// until sent, pauses and resumes it, reminds; another chamber's key sees
// and touches none of it.
func TestAdminCampaignAPI(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) { testAdminCampaignAPI(t, db) })
	}
}

func testAdminCampaignAPI(t *testing.T, db *store.DB) {
	ctx := context.Background()
	hwk, hwkKey, err := db.AddChamber(ctx, "hwk_h", "HWK Hannover")
	if err != nil {
		t.Fatal(err)
	}
	_, ihkKey, err := db.AddChamber(ctx, "ihk_h", "IHK Hannover")
	if err != nil {
		t.Fatal(err)
	}
	opKey, err := db.CreateOperatorKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The runner's clock is the real time, set by hand: the job queue
	// schedules sends by the real clock.
	e := &campaignstest.Env{DB: db, Chamber: hwk, Clock: campaignstest.NewClock(time.Now()), Senders: campaignstest.NewRecorders()}
	c := e.Runner(t)
	mux := http.NewServeMux()
	admin.New(admin.Config{DB: db, Questionnaire: dialogstest.Core(t), Campaigns: c, Log: testrig.Discard()}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	anon := adminClient{t: t, url: srv.URL}
	hwkAPI := adminClient{t: t, url: srv.URL, key: hwkKey}
	ihkAPI := adminClient{t: t, url: srv.URL, key: ihkKey}
	opAPI := adminClient{t: t, url: srv.URL, key: opKey}
	const csv = "text/csv; charset=utf-8"
	const js = "application/json"
	// The campaign ends in two months and keeps no quiet time, whenever
	// the test runs.
	end := time.Now().AddDate(0, 2, 0).Format(time.DateOnly)

	for _, r := range [][2]string{{"GET", "/api/v1/members"}, {"POST", "/api/v1/members"}, {"GET", "/api/v1/campaigns"},
		{"POST", "/api/v1/campaigns"}, {"GET", "/api/v1/campaigns/x"}, {"POST", "/api/v1/campaigns/x/launch"}} {
		anon.status(r[0], r[1], "", "", http.StatusUnauthorized)
	}

	// A bad row: the list is refused with the row's line, and nothing is stored.
	var bad struct {
		Error string             `json:"error"`
		Rows  []members.RowError `json:"rows"`
	}
	hwkAPI.json("POST", "/api/v1/members", csv, hwkList, http.StatusUnprocessableEntity, &bad)
	if len(bad.Rows) != 1 || bad.Rows[0].Line != 4 || !strings.Contains(bad.Rows[0].Reason, "celle(at)example.org") || bad.Error == "" {
		t.Errorf("bad rows = %+v, want line 4 with the address", bad)
	}
	var list struct {
		Members []survey.Member `json:"members"`
	}
	hwkAPI.json("GET", "/api/v1/members", "", "", http.StatusOK, &list)
	if len(list.Members) != 0 {
		t.Fatalf("after a refused list: %d members stored, want none", len(list.Members))
	}

	// skip_bad imports the good rows and names the bad one.
	var imp importAnswer
	hwkAPI.json("POST", "/api/v1/members?skip_bad=true", csv, hwkList, http.StatusOK, &imp)
	if imp.Created != 3 || imp.Updated != 0 || len(imp.Skipped) != 1 || imp.Skipped[0].Line != 4 {
		t.Errorf("skip_bad import = %+v, want 3 created, line 4 skipped", imp)
	}

	// The corrected list updates those members instead of adding them again.
	imp = importAnswer{}
	hwkAPI.json("POST", "/api/v1/members", csv, hwkListFixed, http.StatusOK, &imp)
	if imp.Created != 1 || imp.Updated != 3 || len(imp.Skipped) != 0 {
		t.Errorf("second import = %+v, want 1 created (103), 3 updated", imp)
	}
	hwkAPI.json("GET", "/api/v1/members", "", "", http.StatusOK, &list)
	companies := map[string]survey.Member{}
	for _, m := range list.Members {
		companies[m.Company] = m
	}
	if len(list.Members) != 4 || companies["Tischlerei Alt & Söhne"].MemberNo != "101" ||
		companies["Dachdecker Dorn GmbH"].Email != "dorn@example.org" || !companies["Elektro Berg"].Telegram {
		t.Errorf("members after the second import = %+v, want the 4 members, updated", list.Members)
	}

	// Another chamber's list, comma-separated, stays apart.
	imp = importAnswer{}
	ihkAPI.json("POST", "/api/v1/members", "text/csv", "Firma,E-Mail,Einwilligung\nIHK Only GmbH,only@ihk.example.org,ja\n", http.StatusOK, &imp)
	if imp.Created != 1 {
		t.Errorf("IHK import = %+v, want 1 created", imp)
	}
	if body := ihkAPI.json("GET", "/api/v1/members", "", "", http.StatusOK, &list); len(list.Members) != 1 || strings.Contains(body, "alt@example.org") || strings.Contains(body, "Tischlerei") {
		t.Errorf("IHK's members = %s, want only its own", body)
	}
	if body := hwkAPI.json("GET", "/api/v1/members", "", "", http.StatusOK, nil); strings.Contains(body, "ihk.example.org") || strings.Contains(body, "IHK Only") {
		t.Errorf("HWK's members show IHK's: %s", body)
	}
	hwkAPI.status("GET", "/api/v1/members?chamber=ihk_h", "", "", http.StatusForbidden)
	hwkAPI.status("POST", "/api/v1/members?chamber=ihk_h", csv, hwkListFixed, http.StatusForbidden)
	hwkAPI.json("GET", "/api/v1/members?chamber=hwk_h", "", "", http.StatusOK, &list)
	if len(list.Members) != 4 {
		t.Errorf("HWK naming itself: %d members, want 4", len(list.Members))
	}

	// The operator names the chamber.
	if msg := opAPI.status("GET", "/api/v1/members", "", "", http.StatusBadRequest); !strings.Contains(msg, "chamber") {
		t.Errorf("operator without a chamber: %q, want a message about the chamber", msg)
	}
	opAPI.status("GET", "/api/v1/members?chamber=nope", "", "", http.StatusBadRequest)
	opAPI.status("POST", "/api/v1/members", csv, hwkListFixed, http.StatusBadRequest)
	opAPI.json("GET", "/api/v1/members?chamber=ihk_h", "", "", http.StatusOK, &list)
	if len(list.Members) != 1 || list.Members[0].Company != "IHK Only GmbH" {
		t.Errorf("operator for IHK: %+v", list.Members)
	}

	// Not a member list, a list too large, skip_bad not a truth value.
	if msg := hwkAPI.status("POST", "/api/v1/members", csv, "Name;Wert\nA;1\n", http.StatusBadRequest); !strings.Contains(msg, "Wert") {
		t.Errorf("not a member list: %q, want the unknown column named", msg)
	}
	hwkAPI.status("POST", "/api/v1/members?skip_bad=vielleicht", csv, hwkListFixed, http.StatusBadRequest)
	huge := "Firma;E-Mail\n" + strings.Repeat("Tischlerei Ohne Ende;ohne@example.org\n", 11<<20/38)
	hwkAPI.status("POST", "/api/v1/members", csv, huge, http.StatusRequestEntityTooLarge)

	// Campaigns: bad specs are refused with what is wrong.
	if msg := hwkAPI.status("POST", "/api/v1/campaigns", js, `{"name":"Herbst","end":"`+end+`","colour":"rot"}`, http.StatusBadRequest); !strings.Contains(msg, "colour") {
		t.Errorf("unknown field: %q, want it named", msg)
	}
	if msg := hwkAPI.status("POST", "/api/v1/campaigns", js, `{"name":"Herbst","end":"31.12.2026"}`, http.StatusBadRequest); !strings.Contains(msg, "end") {
		t.Errorf("bad end: %q, want the field named", msg)
	}
	hwkAPI.status("POST", "/api/v1/campaigns", js, `{"name":"Herbst","end":"`+end+`"} {}`, http.StatusBadRequest)
	hwkAPI.status("POST", "/api/v1/campaigns", js, `{"name":"`+strings.Repeat("x", 70<<10)+`","end":"`+end+`"}`, http.StatusRequestEntityTooLarge)
	hwkAPI.status("POST", "/api/v1/campaigns", js, `{"chamber":"ihk_h","name":"Fremd","end":"`+end+`"}`, http.StatusForbidden)
	opAPI.status("POST", "/api/v1/campaigns", js, `{"name":"Ohne Kammer","end":"`+end+`"}`, http.StatusBadRequest)

	var camp survey.Campaign
	hwkAPI.json("POST", "/api/v1/campaigns", js, `{"name":"Herbst 2026","channels":["slack","email"],"end":"`+end+`","quiet_hours":"none","quiet_sunday":false}`, http.StatusCreated, &camp)
	if camp.ID == "" || camp.Status != survey.CampaignDraft || camp.ChamberCode != "hwk_h" || camp.Name != "Herbst 2026" {
		t.Fatalf("created %+v, want HWK's draft", camp)
	}
	var ihkCamp survey.Campaign
	opAPI.json("POST", "/api/v1/campaigns", js, `{"chamber":"ihk_h","name":"IHK Winter","end":"`+end+`"}`, http.StatusCreated, &ihkCamp)
	if ihkCamp.ChamberCode != "ihk_h" {
		t.Errorf("operator's campaign for IHK: %+v", ihkCamp)
	}

	// Launch, and follow the campaign until every invitation is sent.
	var launched survey.LaunchResult
	hwkAPI.json("POST", "/api/v1/campaigns/"+camp.ID+"/launch", "", "", http.StatusOK, &launched)
	if launched.Invited != 3 || launched.ByChannel["slack"] != 1 || launched.ByChannel["email"] != 2 || launched.NoConsent != 1 {
		t.Fatalf("launch = %+v, want 3 invited (1 on Slack, 2 by e-mail), 1 without consent", launched)
	}
	var st survey.CampaignStats
	testrig.WaitFor(t, "three invitations sent", 20*time.Second, func() bool {
		hwkAPI.json("GET", "/api/v1/campaigns/"+camp.ID, "", "", http.StatusOK, &st)
		return st.Total.Sent == 3
	})
	if st.Campaign.Status != survey.CampaignRunning || st.Total.Invited != 3 || len(st.ByChannel) != 2 || len(st.ByDay) != 1 || st.ByDay[0].Sent != 3 {
		t.Errorf("stats = %+v, want a running campaign with 3 sent on 2 channels in a day", st)
	} else if _, err := time.Parse(time.DateOnly, st.ByDay[0].Day); err != nil {
		t.Errorf("by_day day %q is not YYYY-MM-DD", st.ByDay[0].Day)
	}
	if got := e.Senders["slack"].To("U0BERG0001"); len(got) != 1 || got[0].Lang != "en" {
		t.Errorf("Slack to U0BERG0001: %+v, want one English invitation", got)
	}

	// Another chamber's key cannot see or touch the campaign, nor tell it exists.
	for _, r := range [][2]string{{"GET", ""}, {"POST", "/launch"}, {"POST", "/pause"}, {"POST", "/resume"}, {"POST", "/remind"}} {
		ihkAPI.status(r[0], "/api/v1/campaigns/"+camp.ID+r[1], "", "", http.StatusNotFound)
	}
	hwkAPI.status("GET", "/api/v1/campaigns/"+ihkCamp.ID, "", "", http.StatusNotFound)
	hwkAPI.status("GET", "/api/v1/campaigns/no-such-campaign", "", "", http.StatusNotFound)
	if body := ihkAPI.json("GET", "/api/v1/campaigns", "", "", http.StatusOK, nil); strings.Contains(body, camp.ID) || strings.Contains(body, "HWK") || !strings.Contains(body, ihkCamp.ID) {
		t.Errorf("IHK's campaigns: %s, want only its own", body)
	}
	var camps struct {
		Campaigns []survey.Campaign `json:"campaigns"`
	}
	hwkAPI.json("GET", "/api/v1/campaigns", "", "", http.StatusOK, &camps)
	if len(camps.Campaigns) != 1 || camps.Campaigns[0].ID != camp.ID {
		t.Errorf("HWK's campaigns: %+v, want only its own", camps.Campaigns)
	}
	opAPI.json("GET", "/api/v1/campaigns", "", "", http.StatusOK, &camps)
	if len(camps.Campaigns) != 2 {
		t.Errorf("operator sees %d campaigns, want both", len(camps.Campaigns))
	}
	opAPI.json("GET", "/api/v1/campaigns/"+camp.ID, "", "", http.StatusOK, &st)
	if st.Campaign.Status != survey.CampaignRunning || st.Total.Sent != 3 {
		t.Errorf("after the other chamber's attempts: %+v, want still running with 3 sent", st)
	}

	// Pause and resume; an action the status does not allow is a conflict.
	var paused map[string]string
	hwkAPI.json("POST", "/api/v1/campaigns/"+camp.ID+"/pause", "", "", http.StatusOK, &paused)
	if paused["status"] != "paused" {
		t.Errorf("pause = %v", paused)
	}
	if msg := hwkAPI.status("POST", "/api/v1/campaigns/"+camp.ID+"/pause", "", "", http.StatusConflict); !strings.Contains(msg, "paused") {
		t.Errorf("pausing again: %q, want the status named", msg)
	}
	hwkAPI.status("POST", "/api/v1/campaigns/"+camp.ID+"/launch", "", "", http.StatusConflict)
	hwkAPI.status("POST", "/api/v1/campaigns/"+camp.ID+"/remind", "", "", http.StatusConflict)
	var queued map[string]int
	hwkAPI.json("POST", "/api/v1/campaigns/"+camp.ID+"/resume", "", "", http.StatusOK, &queued)
	if n, ok := queued["queued"]; !ok || n != 0 {
		t.Errorf("resume = %v, want nothing waiting", queued)
	}
	hwkAPI.status("POST", "/api/v1/campaigns/"+camp.ID+"/resume", "", "", http.StatusConflict)
	opAPI.status("POST", "/api/v1/campaigns/"+ihkCamp.ID+"/pause", "", "", http.StatusConflict) // a draft

	// A reminder to the three who have not answered (invited before now).
	e.Clock.Set(time.Now().Add(2 * time.Second))
	queued = nil
	hwkAPI.json("POST", "/api/v1/campaigns/"+camp.ID+"/remind", "", "", http.StatusOK, &queued)
	if queued["queued"] != 3 {
		t.Errorf("remind = %v, want 3 queued", queued)
	}
	testrig.WaitFor(t, "three reminders sent", 20*time.Second, func() bool {
		hwkAPI.json("GET", "/api/v1/campaigns/"+camp.ID, "", "", http.StatusOK, &st)
		return st.Total.Reminders == 3
	})
	if got := e.Senders["email"].To("alt@example.org"); len(got) != 2 || !got[1].Reminder {
		t.Errorf("e-mails to alt@: %+v, want the invitation and a reminder", got)
	}
	queued = nil
	hwkAPI.json("POST", "/api/v1/campaigns/"+camp.ID+"/remind", "", "", http.StatusOK, &queued)
	if queued["queued"] != 0 {
		t.Errorf("second reminder the same day = %v, want none", queued)
	}
}

// TestAdminCampaignAPINotServed checks that without a campaign runner the
// routes do not exist.
func TestAdminCampaignAPINotServed(t *testing.T) {
	db := storetest.SQLite(t)
	key, err := db.CreateOperatorKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	admin.New(admin.Config{DB: db, Questionnaire: dialogstest.Core(t), Log: testrig.Discard()}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/campaigns", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /api/v1/campaigns without campaigns: %d, want 404", resp.StatusCode)
	}
}
