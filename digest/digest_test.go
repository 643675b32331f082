package digest_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/digest"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
	"github.com/surveybot/surveybot/synthetic"
)

func TestParseWeek(t *testing.T) {
	for in, want := range map[string]string{"2026-W48": "2026-11-23", "2026-W01": "2025-12-29", "2020-W53": "2020-12-28"} {
		got, err := digest.ParseWeek(in)
		if err != nil || got.Format("2006-01-02") != want {
			t.Errorf("ParseWeek(%s) = %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"2026-48", "2026-W54", "2025-W53", "W48", "2026-W4"} {
		if _, err := digest.ParseWeek(bad); err == nil {
			t.Errorf("ParseWeek(%q) accepted", bad)
		}
	}
}

// TestBuild builds a digest over generated responses: the figures of the
// week, changes only where both weeks have 5 or more, chambers, and a chart
// that decodes as a PNG of the expected size.
func TestBuild(t *testing.T) {
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	clock := &synthetic.Clock{}
	db := storetest.SQLite(t, store.WithClock(clock.Now))
	end := time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC) // Sunday of 2026-W48
	if err := synthetic.Generate(ctx, db, clock, q, synthetic.Options{Responses: 400, Weeks: 4, End: end, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	d, err := digest.Build(ctx, db, q, "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("digest built in %v", time.Since(start))
	img, err := png.Decode(bytes.NewReader(d.Chart))
	if err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != digest.ChartWidth || b.Dy() != digest.ChartHeight {
		t.Errorf("chart %dx%d, want %dx%d", b.Dx(), b.Dy(), digest.ChartWidth, digest.ChartHeight)
	}
	text := d.Text()
	for _, want := range []string{"Wochenbericht 2026-W48", "Digitaler Reifegrad:", "Gesamtindex:", "nach Kammer", "ab 5 Antworten"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	var maturity digest.Field
	for _, f := range d.Fields {
		if f.ID == "maturity" {
			maturity = f
		}
	}
	cells, _ := db.Aggregate(ctx, q.Ref(), survey.ByWeek)
	for _, c := range cells {
		if c.Field == "maturity" {
			t.Logf("week %q n %d", c.Group, c.N)
		}
	}
	if maturity.Suppressed || maturity.Figure.N < 50 || !maturity.HasChange {
		t.Errorf("maturity in a week of about 100 responses: %+v", maturity)
	}
	// Education providers are few: their fields may be suppressed, never shown with n<5.
	for _, f := range d.Fields {
		if !f.Suppressed && f.Figure.N < 5 {
			t.Errorf("%s shown with n=%d", f.ID, f.Figure.N)
		}
	}
	for _, c := range d.Chambers {
		if !c.Suppressed && c.N < 5 {
			t.Errorf("chamber %s shown with n=%d", c.Name, c.N)
		}
	}

	// An empty week: everything suppressed, no change, and still a chart.
	empty, err := digest.Build(ctx, db, q, "2026-W30")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range empty.Fields {
		if !f.Suppressed || f.HasChange {
			t.Errorf("empty week: %+v", f)
		}
	}
	if _, err := png.Decode(bytes.NewReader(empty.Chart)); err != nil {
		t.Errorf("empty week's chart: %v", err)
	}
}

// TestResponseRate shows a chamber's response rate once 5 of its invited
// members completed, and not before.
func TestResponseRate(t *testing.T) {
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	clock := &synthetic.Clock{}
	db := storetest.SQLite(t, store.WithClock(clock.Now))
	clock.Set(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) // in 2026-W48
	complete := func(rid string) {
		resp, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: "test"})
		if err != nil {
			t.Fatal(err)
		}
		c := 50.0
		if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: resp.ID, Channel: "test", Lang: dialogs.German, Phase: dialogs.PhaseDone,
			Scores: &dialogs.Scores{Fields: map[string]float64{"maturity": 50}, Composite: &c}, Dims: map[survey.Dimension]string{survey.ByChamber: "hwk_h"}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 8 {
		inv, _, err := db.CreateInvitation(ctx, survey.NewInvitation{Lang: dialogs.German, Fixed: map[string]string{"chamber": "hwk_h"}, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if i < 4 {
			complete(inv.RespondentID)
		}
		if i == 7 {
			d, err := digest.Build(ctx, db, q, "2026-W48")
			if err != nil {
				t.Fatal(err)
			}
			if hw := find(d, "hwk_h"); hw.HasRate || !hw.Suppressed || hw.Invited != 8 {
				t.Errorf("4 of 8 completed: %+v, want no rate and the week's count suppressed", hw)
			}
			complete(inv.RespondentID)
		}
	}
	d, err := digest.Build(ctx, db, q, "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	hw := find(d, "hwk_h")
	if !hw.HasRate || hw.Rate != 62.5 || hw.N != 5 || !strings.Contains(d.Text(), "HWK Hannover: 5 (Rücklauf mind. 62 %: mind. 5 von 8 Eingeladenen)") {
		t.Errorf("5 of 8 completed: %+v\n%s", hw, d.Text())
	}
}

func find(d digest.Digest, code string) digest.Chamber {
	for _, c := range d.Chambers {
		if c.Code == code {
			return c
		}
	}
	return digest.Chamber{}
}

// TestChamberComplement withholds a week's figure that a chamber could
// take its own members out of to learn about fewer than 5 others.
func TestChamberComplement(t *testing.T) {
	ctx := context.Background()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	clock := &synthetic.Clock{}
	db := storetest.SQLite(t, store.WithClock(clock.Now))
	clock.Set(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	complete := func(i int, chamber string) {
		rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: "test"})
		if err != nil {
			t.Fatal(err)
		}
		c := 50.0
		if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: resp.ID, Channel: "test", Lang: dialogs.German, Phase: dialogs.PhaseDone,
			Scores: &dialogs.Scores{Fields: map[string]float64{"maturity": 50}, Composite: &c}, Dims: map[survey.Dimension]string{survey.ByChamber: chamber}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		complete(i, "hwk_h")
	}
	for i := 10; i < 13; i++ {
		complete(i, "ihk_h")
	}
	d, err := digest.Build(ctx, db, q, "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range d.Fields {
		if f.ID == "maturity" && !f.Suppressed {
			t.Errorf("maturity shown with n=%d although HWK Hannover, taking its 10 out, would learn the mean of IHK's 3", f.Figure.N)
		}
	}
	for i := 13; i < 15; i++ {
		complete(i, "ihk_h")
	}
	d, _ = digest.Build(ctx, db, q, "2026-W48")
	for _, f := range d.Fields {
		if f.ID == "maturity" && (f.Suppressed || f.Figure.N != 15) {
			t.Errorf("with 10 and 5 the figure of 15 may be shown: %+v", f)
		}
	}
}
