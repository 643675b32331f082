package synthetic_test

import (
	"context"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
	"github.com/surveybot/surveybot/synthetic"
)

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	clock := &synthetic.Clock{}
	db := storetest.SQLite(t, store.WithClock(clock.Now))
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) // a Wednesday: the last week has responses
	if err := synthetic.Generate(ctx, db, clock, q, synthetic.Options{Responses: 300, Weeks: 12, End: end, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	overall, err := db.Aggregate(ctx, q.Ref(), survey.Overall)
	if err != nil {
		t.Fatal(err)
	}
	var composite survey.Cell
	fields := 0
	for _, c := range overall {
		if c.Field == survey.CompositeField {
			composite = c
		} else {
			fields++
		}
	}
	if composite.N != 300 {
		t.Fatalf("%d completed responses with a composite, want 300", composite.N)
	}
	if fields != 7 {
		t.Errorf("%d fields have scores, want all 7 (businesses and education providers)", fields)
	}
	// Answers go together: the composite spreads over several bands, not one.
	spread := 0
	for _, b := range composite.Bands() {
		if b > 0 {
			spread++
		}
	}
	if spread < 3 || composite.Mean() < 25 || composite.Mean() > 75 {
		t.Errorf("composite mean %.1f over bands %v: not a realistic spread", composite.Mean(), composite.Bands())
	}
	weeks, err := db.Aggregate(ctx, q.Ref(), survey.ByWeek)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range weeks {
		seen[c.Group] = true
	}
	if len(seen) < 12 || seen[""] || !seen[survey.ISOWeek(end)] {
		t.Errorf("weeks %v, want the 12 up to %s", seen, survey.ISOWeek(end))
	}
	invited, err := db.InvitedByChamber(ctx, end.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	inv, done := 0, 0
	for _, c := range invited {
		inv += c.Invited
		done += c.Completed
	}
	if done != 300 || inv < 800 || inv > 900 {
		t.Errorf("%d of %d invited members completed, want 300 of about 857 (35 %%)", done, inv)
	}
	sectors, err := db.Aggregate(ctx, q.Ref(), survey.BySector)
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]bool{}
	for _, c := range sectors {
		groups[c.Group] = true
	}
	if len(groups) < 5 {
		t.Errorf("sectors %v, want every sector", groups)
	}
}
