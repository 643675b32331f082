package campaigns_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/campaigns"
	"github.com/surveybot/surveybot/campaigns/campaignstest"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// apiOn serves the member and campaign routes of a campaign service on db
// (three members of hwk_h, see threeMembers) that queues but sends
// nothing, as the operator; post sends a request and decodes its answer.
func apiOn(t *testing.T, db *store.DB, cfg campaigns.Config) (*campaignstest.Env, func(path, body string, want int, out any)) {
	t.Helper()
	e := campaignstest.NewEnv(t, db, threeMembers)
	cfg.KeySecret, cfg.Now = []byte("0123456789abcdef0123456789abcdef"), e.Clock.Now
	c, err := campaigns.New(context.Background(), e.DB, dialogstest.Core(t), cfg, testrig.Discard())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	c.RegisterAPI(mux, func(h func(http.ResponseWriter, *http.Request, survey.Principal)) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r, survey.Principal{}) })
	})
	return e, func(path, body string, want int, out any) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Fatalf("POST %s: %d %s, want %d", path, rec.Code, rec.Body, want)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCampaignWarnsOfChannelsNotConfigured creates and launches, through
// the API, a campaign on Slack and e-mail where only e-mail is configured:
// both answers name Slack and the one member (Slack only) it leaves out.
func TestCampaignWarnsOfChannelsNotConfigured(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			e, post := apiOn(t, db, campaigns.Config{Channels: []survey.Channel{survey.Email}})
			type answer struct {
				ID          string              `json:"id"`
				Unreachable int                 `json:"unreachable"`
				Warnings    []campaigns.Warning `json:"warnings"`
			}
			check := func(what string, a answer) {
				t.Helper()
				if len(a.Warnings) != 1 || a.Warnings[0].Channel != survey.Slack || a.Warnings[0].Members != 1 ||
					!strings.Contains(a.Warnings[0].Message, "slack is not configured") {
					t.Errorf("%s: warnings %+v, want slack leaving out 1 member", what, a.Warnings)
				}
			}
			end := e.Clock.Now().AddDate(0, 1, 0).Format(time.DateOnly)
			var created answer
			post("/api/v1/campaigns", `{"chamber":"hwk_h","name":"Herbst","channels":["slack","email"],"end":"`+end+`"}`, http.StatusCreated, &created)
			check("create", created)
			var launched answer
			post("/api/v1/campaigns/"+created.ID+"/launch", "", http.StatusOK, &launched)
			check("launch", launched)
			if launched.Unreachable != 1 {
				t.Errorf("launch: %d unreachable, want 1", launched.Unreachable)
			}

			var onlyEmail answer
			post("/api/v1/campaigns", `{"chamber":"hwk_h","name":"Mail","channels":["email"],"end":"`+end+`"}`, http.StatusCreated, &onlyEmail)
			if onlyEmail.Warnings == nil || len(onlyEmail.Warnings) != 0 {
				t.Errorf("configured channels only: warnings %+v, want []", onlyEmail.Warnings)
			}
		})
	}
}

// TestRemindRefusedRightAfterInvitations reminds through the API right
// after the launch: refused, saying from when reminding is possible,
// unless ?force=true; after the gap it goes.
func TestRemindRefusedRightAfterInvitations(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			e, post := apiOn(t, db, campaigns.Config{Channels: survey.InviteChannels(), RemindMinGap: 72 * time.Hour})
			e.Clock.Set(campaignstest.Berlin(t, "2026-11-24 10:00"))
			var camp struct {
				ID string `json:"id"`
			}
			post("/api/v1/campaigns", `{"chamber":"hwk_h","name":"Herbst","end":"2026-12-31"}`, http.StatusCreated, &camp)
			var launched struct {
				Invited int `json:"invited"`
			}
			post("/api/v1/campaigns/"+camp.ID+"/launch", "", http.StatusOK, &launched)
			e.Clock.Set(campaignstest.Berlin(t, "2026-11-25 09:00"))
			var refused struct {
				Error string `json:"error"`
			}
			post("/api/v1/campaigns/"+camp.ID+"/remind", "", http.StatusConflict, &refused)
			if !strings.Contains(refused.Error, "reminding is possible from 2026-11-27 10:00 CET") || !strings.Contains(refused.Error, "?force=true") {
				t.Errorf("refusal %q, want when reminding is possible and ?force=true", refused.Error)
			}
			var queued struct {
				Queued *int `json:"queued"`
			}
			post("/api/v1/campaigns/"+camp.ID+"/remind?force=true", "", http.StatusOK, &queued)
			if queued.Queued == nil {
				t.Error("forced remind: no count of reminders queued")
			}
			e.Clock.Set(campaignstest.Berlin(t, "2026-11-27 10:00"))
			post("/api/v1/campaigns/"+camp.ID+"/remind", "", http.StatusOK, &queued)
		})
	}
}
