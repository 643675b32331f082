package synthetic_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
	"github.com/surveybot/surveybot/synthetic"
)

// TestGenerateWaves makes three waves of a panel: firms in every wave, new
// in the last, dropping out; one response per firm and wave, completed
// within the wave; the same profile in every wave and maturity rising.
func TestGenerateWaves(t *testing.T) {
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	clock := &synthetic.Clock{}
	db := storetest.SQLite(t, store.WithClock(clock.Now))
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	opts := synthetic.Options{Responses: 300, Waves: 3, Weeks: 12, End: end, Seed: 1}
	if err := synthetic.Generate(ctx, db, clock, q, opts); err != nil {
		t.Fatal(err)
	}
	waves, err := db.Waves(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range waves {
		names = append(names, w.Name)
	}
	if len(names) != 3 || names[0] != "2025-2" || names[1] != "2026-1" || names[2] != "2026-2" {
		t.Fatalf("waves %v, want 2025-2, 2026-1, 2026-2", names)
	}
	if cur, err := db.CurrentWave(ctx, end); err != nil || cur.Name != "2026-2" {
		t.Errorf("current wave at the end: %v %v, want 2026-2", cur.Name, err)
	}

	rows, err := db.SQLDB().QueryContext(ctx, `SELECT r.id, r.respondent_id, w.name, w.starts_at, w.ends_at, r.completed_at, r.composite
		FROM responses r JOIN waves w ON w.id = r.wave_id WHERE r.status = 'completed'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type done struct {
		response  string
		composite float64
	}
	in := map[string]map[string]done{} // wave → respondent → response
	perWave := map[string]int{}
	sum := map[string]float64{}
	for rows.Next() {
		var id, rid, wave string
		var starts, ends, completed time.Time
		var composite sql.NullFloat64
		if err := rows.Scan(&id, &rid, &wave, &starts, &ends, &completed, &composite); err != nil {
			t.Fatal(err)
		}
		if completed.Before(starts) || !completed.Before(ends) || completed.After(end) {
			t.Errorf("response %s completed %s, outside wave %s (%s to %s)", id, completed, wave, starts, ends)
		}
		if in[wave] == nil {
			in[wave] = map[string]done{}
		}
		if _, ok := in[wave][rid]; ok {
			t.Errorf("respondent %s has two responses in wave %s", rid, wave)
		}
		in[wave][rid] = done{id, composite.Float64}
		perWave[wave]++
		sum[wave] += composite.Float64
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, w := range names {
		if perWave[w] != 100 {
			t.Errorf("wave %s has %d completed responses, want 100", w, perWave[w])
		}
	}
	first, second, last := in["2025-2"], in["2026-1"], in["2026-2"]
	all, onlyLast, dropped := 0, 0, 0
	var stayers []string
	for rid := range last {
		_, a := first[rid]
		_, b := second[rid]
		switch {
		case a && b:
			all++
			stayers = append(stayers, rid)
		case !a && !b:
			onlyLast++
		}
	}
	for rid := range first {
		if _, ok := second[rid]; !ok {
			dropped++
		}
	}
	if all == 0 || onlyLast == 0 || dropped == 0 {
		t.Errorf("%d firms in all three waves, %d only in the last, %d dropped out after the first: want each > 0", all, onlyLast, dropped)
	}
	t.Logf("%d firms in all three waves, %d only in the last, %d dropped out after the first", all, onlyLast, dropped)

	// A firm describes itself alike in every wave and grows more mature.
	var rise float64
	for _, rid := range stayers {
		a, err := db.Answers(ctx, first[rid].response)
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.Answers(ctx, last[rid].response)
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range []string{"org_type", "sector", "size", "postcode", "chamber"} {
			if a[item].Value != b[item].Value || a[item].NA != b[item].NA {
				t.Errorf("respondent %s: %s %+v in the first wave, %+v in the last", rid, item, a[item], b[item])
			}
		}
		rise += last[rid].composite - first[rid].composite
	}
	if rise /= float64(len(stayers)); rise < 1 {
		t.Errorf("the panel's composite rose by %.1f points over two waves, want a visible rise", rise)
	}
	t.Logf("composite by wave %.1f, %.1f, %.1f; the panel's rose by %.1f", sum["2025-2"]/100, sum["2026-1"]/100, sum["2026-2"]/100, rise)

	// Again: the waves exist, and nothing is added.
	err = synthetic.Generate(ctx, db, clock, q, opts)
	if !errors.Is(err, survey.ErrWaveExists) {
		t.Errorf("generating into existing waves: %v, want ErrWaveExists", err)
	}
	var n int
	if err := db.SQLDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM responses`).Scan(&n); err != nil || n != 300 {
		t.Errorf("%d responses after the refused run (%v), want 300", n, err)
	}
}

// TestGenerateSameSeed gives the same data set for the same seed.
func TestGenerateSameSeed(t *testing.T) {
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var got [2][]survey.Cell
	for i := range got {
		clock := &synthetic.Clock{}
		db := storetest.SQLite(t, store.WithClock(clock.Now))
		if err := synthetic.Generate(ctx, db, clock, q, synthetic.Options{Responses: 45, Waves: 3, Weeks: 4, End: end, Seed: 5}); err != nil {
			t.Fatal(err)
		}
		if got[i], err = db.Aggregate(ctx, q.Ref(), survey.ByWeek); err != nil {
			t.Fatal(err)
		}
	}
	if len(got[0]) == 0 || len(got[0]) != len(got[1]) {
		t.Fatalf("%d and %d cells", len(got[0]), len(got[1]))
	}
	for i := range got[0] {
		a, b := got[0][i], got[1][i]
		if a.Group != b.Group || a.Field != b.Field || a.N != b.N || a.Mean() != b.Mean() {
			t.Errorf("cell %d: %+v and %+v", i, a, b)
		}
	}
}

// TestGenerateRefusesBadOptions: more waves than responses, or a wave's
// weeks longer than the half year between waves.
func TestGenerateRefusesBadOptions(t *testing.T) {
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	clock := &synthetic.Clock{}
	db := storetest.SQLite(t, store.WithClock(clock.Now))
	for _, o := range []synthetic.Options{{Responses: 2, Waves: 3, Weeks: 4}, {Responses: 20, Waves: 2, Weeks: 26}} {
		o.End = time.Now()
		if err := synthetic.Generate(context.Background(), db, clock, q, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}
