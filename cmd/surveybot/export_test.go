package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/xuri/excelize/v2"
)

// TestExportImportCommands answers the questionnaire in the terminal,
// exports the response, codebook and figures, and imports the export into
// another database, rejecting a bad row unless --skip-bad.
func TestExportImportCommands(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "a.db")
	runIt := func(stdin, db string, args ...string) (int, string, string) {
		var out, errOut strings.Builder
		vars := map[string]string{"SURVEYBOT_SQL_DSN": db}
		code := run(context.Background(), args, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
		return code, out.String(), errOut.String()
	}
	persona := strings.Join(dialogstest.CraftBusiness().Inputs, "\n") + "\n"
	if code, _, errOut := runIt(persona, dsn, "chat", "--respondent", "anna"); code != 0 {
		t.Fatalf("chat: %d %s", code, errOut)
	}

	csvFile := filepath.Join(dir, "antworten.csv")
	if code, out, errOut := runIt("", dsn, "export", "responses", "--out", csvFile); code != 0 || !strings.Contains(out, "1 responses") {
		t.Fatalf("export responses: %d %s %s", code, out, errOut)
	}
	data, err := os.ReadFile(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\uFEFFresponse;panel_id;wave;week;org_type;sector;")) || !strings.Contains(string(data), ";business;handwerk;s1_9;26121;hwk_ol;") {
		t.Errorf("export:\n%s", data)
	}
	other := filepath.Join(dir, "other.csv")
	if code, out, _ := runIt("", dsn, "export", "responses", "--chamber", "ihk_h", "--out", other); code != 0 || !strings.Contains(out, "0 responses") {
		t.Errorf("another chamber's export: %d %s", code, out)
	}
	if code, _, errOut := runIt("", dsn, "export", "responses", "--chamber", "nope", "--out", other); code != 2 {
		t.Errorf("unknown chamber: exit %d %s", code, errOut)
	}

	xlsxFile := filepath.Join(dir, "antworten.xlsx")
	if code, _, errOut := runIt("", dsn, "export", "responses", "--out", xlsxFile); code != 0 {
		t.Fatalf("export xlsx: %d %s", code, errOut)
	}
	f, err := excelize.OpenFile(xlsxFile)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("Antworten", "H2"); v != "26121" {
		t.Errorf("postcode cell H2 = %q", v)
	}
	f.Close()

	book := filepath.Join(dir, "codebuch.csv")
	if code, _, errOut := runIt("", dsn, "export", "codebook", "--out", book); code != 0 {
		t.Fatalf("export codebook: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(book); !strings.Contains(string(b), "sector;screening;single;Zu welcher Branche") {
		t.Errorf("codebook:\n%s", b)
	}
	figures := filepath.Join(dir, "kennzahlen.csv")
	if code, _, errOut := runIt("", dsn, "export", "aggregates", "--by", "chamber", "--out", figures); code != 0 {
		t.Fatalf("export aggregates: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(figures); !strings.Contains(string(b), "chamber;hwk_ol;HWK Oldenburg;composite;Gesamtindex;n<5;·") || strings.Contains(string(b), ";1;") {
		t.Errorf("one response shown in the figures:\n%s", b)
	}
	if code, _, errOut := runIt("", dsn, "export", "aggregates", "--by", "chamber", "--lang", "en", "--out", figures); code != 0 {
		t.Fatalf("export aggregates --lang en: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(figures); !strings.Contains(string(b), "chamber;total;total;composite;Composite index;") {
		t.Errorf("English figures:\n%s", b)
	}
	if code, _, _ := runIt("", dsn, "export", "aggregates", "--by", "district", "--out", figures); code != 2 {
		t.Errorf("--by district: exit %d, want 2", code)
	}

	// The export, a bad row added, into a fresh database.
	lines := strings.SplitAfter(string(data), "\r\n")
	bad := strings.Replace(lines[1], ";handwerk;", ";Bau;", 1)
	importFile := filepath.Join(dir, "import.csv")
	if err := os.WriteFile(importFile, []byte(lines[0]+lines[1]+bad), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := "sqlite:" + filepath.Join(dir, "b.db")
	code, _, errOut := runIt("", fresh, "import", "answers", importFile)
	if code != 1 || !strings.Contains(errOut, "line 3, sector: \"Bau\" is not a valid answer") || !strings.Contains(errOut, "nothing imported") {
		t.Errorf("import with a bad row: %d %s", code, errOut)
	}
	code, out, errOut := runIt("", fresh, "import", "answers", "--skip-bad", importFile)
	if code != 0 || !strings.Contains(out, "1 of 2 rows imported") || !strings.Contains(errOut, "line 3") {
		t.Errorf("import --skip-bad: %d %s %s", code, out, errOut)
	}
	again := filepath.Join(dir, "again.csv")
	if code, _, _ := runIt("", fresh, "export", "responses", "--out", again); code != 0 {
		t.Fatal("export after import")
	}
	b, _ := os.ReadFile(again)
	strip := func(s string) string { // the export id, panel id, wave and week differ; the answers and scores do not
		row := strings.Split(strings.SplitAfter(s, "\r\n")[1], ";")
		return strings.Join(row[4:], ";")
	}
	if strip(string(b)) != strip(string(data)) {
		t.Errorf("round trip through the CLI:\n%s\n%s", b, data)
	}
}
