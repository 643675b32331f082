package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

func newWave(t *testing.T, db *store.DB, name string, start time.Time) survey.Wave {
	t.Helper()
	w, err := db.CreateWave(testCtx(t), survey.Wave{Name: name, StartsAt: start, EndsAt: start.AddDate(0, 3, 0), Questionnaire: coreRef(t)})
	if err != nil {
		t.Fatalf("CreateWave %s: %v", name, err)
	}
	return w
}

func TestWaves(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		if _, err := db.CurrentWave(ctx, time.Now()); !errors.Is(err, survey.ErrNoWave) {
			t.Fatalf("CurrentWave without waves: %v, want ErrNoWave", err)
		}
		// A first response makes wave "1", open since long before any clock.
		first := newResponse(t, db, survey.Identity{Channel: "telegram", External: "w1"}, nil)
		w1, err := db.CurrentWave(ctx, time.Now())
		if err != nil || w1.Name != "1" || first.WaveID != w1.ID {
			t.Fatalf("after the first response: wave %+v, %v; the response is in %q", w1, err, first.WaveID)
		}
		now := time.Now().UTC().Truncate(time.Second)
		w2 := newWave(t, db, "2027-1", now.Add(-time.Minute))
		w3 := newWave(t, db, "2027-2", now.AddDate(0, 6, 0))
		if _, err := db.CreateWave(ctx, survey.Wave{Name: "2027-1", StartsAt: now, EndsAt: now.AddDate(0, 1, 0), Questionnaire: coreRef(t)}); !errors.Is(err, survey.ErrWaveExists) {
			t.Errorf("a second wave 2027-1: %v, want ErrWaveExists", err)
		}
		if cur, err := db.CurrentWave(ctx, now); err != nil || cur.ID != w2.ID {
			t.Errorf("CurrentWave = %s, %v; want 2027-1, the one that started last", cur.Name, err)
		}
		if next, err := db.NextWave(ctx, now); err != nil || next.ID != w3.ID || !next.StartsAt.Equal(now.AddDate(0, 6, 0)) {
			t.Errorf("NextWave = %+v, %v; want 2027-2 starting %s", next, err, now.AddDate(0, 6, 0))
		}
		if cur, err := db.CurrentWave(ctx, now.AddDate(0, 7, 0)); err != nil || cur.ID != w3.ID {
			t.Errorf("CurrentWave half a year on = %s, %v; want 2027-2", cur.Name, err)
		}
		if got, err := db.Wave(ctx, "2027-2"); err != nil || got.ID != w3.ID {
			t.Errorf("Wave by name = %+v, %v", got, err)
		}
		waves, err := db.Waves(ctx)
		if err != nil || len(waves) != 3 || waves[0].Name != "1" || waves[2].Name != "2027-2" {
			t.Errorf("Waves = %+v, %v; want 1, 2027-1, 2027-2", waves, err)
		}
	})
}

// TestOneResponsePerWave: a respondent has one response per wave, however
// many instances try at once, and one in each wave.
func TestOneResponsePerWave(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "telegram", External: "per-wave"})
		if err != nil {
			t.Fatal(err)
		}
		w1 := newWave(t, db, "a", time.Now().Add(-2*time.Hour))
		w2 := newWave(t, db, "b", time.Now().Add(-time.Hour))
		var wg sync.WaitGroup
		var mu sync.Mutex
		made, refused := 0, 0
		for range 8 {
			wg.Go(func() {
				_, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: coreRef(t), Lang: dialogs.German, Channel: "telegram", WaveID: w2.ID})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					made++
				case errors.Is(err, survey.ErrWaveResponse):
					refused++
				default:
					t.Errorf("CreateResponse: %v", err)
				}
			})
		}
		wg.Wait()
		if made != 1 || refused != 7 {
			t.Errorf("8 concurrent creations in one wave: %d made, %d refused; want 1 and 7", made, refused)
		}
		old, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: coreRef(t), Lang: dialogs.German, Channel: "email", WaveID: w1.ID})
		if err != nil {
			t.Fatalf("a response in the other wave: %v", err)
		}
		got, err := db.ResponseInWave(ctx, rid, w1.ID)
		if err != nil || got.ID != old.ID || got.WaveID != w1.ID {
			t.Errorf("ResponseInWave(a) = %+v, %v; want %s", got, err, old.ID)
		}
		if got, err := db.WaveResponse(ctx, survey.Identity{Channel: "telegram", External: "per-wave"}, w2.ID); err != nil || got.WaveID != w2.ID {
			t.Errorf("WaveResponse(b) = %+v, %v", got, err)
		}
	})
}

// TestPreviousWave: the scores and answers of the latest completed
// response in an earlier wave, not a later or unfinished one.
func TestPreviousWave(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		who := survey.Identity{Channel: "telegram", External: "previous"}
		rid, err := db.EnsureRespondent(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now().Add(-72 * time.Hour)
		var waves []survey.Wave
		for i, name := range []string{"p1", "p2", "p3", "p4"} {
			waves = append(waves, newWave(t, db, name, start.Add(time.Duration(i)*time.Hour)))
		}
		complete := func(w survey.Wave, maturity float64, sector string) {
			r, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: coreRef(t), Lang: dialogs.German, Channel: "telegram", WaveID: w.ID})
			if err != nil {
				t.Fatal(err)
			}
			apply(t, db, survey.Step{ResponseID: r.ID, Seq: 0, Phase: dialogs.PhaseDone,
				Changes: []dialogs.Change{{Item: "sector", Answer: dialogs.Answer{Value: sector}}},
				Scores:  &dialogs.Scores{Fields: map[string]float64{"maturity": maturity}, Composite: ptr(maturity)}})
		}
		complete(waves[0], 40, "handel")
		complete(waves[1], 55, "handwerk")
		// p3: started, never completed.
		if _, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: coreRef(t), Lang: dialogs.German, Channel: "telegram", WaveID: waves[2].ID}); err != nil {
			t.Fatal(err)
		}
		complete(waves[3], 70, "industrie")

		if _, err := db.PreviousScores(ctx, rid, waves[0].ID); !errors.Is(err, survey.ErrNotFound) {
			t.Errorf("PreviousScores before the first wave: %v, want ErrNotFound", err)
		}
		past, err := db.PreviousScores(ctx, rid, waves[3].ID)
		if err != nil || past.Wave != "p2" || past.Fields["maturity"] != 55 || past.Composite == nil || *past.Composite != 55 {
			t.Errorf("PreviousScores(p4) = %+v, %v; want p2's 55 (p3 is unfinished)", past, err)
		}
		ans, err := db.PreviousAnswers(ctx, rid, waves[1].ID)
		if err != nil || ans["sector"].Value != "handel" {
			t.Errorf("PreviousAnswers(p2) = %v, %v; want p1's sector handel", ans, err)
		}
	})
}

// TestPeersCountFirmsOnce: a firm that completed two waves stands behind
// the peer figures once, with its latest scores.
func TestPeersCountFirmsOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		ref := dialogs.Ref{ID: "peers-waves-" + fmt.Sprint(db.Dialect()), Version: 1}
		if err := db.RegisterQuestionnaire(ctx, ref, []byte(ref.ID)); err != nil {
			t.Fatal(err)
		}
		w1 := newWave(t, db, "pw1", time.Now().Add(-2*time.Hour))
		w2 := newWave(t, db, "pw2", time.Now().Add(-time.Hour))
		done := func(rid string, w survey.Wave, maturity float64) {
			r, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: ref, Lang: dialogs.German, Channel: "test", WaveID: w.ID})
			if err != nil {
				t.Fatal(err)
			}
			apply(t, db, survey.Step{ResponseID: r.ID, Seq: 0, Phase: dialogs.PhaseDone,
				Dims:   map[survey.Dimension]string{survey.BySector: "handel", survey.BySize: "s1_9"},
				Scores: &dialogs.Scores{Fields: map[string]float64{"maturity": maturity}, Composite: ptr(maturity)}})
			time.Sleep(2 * time.Millisecond) // distinct completion times
		}
		for i := range 6 {
			rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: fmt.Sprintf("pw-%v-%d", db.Dialect(), i)})
			if err != nil {
				t.Fatal(err)
			}
			done(rid, w1, 10)
			if i < 3 {
				done(rid, w2, 40) // three firms answered again, better
			}
		}
		cells, err := db.PublishPeers(ctx, ref, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cells {
			if c.Field == "maturity" && c.Sector == "handel" && c.Size == "s1_9" {
				if c.N != 6 || c.Sum != 3*10+3*40 {
					t.Errorf("peer cell n=%d total=%v, want the 6 firms once each, with their latest scores (150)", c.N, c.Sum)
				}
				return
			}
		}
		t.Errorf("no peer cell for handel/s1_9 among %+v", cells)
	})
}

// TestResponsesFromBeforeWaves: responses and campaigns stored before
// waves existed are put into a first wave made from their dates when the
// store migrates, none lost or renumbered, and migrating again changes
// nothing.
func TestResponsesFromBeforeWaves(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		var ids []string
		for i := range 3 {
			r := newResponse(t, db, survey.Identity{Channel: "telegram", External: fmt.Sprintf("old-%d", i)}, nil)
			ids = append(ids, r.ID)
			time.Sleep(2 * time.Millisecond)
		}
		// As they were before migration 15: no waves, no wave ids.
		for _, q := range []string{`UPDATE responses SET wave_id = NULL`, `UPDATE campaigns SET wave_id = NULL`, `DELETE FROM waves`} {
			if _, err := db.SQLDB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
		}
		waves, err := db.Waves(ctx)
		if err != nil || len(waves) != 1 {
			t.Fatalf("waves after migrating: %+v, %v; want one", waves, err)
		}
		first, err := db.Response(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		w := waves[0]
		if w.Name != fmt.Sprintf("%d-1", first.StartedAt.Year()) || !w.StartsAt.Equal(first.StartedAt) || w.Questionnaire != coreRef(t) {
			t.Errorf("first wave %+v, want it named after and starting with the first response (%s)", w, first.StartedAt)
		}
		for _, id := range ids {
			r, err := db.Response(ctx, id)
			if err != nil || r.WaveID != w.ID {
				t.Errorf("response %s: wave %q, %v; want %s", id, r.WaveID, err, w.ID)
			}
		}
	})
}

// TestImportIntoTheCurrentWave: answers imported from elsewhere count in
// the wave current when they are imported.
func TestImportIntoTheCurrentWave(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		newWave(t, db, "im1", time.Now().Add(-2*time.Hour))
		cur := newWave(t, db, "im2", time.Now().Add(-time.Hour))
		var id string
		err := db.ImportResponses(ctx, func(add func(store.ImportedResponse) (string, error)) error {
			var err error
			id, err = add(store.ImportedResponse{Questionnaire: coreRef(t), Lang: dialogs.German,
				Scores: dialogs.Scores{Fields: map[string]float64{"maturity": 50}, Composite: ptr(50.0)}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if r, err := db.Response(ctx, id); err != nil || r.WaveID != cur.ID {
			t.Errorf("imported response in wave %q (%v), want the current im2", r.WaveID, err)
		}
	})
}
