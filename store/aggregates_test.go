package store_test

import (
	"context"
	"math"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// complete stores one completed response with its screening answers and scores.
func complete(t *testing.T, db *store.DB, who string, answers map[string]string, fields map[string]float64, composite float64) string {
	t.Helper()
	ctx := context.Background()
	q, _ := dialogs.LoadCore()
	rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: who})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var changes []dialogs.Change
	for item, v := range answers {
		changes = append(changes, dialogs.Change{Item: item, Answer: dialogs.Answer{Value: v}})
	}
	dims := map[survey.Dimension]string{survey.BySector: answers["sector"]}
	if pc := answers["postcode"]; pc != "" {
		dims[survey.ByRegion] = pc[:2]
	}
	if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: resp.ID, Seq: 0, Channel: "test", Lang: dialogs.German,
		Phase: dialogs.PhaseDone, Changes: changes, Scores: &dialogs.Scores{Fields: fields, Composite: &composite}, Dims: dims}); err != nil {
		t.Fatal(err)
	}
	return rid
}

func TestAggregate(t *testing.T) {
	ctx := context.Background()
	q, _ := dialogs.LoadCore()
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			complete(t, db, "a", map[string]string{"sector": "handwerk", "postcode": "30159"}, map[string]float64{"maturity": 10, "skills": 50}, 30)
			complete(t, db, "b", map[string]string{"sector": "handwerk", "postcode": "30453"}, map[string]float64{"maturity": 90}, 90)
			complete(t, db, "c", map[string]string{"sector": "industrie", "postcode": "26121"}, map[string]float64{"maturity": 45}, 45)
			gone := complete(t, db, "d", map[string]string{"sector": "industrie"}, map[string]float64{"maturity": 65}, 65)
			// Started but not completed: never counts.
			rid, _ := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: "e"})
			if _, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: "test"}); err != nil {
				t.Fatal(err)
			}
			// Erased after completion: counts, but only without its answers.
			if _, err := db.EraseRespondent(ctx, gone); err != nil {
				t.Fatal(err)
			}

			cells, err := db.Aggregate(ctx, q.Ref(), survey.BySector)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]survey.Cell{}
			for _, c := range cells {
				got[c.Field+"/"+c.Group] = c
			}
			want := map[string]survey.Cell{
				"maturity/handwerk":   {N: 2, Sum: 100, B1: 1, B5: 1},
				"maturity/industrie":  {N: 1, Sum: 45, B3: 1},
				"maturity/":           {N: 1, Sum: 65, B4: 1},
				"skills/handwerk":     {N: 1, Sum: 50, B3: 1},
				"composite/handwerk":  {N: 2, Sum: 120, B2: 1, B5: 1},
				"composite/industrie": {N: 1, Sum: 45, B3: 1},
				"composite/":          {N: 1, Sum: 65, B4: 1},
			}
			if len(got) != len(want) {
				t.Errorf("cells %v, want %d of them", got, len(want))
			}
			for k, w := range want {
				g := got[k]
				if g.N != w.N || math.Abs(g.Sum-w.Sum) > 1e-9 || g.Bands() != w.Bands() {
					t.Errorf("%s = n %d sum %v bands %v, want n %d sum %v bands %v", k, g.N, g.Sum, g.Bands(), w.N, w.Sum, w.Bands())
				}
			}
			regions, err := db.Aggregate(ctx, q.Ref(), survey.ByRegion)
			if err != nil {
				t.Fatal(err)
			}
			var r30 survey.Cell
			for _, c := range regions {
				if c.Field == "maturity" && c.Group == "30" {
					r30 = c
				}
			}
			if r30.N != 2 || r30.Mean() != 50 {
				t.Errorf("region 30: %+v, want both Hannover responses with mean 50", r30)
			}
			weeks, err := db.Aggregate(ctx, q.Ref(), survey.ByWeek)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range weeks {
				if c.Group == "" {
					t.Errorf("a completed response has no week: %+v", c)
				}
			}
		})
	}
}
