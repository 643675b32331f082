package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
	"pgregory.net/rapid"
)

// TestPeerViewsCannotBeDifferenced replays random sequences of completions
// and publications, and plays every respondent shown a comparison at any
// moment: no two views of the same peer group and field ever differ by 1
// to 5 responses (a respondent who finished in between knows their own).
// Each run has a questionnaire of its own, so runs share one database.
func TestPeerViewsCannotBeDifferenced(t *testing.T) {
	ctx := context.Background()
	var runs atomic.Int64
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				ref := dialogs.Ref{ID: fmt.Sprintf("peers-%d", runs.Add(1)), Version: 1}
				if err := db.RegisterQuestionnaire(ctx, ref, []byte(ref.ID)); err != nil {
					t.Fatal(err)
				}
				sectors := []string{"handwerk", "handel"}
				sizes := []string{"s1_9", "s10_49", ""}
				type key struct {
					level        survey.PeerLevel
					sector, size string
					field        string
				}
				seen := map[key][]int{}
				view := func() {
					cells, err := db.PublishPeers(ctx, ref, indicators.PeerStep)
					if err != nil {
						t.Fatal(err)
					}
					for _, sec := range sectors {
						for _, size := range sizes {
							level, shown, ok := indicators.Peers(cells, sec, size)
							if !ok {
								continue
							}
							for field, c := range shown {
								k := key{level: level, field: field}
								if level <= survey.PeersSector {
									k.sector = sec
								}
								if level == survey.PeersSectorSize {
									k.size = size
								}
								for _, n := range seen[k] {
									if d := c.N - n; d != 0 && d > -indicators.PeerStep && d < indicators.PeerStep {
										rt.Fatalf("%+v shown with n=%d and n=%d: the difference describes %d responses", k, n, c.N, max(d, -d))
									}
								}
								seen[k] = append(seen[k], c.N)
							}
						}
					}
				}
				steps := rapid.IntRange(1, 30).Draw(rt, "steps")
				for i := range steps {
					sec := rapid.SampledFrom(sectors).Draw(rt, fmt.Sprintf("sector%d", i))
					size := rapid.SampledFrom(sizes).Draw(rt, fmt.Sprintf("size%d", i))
					fields := map[string]float64{"maturity": float64(rapid.IntRange(0, 100).Draw(rt, fmt.Sprintf("maturity%d", i)))}
					if rapid.Bool().Draw(rt, fmt.Sprintf("skills%d", i)) {
						fields["skills"] = 50
					}
					completePeer(t, db, ref, fmt.Sprintf("%s-%d", ref.ID, i), sec, size, fields)
					if rapid.IntRange(0, 2).Draw(rt, fmt.Sprintf("view%d", i)) > 0 {
						view()
					}
				}
				view()
			})
		})
	}
}

// completePeer stores a completed response counted under a sector and a
// size band.
func completePeer(t *testing.T, db *store.DB, q dialogs.Ref, who, sector, size string, fields map[string]float64) {
	t.Helper()
	ctx := context.Background()
	rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: who})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q, Lang: dialogs.German, Channel: "test"})
	if err != nil {
		t.Fatal(err)
	}
	dims := map[survey.Dimension]string{survey.BySector: sector}
	if size != "" {
		dims[survey.BySize] = size
	}
	composite := fields["maturity"]
	if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: resp.ID, Channel: "test", Lang: dialogs.German,
		Phase: dialogs.PhaseDone, Scores: &dialogs.Scores{Fields: fields, Composite: &composite}, Dims: dims}); err != nil {
		t.Fatal(err)
	}
}
