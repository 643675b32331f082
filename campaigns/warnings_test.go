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
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestCampaignWarnsOfChannelsNotConfigured creates and launches, through
// the API, a campaign on Slack and e-mail where only e-mail is configured:
// both answers name Slack and the one member (Slack only) it leaves out.
func TestCampaignWarnsOfChannelsNotConfigured(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			e := campaignstest.NewEnv(t, db, threeMembers)
			c, err := campaigns.New(context.Background(), e.DB, dialogstest.Core(t), campaigns.Config{
				KeySecret: []byte("0123456789abcdef0123456789abcdef"), Now: e.Clock.Now, Channels: []survey.Channel{survey.Email},
			}, testrig.Discard())
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			c.RegisterAPI(mux, func(h func(http.ResponseWriter, *http.Request, survey.Principal)) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r, survey.Principal{}) })
			})
			post := func(path, body string, want int, out any) {
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
