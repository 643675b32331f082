package store_test

import (
	"maps"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// TestPrefilledAnswers follows a later wave's response through the store:
// the answers carried over are stored as proposals, come back as such (so
// a dialog rebuilt from SQL asks for the confirmation again), turn into
// plain answers when confirmed, and are never counted unconfirmed.
func TestPrefilledAnswers(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		q, err := dialogs.LoadCore()
		if err != nil {
			t.Fatal(err)
		}
		rid, err := db.EnsureRespondent(ctx, ident("telegram", "wave2"))
		if err != nil {
			t.Fatal(err)
		}
		st, _, err := dialogs.Start(q, dialogs.German, map[string]string{"chamber": "hwk_h"})
		if err != nil {
			t.Fatal(err)
		}
		st = dialogs.Prefill(q, st, map[string]string{"org_type": "business", "sector": "handwerk", "size": "s10_49", "chamber": "ihk_h"})
		fixed, prefill := map[string]dialogs.Answer{}, map[string]dialogs.Answer{}
		for id, a := range st.Answers {
			if a.Fixed {
				fixed[id] = a
			} else {
				prefill[id] = a
			}
		}
		// The caller's chamber proposal loses to the fixed one.
		prefill["chamber"] = dialogs.Answer{Value: "ihk_h", Prefilled: true}
		resp, err := db.CreateResponse(ctx, survey.NewResponse{
			RespondentID: rid, Questionnaire: coreRef(t), Lang: dialogs.German, Channel: "telegram", Fixed: fixed, Prefill: prefill,
		})
		if err != nil {
			t.Fatalf("CreateResponse: %v", err)
		}
		want := map[string]dialogs.Answer{
			"chamber":  {Value: "hwk_h", Fixed: true},
			"org_type": {Value: "business", Prefilled: true},
			"sector":   {Value: "handwerk", Prefilled: true},
			"size":     {Value: "s10_49", Prefilled: true},
		}
		if got := answers(t, db, resp.ID); !maps.Equal(got, want) {
			t.Fatalf("stored answers %v, want %v", got, want)
		}
		// A proposal stored by a step (PostgreSQL's one-statement path
		// included) keeps its flag too.
		postcode := dialogs.Answer{Value: "30159", Prefilled: true}
		resp.Seq = apply(t, db, survey.Step{ResponseID: resp.ID, Seq: resp.Seq, Phase: dialogs.PhaseConsent,
			Changes: []dialogs.Change{{Item: "postcode", Answer: postcode}}})
		want["postcode"] = postcode
		stored := answers(t, db, resp.ID)
		if !maps.Equal(stored, want) {
			t.Fatalf("stored answers %v, want %v", stored, want)
		}

		// Consent: the dialog stops at the prefill question, stored as
		// answering; rebuilt from SQL it is there again.
		before := dialogs.Restore(q, dialogs.German, dialogs.PhaseConsent, stored)
		at, _, err := dialogs.Step(q, before, dialogs.Input{Choice: dialogs.CodeYes})
		if err != nil {
			t.Fatal(err)
		}
		seq := apply(t, db, survey.Step{ResponseID: resp.ID, Seq: resp.Seq, Phase: at.Phase, Changes: dialogs.Changes(q, before, at)})
		r := response(t, db, resp.ID)
		rebuilt := dialogs.Restore(q, r.Lang, dialogs.PhaseAsking, answers(t, db, resp.ID))
		if r.Status != survey.StatusConsented || rebuilt.Phase != dialogs.PhaseConfirmPrefill || !rebuilt.Equal(at) {
			t.Fatalf("after consent: status %s, rebuilt %s/%s, want the prefill question", r.Status, rebuilt.Phase, rebuilt.Current)
		}
		recs, err := db.AnswerRecords(ctx, resp.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if rec.Answer != want[rec.Item] {
				t.Errorf("answer record %s: %+v, want %+v", rec.Item, rec.Answer, want[rec.Item])
			}
		}

		// Confirmed, they are plain answers (through ApplyStep's own path
		// on each database).
		next, _, err := dialogs.Step(q, at, dialogs.Input{Choice: dialogs.CodeYes, Item: dialogs.PrefillPrompt})
		if err != nil {
			t.Fatal(err)
		}
		apply(t, db, survey.Step{ResponseID: resp.ID, Seq: seq, Phase: next.Phase, Changes: dialogs.Changes(q, at, next)})
		want = map[string]dialogs.Answer{
			"chamber":  {Value: "hwk_h", Fixed: true},
			"org_type": {Value: "business"},
			"sector":   {Value: "handwerk"},
			"size":     {Value: "s10_49"},
			"postcode": {Value: "30159"},
		}
		if got := answers(t, db, resp.ID); !maps.Equal(got, want) {
			t.Errorf("after confirmation %v, want %v", got, want)
		}
	})
}
