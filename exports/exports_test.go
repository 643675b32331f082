package exports_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/exports"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
	"github.com/xuri/excelize/v2"
)

func core(t *testing.T) *dialogs.Questionnaire {
	t.Helper()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestChamberExportHasOnlyItsMembers(t *testing.T) {
	q := core(t)
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			own := fill(t, db, q, 1, "hwk_h", 7)
			fill(t, db, q, 2, "ihk_h", 5)
			var buf bytes.Buffer
			if err := exports.WriteCSV(&buf, q, source(db, store.CompletedFilter{Questionnaire: q.Ref(), Chamber: "hwk_h"})); err != nil {
				t.Fatal(err)
			}
			recs := readCSV(t, buf.Bytes())
			ch, id := column(t, recs[0], "chamber"), column(t, recs[0], exports.ColResponse)
			want := map[string]bool{}
			for _, rid := range own {
				want[exports.ExportID(rid)] = true
			}
			if len(recs)-1 != len(own) {
				t.Errorf("%d rows, want the chamber's %d", len(recs)-1, len(own))
			}
			for _, rec := range recs[1:] {
				if rec[ch] != "hwk_h" || !want[rec[id]] {
					t.Errorf("row of another chamber: chamber %q, id %q", rec[ch], rec[id])
				}
				if slices.Contains(own, rec[id]) {
					t.Errorf("the export shows the internal response id %q", rec[id])
				}
			}
		})
	}
}

// canonical describes a response by what must survive a round trip.
func canonical(q *dialogs.Questionnaire, r store.CompletedResponse) string {
	var b strings.Builder
	fmt.Fprintf(&b, "week=%s", r.Week)
	for _, it := range q.Items() {
		if a, ok := r.Answers[it.ID]; ok {
			fmt.Fprintf(&b, " %s=%q/na=%t/skip=%t", it.ID, a.Value, a.NA, a.Skipped)
		}
	}
	for _, f := range slices.Sorted(maps.Keys(r.Scores)) {
		fmt.Fprintf(&b, " %s=%.9f", f, r.Scores[f])
	}
	if r.Composite != nil {
		fmt.Fprintf(&b, " composite=%.9f", *r.Composite)
	}
	if r.TechCount != nil {
		fmt.Fprintf(&b, " tech=%d", *r.TechCount)
	}
	return b.String()
}

func all(t *testing.T, db *store.DB, q *dialogs.Questionnaire) []string {
	t.Helper()
	var out []string
	err := db.EachCompleted(context.Background(), store.CompletedFilter{Questionnaire: q.Ref()}, func(r store.CompletedResponse) error {
		out = append(out, canonical(q, r))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestCSVRoundTrip(t *testing.T) {
	q := core(t)
	for name, src := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			fill(t, src, q, 3, "hwk_ol", 30)
			fill(t, src, q, 4, "ihk_os", 12)
			var buf bytes.Buffer
			if err := exports.WriteCSV(&buf, q, source(src, store.CompletedFilter{Questionnaire: q.Ref()})); err != nil {
				t.Fatal(err)
			}
			dst := storetest.SQLite(t)
			if name == "postgres" {
				dst = storetest.Postgres(t)
			}
			rep, err := exports.ImportCSV(context.Background(), q, bytes.NewReader(buf.Bytes()), dst, exports.ImportOptions{})
			if err != nil {
				t.Fatalf("import of an export: %v\n%v", err, rep.Problems)
			}
			if rep.Imported != 42 || rep.Rows != 42 || len(rep.Problems) != 0 {
				t.Errorf("report %+v, want 42 rows imported", rep)
			}
			got, want := all(t, dst, q), all(t, src, q)
			if !slices.Equal(got, want) {
				t.Errorf("imported responses differ from the exported ones:\n got %q\nwant %q", got, want)
			}
			cells, err := dst.Aggregate(context.Background(), q.Ref(), survey.ByChamber)
			if err != nil {
				t.Fatal(err)
			}
			n := map[string]int{}
			for _, c := range cells {
				if c.Field == survey.CompositeField {
					n[c.Group] = c.N
				}
			}
			if n["hwk_ol"] == 0 || n["ihk_os"] == 0 {
				t.Errorf("imported responses do not count by chamber: %v", n)
			}
		})
	}
}

func TestXLSX(t *testing.T) {
	q := core(t)
	db := storetest.SQLite(t)
	ids := fill(t, db, q, 5, "hwk_h", 3)
	var buf bytes.Buffer
	if err := exports.WriteXLSX(&buf, q, source(db, store.CompletedFilter{Questionnaire: q.Ref()})); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{exports.SheetAnswers, exports.SheetCodebook}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows(exports.SheetAnswers)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want a header and 3 responses", len(rows))
	}
	header := rows[0]
	if header[0] != exports.ColResponse || header[1] != exports.ColPanelID || header[2] != exports.ColWave || header[3] != exports.ColWeek || header[4] != "org_type" || header[len(header)-1] != exports.ColTechCount {
		t.Errorf("header %v", header)
	}
	var wantIDs []string
	for _, id := range ids {
		wantIDs = append(wantIDs, exports.ExportID(id))
	}
	ch := column(t, header, "chamber")
	comp := column(t, header, exports.ColComposite)
	for _, row := range rows[1:] {
		if !slices.Contains(wantIDs, row[0]) || row[ch] != "hwk_h" {
			t.Errorf("row %v", row)
		}
		cell, _ := excelize.CoordinatesToCellName(comp+1, 2)
		if typ, _ := f.GetCellType(exports.SheetAnswers, cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("composite cell %s has type %v, want a number", cell, typ)
		}
	}
	book, err := f.GetRows(exports.SheetCodebook)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(book[0], exports.CodebookHeader) {
		t.Errorf("codebook header %v", book[0])
	}
	var sector []string
	for _, r := range book {
		if r[0] == "sector" {
			sector = r
		}
	}
	if sector == nil || sector[3] != "Zu welcher Branche gehört Ihr Betrieb?" || !strings.Contains(sector[5], "handwerk = Handwerk") ||
		!strings.Contains(sector[5], "na = keine Angabe") || sector[8] != "org_type = business" {
		t.Errorf("codebook row of sector: %q", sector)
	}
}

// chamberFile extends the core with a free text question, the only kind a
// formula could come in by.
const chamberFile = `id: hwk-test
version: 1
title: {de: Extra, en: Extra}
extends: {id: dimn, version: 1}
modules:
  - id: extra
    title: {de: Zusatz, en: Extra}
    items:
      - id: x_note
        type: text
        max_len: 200
        text: {de: "Was noch?", en: "Anything else?"}
`

func TestFormulaInjectionNeutralised(t *testing.T) {
	q, err := dialogs.Parse("hwk-test.yaml", []byte(chamberFile), dialogs.CoreResolver)
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.SQLite(t)
	if err := db.RegisterQuestionnaire(context.Background(), q.Ref(), []byte(chamberFile)); err != nil {
		t.Fatal(err)
	}
	evil := []string{`=HYPERLINK("http://evil.example","klick")`, "+1+2", "-2+3", "@SUM(A1)", "harmless"}
	for i, text := range evil {
		a := answerer{rng: newRand(uint64(i)), chamber: "hwk_h", text: text}
		complete(t, db, q, a.answer(t, q))
	}
	var buf bytes.Buffer
	if err := exports.WriteCSV(&buf, q, source(db, store.CompletedFilter{Questionnaire: q.Ref()})); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	col := column(t, recs[0], "x_note")
	var got []string
	for _, r := range recs[1:] {
		got = append(got, r[col])
	}
	for _, text := range evil {
		want := text
		if text != "harmless" {
			want = "'" + text
		}
		if !slices.Contains(got, want) {
			t.Errorf("x_note cells %q lack %q", got, want)
		}
	}
	// The apostrophe comes off again on import.
	dst := storetest.SQLite(t)
	if err := dst.RegisterQuestionnaire(context.Background(), q.Ref(), []byte(chamberFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := exports.ImportCSV(context.Background(), q, &buf, dst, exports.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if g, w := all(t, dst, q), all(t, db, q); !slices.Equal(g, w) {
		t.Errorf("free text changed in the round trip:\n got %q\nwant %q", g, w)
	}
	for _, tc := range []struct{ in, want string }{{"=1", "'=1"}, {"\tx", "'\tx"}, {"\rx", "'\rx"}, {"a=1", "a=1"}, {"", ""}} {
		if got := exports.Neutralise(tc.in); got != tc.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// importHeader and goodRow make an import file by hand: a business of
// HWK Hannover that answers "keine Angabe" to everything it may.
func importFile(t *testing.T, q *dialogs.Questionnaire, sep string, rows ...map[string]string) string {
	t.Helper()
	var ids []string
	for _, it := range q.Items() {
		ids = append(ids, it.ID)
	}
	var b strings.Builder
	b.WriteString("\uFEFF" + strings.Join(ids, sep) + "\r\n")
	for _, row := range rows {
		vals := make([]string, len(ids))
		for i, id := range ids {
			vals[i] = row[id]
		}
		b.WriteString(strings.Join(vals, sep) + "\r\n")
	}
	return b.String()
}

// business is a valid row: a craft business answering "na" wherever the
// path asks, with the given answers on top.
func business(q *dialogs.Questionnaire, over map[string]string) map[string]string {
	row := map[string]string{"org_type": "business", "sector": "handwerk", "size": "s1_9", "postcode": "30159", "chamber": "hwk_h"}
	maps.Copy(row, over)
	answers := map[string]dialogs.Answer{}
	for id, v := range row {
		if v != "" {
			it, _ := q.Item(id)
			a, _ := dialogs.ParseValue(it, strings.ReplaceAll(v, "|", ","))
			answers[id] = a
		}
	}
	// Fill "na" along the path the given answers take.
	for {
		st := dialogs.Restore(q, dialogs.German, dialogs.PhaseAsking, answers)
		if st.Phase == dialogs.PhaseDone {
			break
		}
		answers[st.Current] = dialogs.Answer{NA: true}
		row[st.Current] = dialogs.CodeNA
	}
	return row
}

func TestImportRejectsBadRows(t *testing.T) {
	q := core(t)
	ctx := context.Background()
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			good := business(q, map[string]string{"proj_done": "p4", "proj_planned": "yes"})
			noSize := business(q, nil)
			noSize["size"] = ""
			file := importFile(t, q, ";",
				business(q, map[string]string{"proj_done": "p1"}),                           // line 2
				business(q, map[string]string{"sector": "Bau"}),                             // line 3: unknown value
				business(q, map[string]string{"org_type": "education", "sector": "handel"}), // line 4: sector off the path
				business(q, map[string]string{"mat_tech": "none|cloud"}),                    // line 5: exclusive option with another
				noSize,                 // line 6: required answer missing
				good, good, good, good, // lines 7–10
			)
			rep, err := exports.ImportCSV(ctx, q, strings.NewReader(file), db, exports.ImportOptions{})
			if !errors.Is(err, exports.ErrRejected) {
				t.Fatalf("err %v, want ErrRejected", err)
			}
			var got []string
			for _, p := range rep.Problems {
				got = append(got, p.String())
			}
			want := []string{
				`line 3, sector: "Bau" is not a valid answer (handwerk, industrie, handel, dienstleistung, other, na)`,
				`line 4, sector: "handel": the row's other answers do not lead to this question (asked only if org_type = business)`,
				`line 5, mat_tech: "none" excludes the other answers (none|cloud)`,
				`line 6, size: answer missing (write na for "prefer not to say")`,
			}
			if !slices.Equal(got, want) {
				t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if rep.Imported != 0 || rep.Rows != 9 || rep.BadRows != 4 {
				t.Errorf("report %+v", rep)
			}
			if cells, _ := db.Aggregate(ctx, q.Ref(), survey.Overall); len(cells) != 0 {
				t.Errorf("a rejected file counts: %+v", cells)
			}

			// An unknown column rejects the file at its header.
			bad := strings.Replace(file, "org_type;", "org_type;branche;", 1)
			rep, err = exports.ImportCSV(ctx, q, strings.NewReader(bad), db, exports.ImportOptions{SkipBad: true})
			if !errors.Is(err, exports.ErrRejected) || len(rep.Problems) != 1 || rep.Problems[0].Line != 1 ||
				!strings.Contains(rep.Problems[0].String(), `"branche"`) {
				t.Errorf("unknown column: %v %v", err, rep.Problems)
			}

			// With SkipBad the good rows count; "," separators work as well.
			comma := strings.ReplaceAll(file, ";", ",")
			rep, err = exports.ImportCSV(ctx, q, strings.NewReader(comma), db, exports.ImportOptions{SkipBad: true})
			if err != nil || rep.Imported != 5 || rep.BadRows != 4 || len(rep.Problems) != 4 {
				t.Fatalf("skip bad: %v %+v", err, rep)
			}
			cells, err := db.Aggregate(ctx, q.Ref(), survey.ByChamber)
			if err != nil {
				t.Fatal(err)
			}
			var composite survey.Cell
			for _, c := range cells {
				if c.Field == survey.CompositeField {
					composite = c
				}
			}
			if composite.Group != "hwk_h" || composite.N != 5 {
				t.Errorf("composite cells %+v, want hwk_h with the 5 good rows", cells)
			}
			var imported int
			_ = db.EachCompleted(ctx, store.CompletedFilter{Questionnaire: q.Ref(), Chamber: "hwk_h"}, func(r store.CompletedResponse) error {
				imported++
				want := dialogs.Score(q, r.Answers)
				if r.Composite == nil || want.Composite == nil || math.Abs(*r.Composite-*want.Composite) > 1e-9 {
					t.Errorf("stored composite %v, want %v", r.Composite, want.Composite)
				}
				return nil
			})
			if imported != 5 {
				t.Errorf("%d imported responses of hwk_h, want 5", imported)
			}
		})
	}
}

func TestImportFixesChamber(t *testing.T) {
	q := core(t)
	db := storetest.SQLite(t)
	row := business(q, nil)
	delete(row, "chamber")
	other := business(q, map[string]string{"chamber": "ihk_h"})
	file := importFile(t, q, ";", row, other)
	rep, err := exports.ImportCSV(context.Background(), q, strings.NewReader(file), db, exports.ImportOptions{Chamber: "hwk_h", SkipBad: true})
	if err != nil || rep.Imported != 1 || len(rep.Problems) != 1 || rep.Problems[0].Line != 3 || rep.Problems[0].Item != "chamber" {
		t.Fatalf("%v %+v", err, rep)
	}
}

func TestAggregatesNeverShowSmallGroups(t *testing.T) {
	q := core(t)
	db := storetest.SQLite(t)
	fill(t, db, q, 6, "hwk_h", 9)
	fill(t, db, q, 7, "ihk_h", 6)
	fill(t, db, q, 8, "ihk_lg", 2)
	fill(t, db, q, 9, "guild", 1)
	for _, dim := range survey.Dimensions() {
		cells, err := db.AggregateHeld(context.Background(), q.Ref(), dim, "")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := exports.WriteAggregatesCSV(&buf, q, dim, indicators.Disclose(dim, cells), ""); err != nil {
			t.Fatal(err)
		}
		recs := readCSV(t, buf.Bytes())
		if !slices.Equal(recs[0], exports.AggregatesHeader) {
			t.Fatalf("header %v", recs[0])
		}
		for _, rec := range recs[1:] {
			n, err := strconv.Atoi(rec[5])
			switch {
			case err != nil && (rec[5] != exports.SmallN || rec[6] != exports.Suppressed):
				t.Errorf("%s: suppressed row %v", dim, rec)
			case err == nil && n < indicators.MinN:
				t.Errorf("%s: row of n=%d shown: %v", dim, n, rec)
			}
			for _, b := range rec[7:] {
				if v, err := strconv.Atoi(b); (err == nil && v > 0 && v < indicators.MinN) || (err != nil && b != exports.Suppressed) {
					t.Errorf("%s: band %q shown: %v", dim, b, rec)
				}
			}
		}
		if dim == survey.ByChamber {
			text := buf.String()
			for _, small := range []string{"ihk_lg;IHK Lüneburg-Wolfsburg", "guild;Innung oder Verband"} {
				if !strings.Contains(text, "chamber;"+small+";composite;Gesamtindex;n<5;·;·;·;·;·;·") {
					t.Errorf("%s is not shown as suppressed:\n%s", small, text)
				}
			}
		}
	}
}

// TestAggregatesCodesAndLabels checks that a program can read the groups'
// codes and a person their labels, each in a column of its own: German by
// default, English on request.
func TestAggregatesCodesAndLabels(t *testing.T) {
	q := core(t)
	db := storetest.SQLite(t)
	fill(t, db, q, 21, "hwk_h", 60) // some answer education, which skips sector
	cells, err := db.AggregateHeld(context.Background(), q.Ref(), survey.BySector, "")
	if err != nil {
		t.Fatal(err)
	}
	tables := indicators.Disclose(survey.BySector, cells)
	for _, tc := range []struct {
		lang                                  dialogs.Lang
		total, none, handwerk, compositeTitle string
	}{
		{"", "gesamt", "ohne Angabe", "Handwerk", "Gesamtindex"},
		{dialogs.English, "total", "not given", "Crafts", "Composite index"},
	} {
		var buf bytes.Buffer
		if err := exports.WriteAggregatesCSV(&buf, q, survey.BySector, tables, tc.lang); err != nil {
			t.Fatal(err)
		}
		recs := readCSV(t, buf.Bytes())
		group, label := column(t, recs[0], "group"), column(t, recs[0], "group_label")
		field, title := column(t, recs[0], "field"), column(t, recs[0], "field_title")
		labels := map[string]string{}
		for _, rec := range recs[1:] {
			if rec[field] == survey.CompositeField {
				labels[rec[group]] = rec[label]
				if rec[title] != tc.compositeTitle {
					t.Errorf("%q: composite titled %q, want %q", tc.lang, rec[title], tc.compositeTitle)
				}
			}
		}
		want := map[string]string{exports.GroupTotal: tc.total, exports.GroupNone: tc.none, "handwerk": tc.handwerk}
		for code, l := range want {
			if labels[code] != l {
				t.Errorf("%q: group %q labelled %q, want %q (all: %v)", tc.lang, code, labels[code], l, labels)
			}
		}
		for code := range labels {
			if code != strings.ToLower(code) || strings.Contains(code, " ") {
				t.Errorf("%q: group column holds a label, not a code: %q", tc.lang, code)
			}
		}
	}
}
