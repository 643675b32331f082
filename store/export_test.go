package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestEachCompletedPages streams more responses than one page holds, each
// with its own answers and scores, only the chamber's when asked.
func TestEachCompletedPages(t *testing.T) {
	ctx := context.Background()
	q, _ := dialogs.LoadCore()
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			const n = 1234
			err := db.ImportResponses(ctx, func(add func(store.ImportedResponse) (string, error)) error {
				for i := range n {
					chamber := "hwk_h"
					if i%3 == 0 {
						chamber = "ihk_h"
					}
					c := float64(i % 101)
					_, err := add(store.ImportedResponse{
						Questionnaire: q.Ref(), Lang: dialogs.German, Week: "2026-W10",
						Answers: map[string]dialogs.Answer{"chamber": {Value: chamber}, "postcode": {Value: fmt.Sprintf("%05d", 10000+i)}},
						Scores:  dialogs.Scores{Fields: map[string]float64{"maturity": c}, Composite: &c},
						Dims:    map[survey.Dimension]string{survey.ByChamber: chamber},
					})
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			last := ""
			err = db.EachCompleted(ctx, store.CompletedFilter{Questionnaire: q.Ref(), Chamber: "ihk_h"}, func(r store.CompletedResponse) error {
				if r.ID <= last {
					t.Errorf("order: %s after %s", r.ID, last)
				}
				last = r.ID
				pc := r.Answers["postcode"].Value
				if seen[pc] || r.Answers["chamber"].Value != "ihk_h" || r.Week != "2026-W10" || r.Composite == nil || r.Scores["maturity"] != *r.Composite {
					t.Errorf("response %+v", r)
				}
				seen[pc] = true
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != (n+2)/3 {
				t.Errorf("%d responses of ihk_h, want %d", len(seen), (n+2)/3)
			}
		})
	}
}
