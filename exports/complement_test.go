package exports_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/exports"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestChamberCannotSubtractItsRows replays the attack of a chamber on the
// published figures by region: the district of Osnabrück (city) has five responses, four of them
// HWK Hannover's, whose key exports those four rows with postcodes and
// scores. The figures by region must not let HWK subtract its rows from
// Osnabrück, nor from the total less the shown regions, on SQLite and on
// PostgreSQL.
func TestChamberCannotSubtractItsRows(t *testing.T) {
	q := core(t)
	ctx := context.Background()
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			fillAt(t, db, q, 11, "hwk_h", "49074", 4)
			fillAt(t, db, q, 12, "ihk_h", "49074", 1)
			fillAt(t, db, q, 13, "hwk_h", "30159", 10)
			fillAt(t, db, q, 14, "ihk_h", "26121", 10)
			fillAt(t, db, q, 15, "ihk_h", "38100", 4)
			fillAt(t, db, q, 16, "hwk_h", "38100", 3)

			// What HWK's key holds: its rows, with their postcodes.
			var own bytes.Buffer
			if err := exports.WriteCSV(&own, q, source(db, store.CompletedFilter{Questionnaire: q.Ref(), Chamber: "hwk_h"})); err != nil {
				t.Fatal(err)
			}
			recs := readCSV(t, own.Bytes())
			pc := column(t, recs[0], "postcode")
			inRegion := 0
			for _, rec := range recs[1:] {
				if rec[pc] == "49074" {
					inRegion++
				}
			}
			if inRegion != 4 || len(recs)-1 != 17 {
				t.Fatalf("HWK's export holds %d rows, %d in Osnabrück; want 17 and 4", len(recs)-1, inRegion)
			}

			cells, err := db.AggregateHeld(ctx, q.Ref(), survey.ByRegion, "")
			if err != nil {
				t.Fatal(err)
			}
			var figs bytes.Buffer
			if err := exports.WriteAggregatesCSV(&figs, q, survey.ByRegion, indicators.Disclose(survey.ByRegion, cells), ""); err != nil {
				t.Fatal(err)
			}
			rows := readCSV(t, figs.Bytes())
			field, group, n := column(t, rows[0], "field"), column(t, rows[0], "group"), column(t, rows[0], "n")
			shown := map[string]bool{}
			for _, rec := range rows[1:] {
				if rec[field] == survey.CompositeField && rec[n] != "n<5" {
					shown[rec[group]] = true
				}
			}
			if shown["03404"] {
				t.Errorf("Osnabrück (region 03404) is published: HWK can subtract its 4 rows and read the fifth firm's score\n%s", figs.String())
			}
			if !shown["03241"] || !shown["03403"] {
				t.Errorf("the big regions Hannover and Oldenburg must stay published: %v", shown)
			}
			// With Osnabrück hidden, the total less the shown regions must not be
			// Osnabrück again: another region goes with it.
			if shown["03101"] {
				t.Errorf("only Osnabrück is hidden; the total less the others gives it back: %v", shown)
			}
		})
	}
}

// TestImportRefusesUnstorableText imports rows with a NUL, a control
// character and invalid UTF-8, on SQLite and PostgreSQL: each row is
// reported with its line and item, the file is refused, nothing counts,
// and with SkipBad the good row is imported.
func TestImportRefusesUnstorableText(t *testing.T) {
	q := core(t)
	ctx := context.Background()
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			file := importFile(t, q, ";",
				business(q, map[string]string{"sector": "handwerk\x00"}), // line 2
				business(q, map[string]string{"postcode": "30159\x1b"}),  // line 3
				business(q, map[string]string{"sector": "hand\xffwerk"}), // line 4
				business(q, nil), // line 5
			)
			rep, err := exports.ImportCSV(ctx, q, strings.NewReader(file), db, exports.ImportOptions{})
			if !errors.Is(err, exports.ErrRejected) || rep.BadRows != 3 || len(rep.Problems) != 3 {
				t.Fatalf("err %v, report %+v; want the 3 bad rows refused", err, rep)
			}
			for i, p := range rep.Problems {
				if p.Line != i+2 || !strings.Contains(p.String(), "cannot be stored") {
					t.Errorf("problem %d: %s", i, p)
				}
			}
			if cells, _ := db.Aggregate(ctx, q.Ref(), survey.Overall); len(cells) != 0 {
				t.Errorf("a refused file counts: %+v", cells)
			}
			rep, err = exports.ImportCSV(ctx, q, strings.NewReader(file), db, exports.ImportOptions{SkipBad: true})
			if err != nil || rep.Imported != 1 {
				t.Errorf("skip bad: %v %+v, want the good row imported", err, rep)
			}
		})
	}
}

// TestRegionLabels: a region's label is its district's name.
func TestRegionLabels(t *testing.T) {
	q := core(t)
	for code, want := range map[string]string{"03241": "Region Hannover", "03403": "Oldenburg (Oldenburg), Stadt", exports.GroupNone: "ohne Angabe"} {
		if got := exports.GroupLabel(q, survey.ByRegion, code).De; got != want {
			t.Errorf("GroupLabel(region, %s) = %q, want %q", code, got, want)
		}
	}
}
