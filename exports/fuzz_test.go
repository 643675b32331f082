package exports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/exports"
	"github.com/surveybot/surveybot/store/storetest"
)

// FuzzImportCSV feeds arbitrary files to `surveybot import answers`
// (ImportCSV) on SQLite. A file is imported, or refused with ErrRejected
// and problems that name their line; any other error is the store failing
// on what the parser let through. The report always adds up.
func FuzzImportCSV(f *testing.F) {
	q, err := dialogs.LoadCore()
	if err != nil {
		f.Fatal(err)
	}
	var ids []string
	for _, it := range q.Items() {
		ids = append(ids, it.ID)
	}
	// A file of the good row of business, as a chamber's tool would write it.
	good := business(q, map[string]string{"proj_done": "p4", "proj_planned": "yes"})
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	_ = w.Write(ids)
	row := make([]string, len(ids))
	for i, id := range ids {
		row[i] = good[id]
	}
	_ = w.Write(row)
	w.Flush()
	file := buf.String()
	for _, seed := range []string{
		file,
		"\ufeff" + strings.ReplaceAll(file, ";", ","),
		file + strings.Replace(strings.SplitN(file, "\n", 2)[1], "hwk_h", "nosuch", 1),
		strings.Replace(file, "30159", "3015\x00", 1),
		"week;" + strings.ReplaceAll(file, "\n", "\n2026-W47;"),
		"week;" + strings.ReplaceAll(file, "\n", "\n2099-W01;"),
		"response;composite;" + file,
		"org_type;org_type\nbusiness;business\n",
		"branche\nx\n",
		"org_type\n\"business\n",
		"",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	db := storetest.SQLite(f)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data string, skipBad bool) {
		rep, err := exports.ImportCSV(context.Background(), q, strings.NewReader(data), db,
			exports.ImportOptions{SkipBad: skipBad, Now: func() time.Time { return now }})
		if err != nil && !errors.Is(err, exports.ErrRejected) {
			t.Fatalf("ImportCSV failed other than by refusing the file: %v\nfile %q", err, data)
		}
		if rep.BadRows > rep.Rows || rep.Imported > rep.Rows-rep.BadRows {
			t.Fatalf("report %+v does not add up", rep)
		}
		if err == nil && (rep.Imported != rep.Rows-rep.BadRows || (!skipBad && rep.BadRows > 0)) {
			t.Fatalf("imported without an error, but report %+v", rep)
		}
		if errors.Is(err, exports.ErrRejected) && len(rep.Problems) == 0 && rep.BadRows == 0 {
			t.Fatalf("refused (%v) without naming a problem", err)
		}
		for _, p := range rep.Problems {
			if p.Line < 1 || p.Message == "" {
				t.Fatalf("problem %+v without a line or a message", p)
			}
		}
	})
}
