package storetest

import (
	"context"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// PrefilledResponse starts a response for a respondent the way a later
// survey wave would: fixed answers as an invitation fixes them, and prev
// (what the firm answered in the wave before) proposed by dialogs.Prefill,
// so that the respondent is asked to confirm them after consent.
func PrefilledResponse(t testing.TB, db *store.DB, q *dialogs.Questionnaire, respondentID string, channel survey.Channel, fixed, prev map[string]string) survey.Response {
	t.Helper()
	st, _, err := dialogs.Start(q, dialogs.German, fixed)
	if err != nil {
		t.Fatal(err)
	}
	st = dialogs.Prefill(q, st, prev)
	nr := survey.NewResponse{
		RespondentID: respondentID, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: channel,
		Fixed: map[string]dialogs.Answer{}, Prefill: map[string]dialogs.Answer{},
	}
	for id, a := range st.Answers {
		if a.Fixed {
			nr.Fixed[id] = a
		} else {
			nr.Prefill[id] = a
		}
	}
	r, err := db.CreateResponse(context.Background(), nr)
	if err != nil {
		t.Fatalf("create prefilled response: %v", err)
	}
	return r
}
