package exports_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/exports"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// completeIn stores a completed response of respondent rid in a wave.
func completeIn(t *testing.T, db *store.DB, q *dialogs.Questionnaire, rid string, w survey.Wave, st dialogs.State) {
	t.Helper()
	ctx := context.Background()
	resp, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: "test", WaveID: w.ID})
	if err != nil {
		t.Fatal(err)
	}
	sc := dialogs.Score(q, st.Answers)
	if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: resp.ID, Channel: "test", Lang: dialogs.German, Phase: dialogs.PhaseDone,
		Changes: dialogs.Changes(q, dialogs.State{}, st), Scores: &sc, Dims: indicators.DimsOf(q, st.Answers)}); err != nil {
		t.Fatal(err)
	}
}

// panelData stores firm a (hwk_h) in both waves, b (hwk_h) in the second
// and c (ihk_h) in the first, and returns a's respondent.
func panelData(t *testing.T, db *store.DB, q *dialogs.Questionnaire) (string, []string) {
	t.Helper()
	ctx := context.Background()
	start := time.Now().Add(-48 * time.Hour)
	var ws []survey.Wave
	for i, name := range []string{"2027-1", "2027-2"} {
		w, err := db.CreateWave(ctx, survey.Wave{Name: name, StartsAt: start.Add(time.Duration(i) * time.Hour), EndsAt: start.AddDate(0, 3, 0), Questionnaire: q.Ref()})
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	var a string
	for i, firm := range []struct {
		chamber string
		waves   []int
	}{{"hwk_h", []int{0, 1}}, {"hwk_h", []int{1}}, {"ihk_h", []int{0}}} {
		rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: fmt.Sprint("panel-", respondents.Add(1))})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			a = rid
		}
		ans := answerer{rng: rand.New(rand.NewPCG(uint64(i), 7)), chamber: firm.chamber, text: "ok"}
		for _, w := range firm.waves {
			completeIn(t, db, q, rid, ws[w], ans.answer(t, q))
		}
	}
	return a, []string{"2027-1", "2027-2"}
}

func panelCSV(t *testing.T, db *store.DB, q *dialogs.Questionnaire, chamber string, waves []string) (long, wide [][]string) {
	t.Helper()
	next := func(fn func(store.PanelResponse) error) error {
		return db.EachPanel(context.Background(), store.PanelFilter{Questionnaire: q.ID, Chamber: chamber}, fn)
	}
	var l, w bytes.Buffer
	if err := exports.WritePanelLong(&l, q, next); err != nil {
		t.Fatal(err)
	}
	if err := exports.WritePanelWide(&w, q, waves, next); err != nil {
		t.Fatal(err)
	}
	return readCSV(t, l.Bytes()), readCSV(t, w.Bytes())
}

// TestPanelExport: the long format has a row per firm and wave under one
// panel id per firm, the wide format a row per firm with a group of
// columns per wave, blank where the firm did not answer; the responses
// export shows the same ids; a chamber sees its own; erasure takes a firm
// out of every wave.
func TestPanelExport(t *testing.T) {
	q := core(t)
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			aRID, waves := panelData(t, db, q)
			long, wide := panelCSV(t, db, q, "", waves)

			per := []string{exports.ColCompletedAt, exports.ColComposite, exports.ColTechCount}
			for _, f := range q.Fields {
				per = append(per, f.ID)
			}
			per = append(per, "chamber", "sector", "size", "region")
			if want := append([]string{"panel_id", "wave"}, per...); !slices.Equal(long[0], want) {
				t.Errorf("long header %v, want %v", long[0], want)
			}
			wantWide := []string{"panel_id"}
			for _, w := range waves {
				for _, c := range per {
					wantWide = append(wantWide, w+"_"+c)
				}
			}
			if !slices.Equal(wide[0], wantWide) {
				t.Errorf("wide header %v, want %v", wide[0], wantWide)
			}
			if !slices.Contains(wide[0], "2027-1_composite") || !slices.Contains(wide[0], "2027-2_maturity") {
				t.Errorf("wide header lacks 2027-1_composite or 2027-2_maturity: %v", wide[0])
			}

			if len(long) != 5 {
				t.Fatalf("long: %d rows, want 4 (a twice, b, c)", len(long)-1)
			}
			waveOf := map[string][]string{}
			for _, r := range long[1:] {
				waveOf[r[0]] = append(waveOf[r[0]], r[1])
				if r[2] == "" || r[3] == "" {
					t.Errorf("long row without completed_at or composite: %v", r)
				}
			}
			if len(waveOf) != 3 {
				t.Fatalf("%d panel ids for 3 firms: %v", len(waveOf), waveOf)
			}
			var a, b, c string
			for id, ws := range waveOf {
				switch {
				case slices.Equal(ws, waves):
					a = id
				case slices.Equal(ws, waves[1:]):
					b = id
				case slices.Equal(ws, waves[:1]):
					c = id
				}
			}
			if a == "" || b == "" || c == "" || a == aRID {
				t.Fatalf("firms by waves %v", waveOf)
			}

			if len(wide) != 4 {
				t.Fatalf("wide: %d rows, want 3 firms", len(wide)-1)
			}
			comp1, comp2 := column(t, wide[0], "2027-1_composite"), column(t, wide[0], "2027-2_composite")
			done1 := column(t, wide[0], "2027-1_completed_at")
			for _, r := range wide[1:] {
				first, second := r[comp1] != "", r[comp2] != ""
				if want := map[string][2]bool{a: {true, true}, b: {false, true}, c: {true, false}}[r[0]]; [2]bool{first, second} != want {
					t.Errorf("firm %s: composites %q/%q, want answered %v", r[0], r[comp1], r[comp2], want)
				}
				if r[0] == b {
					for i := 1; i <= len(per); i++ {
						if r[i] != "" {
							t.Errorf("b did not answer 2027-1, yet %s = %q", wide[0][i], r[i])
						}
					}
				}
				if r[0] == a && r[done1] == "" {
					t.Errorf("a's 2027-1 has no completed_at")
				}
			}

			// The responses export shows the same ids and the waves.
			var buf bytes.Buffer
			if err := exports.WriteCSV(&buf, q, source(db, store.CompletedFilter{Questionnaire: q.Ref()})); err != nil {
				t.Fatal(err)
			}
			recs := readCSV(t, buf.Bytes())
			pid, wv := column(t, recs[0], exports.ColPanelID), column(t, recs[0], exports.ColWave)
			got := map[string][]string{}
			for _, r := range recs[1:] {
				got[r[pid]] = append(got[r[pid]], r[wv])
			}
			for id, ws := range waveOf {
				if slices.Sort(got[id]); !slices.Equal(got[id], ws) {
					t.Errorf("responses export: panel id %s in waves %v, the panel says %v", id, got[id], ws)
				}
			}

			// A chamber's panel: its members only.
			long, wide = panelCSV(t, db, q, "hwk_h", waves)
			ch := column(t, long[0], "chamber")
			for _, r := range long[1:] {
				if r[0] == c || r[ch] != "hwk_h" {
					t.Errorf("hwk_h's panel has a row of %s/%s", r[0], r[ch])
				}
			}
			if len(long) != 4 || len(wide) != 3 {
				t.Errorf("hwk_h: %d long and %d wide rows, want 3 and 2", len(long)-1, len(wide)-1)
			}

			// Erasure takes a out of both waves.
			if _, err := db.EraseRespondent(context.Background(), aRID); err != nil {
				t.Fatal(err)
			}
			long, wide = panelCSV(t, db, q, "", waves)
			for _, r := range slices.Concat(long[1:], wide[1:]) {
				if r[0] == a {
					t.Errorf("erased firm in the panel: %v", r)
				}
			}
			if len(long) != 3 || len(wide) != 3 {
				t.Errorf("after erasure %d long and %d wide rows, want 2 and 2", len(long)-1, len(wide)-1)
			}
		})
	}
}
