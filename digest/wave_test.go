package digest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/digest"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/synthetic"
)

// TestDigestShowsTheCurrentWave: the digest has a line with the wave
// under way, its composite as the table by wave shows it.
func TestDigestShowsTheCurrentWave(t *testing.T) {
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	clock := &synthetic.Clock{}
	db := storetest.SQLite(t, store.WithClock(clock.Now))
	end := time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC)
	if err := synthetic.Generate(ctx, db, clock, q, synthetic.Options{Responses: 60, Weeks: 2, End: end, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	d, err := digest.Build(ctx, db, q, "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	if d.Wave == nil || d.Wave.Suppressed || d.Wave.Figure.N < 5 {
		t.Fatalf("wave line %+v, want the wave of the generated responses", d.Wave)
	}
	if text := d.Text(); !strings.Contains(text, "Laufende Welle "+d.Wave.Name+", Gesamtindex bisher: ") {
		t.Errorf("digest lacks the wave line:\n%s", text)
	}
}
