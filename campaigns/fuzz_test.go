package campaigns_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/surveybot/surveybot/campaigns"
	"github.com/surveybot/surveybot/campaigns/campaignstest"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// campaignSeeds are campaign bodies as chambers send them, and some they
// should not.
var campaignSeeds = []string{
	`{"chamber":"hwk_h","name":"Herbst","end":"2026-12-31"}`,
	`{"chamber":"hwk_h","name":"Herbst","channels":["slack","email"],"start":"2026-12-01","end":"2027-01-31","reminders":[14,7,7],"quiet_hours":"21:30-07:00","quiet_sunday":false,"timezone":"Europe/Berlin","lang":"en"}`,
	`{"chamber":"hwk_h","name":"Offen","end":"2026-12-31T23:00:00+01:00","personal":false,"open_link":true,"quiet_hours":"none"}`,
	`{"chamber":"hwk_h","name":"  ","end":"2026-12-31"}`,
	`{"chamber":"hwk_h","name":"x","end":"2026-11-01"}`,
	`{"chamber":"hwk_h","name":"x","end":"9999-12-31","open_link":true,"timezone":"Local"}`,
	`{"chamber":"hwk_h","name":"x","end":"2026-12-31","channels":["fax"],"reminders":[0,366]}`,
	`{"chamber":"hwk_h","name":"x","end":"2026-12-31","timezone":"../../etc/passwd","quiet_hours":"25:00-08:00"}`,
	`{"chamber":"hwk_h","name":"x\u0000y","end":"2026-12-31","lang":"fr","questionnaire":"core@0"}`,
	`{"chamber":"hwk_h","name":"x","start":"0000-01-01","end":"2026-12-31"}`,
	`{"chamber":"hwk_h","name":"x","start":"0000-01-01T00:00:00+01:00","end":"9999-12-31T23:59:59Z"}`,
	`{"chamber":"nosuch","name":"x","end":"2026-12-31"}`,
	`{"name":"x","end":"2026-12-31","colour":"red"}`,
	`{"name":"x"} {"name":"y"}`,
	`[]`,
}

// campaignEnv is chamber hwk_h and a campaign service on SQLite; it does
// not run, so nothing is sent.
func campaignEnv(f *testing.F) (*campaignstest.Env, *campaigns.Service) {
	e := campaignstest.NewEnv(f, storetest.SQLite(f), threeMembers)
	c, err := campaigns.New(context.Background(), e.DB, dialogstest.Core(f), campaigns.Config{
		KeySecret: []byte("0123456789abcdef0123456789abcdef"), Now: e.Clock.Now,
	}, testrig.Discard())
	if err != nil {
		f.Fatal(err)
	}
	return e, c
}

// checkCampaign fails t if a stored campaign breaks a rule of Create:
// whatever the spec, a campaign the runner gets can be run.
func checkCampaign(t *testing.T, now time.Time, c survey.Campaign) {
	t.Helper()
	if c.ID == "" || c.Status != survey.CampaignDraft {
		t.Fatalf("created campaign without id or not a draft: %+v", c)
	}
	if c.Name == "" || c.Name != strings.TrimSpace(c.Name) || utf8.RuneCountInString(c.Name) > 200 {
		t.Fatalf("name %q accepted", c.Name)
	}
	if !c.EndsAt.After(c.StartsAt) || !c.EndsAt.After(now) {
		t.Fatalf("campaign from %s to %s accepted at %s", c.StartsAt, c.EndsAt, now)
	}
	if len(c.Channels) == 0 || len(slices.Compact(slices.Sorted(slices.Values(c.Channels)))) != len(c.Channels) {
		t.Fatalf("channels %q accepted", c.Channels)
	}
	for _, ch := range c.Channels {
		if !slices.Contains(survey.InviteChannels(), ch) {
			t.Fatalf("channel %q accepted", ch)
		}
	}
	if !slices.IsSorted(c.Reminders) || len(slices.Compact(slices.Clone(c.Reminders))) != len(c.Reminders) {
		t.Fatalf("reminders %v not sorted and unique", c.Reminders)
	}
	for _, d := range c.Reminders {
		if d < 1 || d > 365 {
			t.Fatalf("reminder after %d days accepted", d)
		}
	}
	for _, hm := range []string{c.QuietFrom, c.QuietUntil} {
		if _, err := time.Parse("15:04", hm); err != nil {
			t.Fatalf("quiet hours %q-%q accepted", c.QuietFrom, c.QuietUntil)
		}
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		t.Fatalf("time zone %q accepted", c.Timezone)
	}
	if !c.Personal && c.OpenLink == "" {
		t.Fatal("a campaign with neither personal invitations nor an open link accepted")
	}
}

// FuzzCampaignSpec decodes arbitrary JSON as a Spec and creates it, as
// the operator: it is stored as a campaign that keeps every rule, or it
// is refused as invalid or for want of a chamber.
func FuzzCampaignSpec(f *testing.F) {
	for _, s := range campaignSeeds {
		f.Add(s)
	}
	e, c := campaignEnv(f)
	f.Fuzz(func(t *testing.T, data string) {
		var spec campaigns.Spec
		if json.Unmarshal([]byte(data), &spec) != nil {
			return
		}
		camp, err := c.Create(context.Background(), survey.Principal{}, spec)
		switch {
		case errors.Is(err, campaigns.ErrInvalidCampaign), errors.Is(err, campaigns.ErrNoChamber):
		case err != nil:
			t.Fatalf("Create(%+v): %v", spec, err)
		default:
			checkCampaign(t, e.Clock.Now(), camp)
		}
	})
}

// FuzzCreateCampaignAPI posts arbitrary bodies to POST /api/v1/campaigns,
// as the operator or as the chamber's own key. No body may make a server
// error, and what the route creates keeps the rules.
func FuzzCreateCampaignAPI(f *testing.F) {
	for _, s := range campaignSeeds {
		f.Add(s, true)
		f.Add(s, false)
	}
	e, c := campaignEnv(f)
	mux := http.NewServeMux()
	// The API key check is admin's; these requests come with a key already
	// accepted, for the operator or for hwk_h.
	c.RegisterAPI(mux, func(h func(http.ResponseWriter, *http.Request, survey.Principal)) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := survey.Principal{}
			if r.Header.Get("X-Chamber") != "" {
				p.Chamber = &e.Chamber
			}
			h(w, r, p)
		})
	})
	f.Fuzz(func(t *testing.T, body string, operator bool) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/campaigns", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if !operator {
			req.Header.Set("X-Chamber", "hwk_h")
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("answered %d (%q) for %q", rec.Code, rec.Body.String(), body)
		}
		if rec.Code != http.StatusCreated {
			return
		}
		var camp survey.Campaign
		if err := json.Unmarshal(rec.Body.Bytes(), &camp); err != nil {
			t.Fatalf("201 with a body that is no campaign: %v", err)
		}
		if rec.Header().Get("Location") != "/api/v1/campaigns/"+camp.ID {
			t.Fatalf("Location %q for campaign %s", rec.Header().Get("Location"), camp.ID)
		}
		if !operator && camp.ChamberCode != "hwk_h" {
			t.Fatalf("hwk_h's key created a campaign of %q", camp.ChamberCode)
		}
		checkCampaign(t, e.Clock.Now(), camp)
	})
}
