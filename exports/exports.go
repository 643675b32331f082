// Package exports writes what leaves surveybot as files — the completed
// responses as CSV or XLSX with their codebook, and the disclosure-controlled
// aggregates — and imports the answers a chamber collected in its own survey
// tool, keyed by the codebook's item codes.
//
// The CSV files are written as German Excel opens them by a double click:
// UTF-8 with a byte order mark, ";" between fields and a decimal comma.
package exports

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
)

// Source streams the responses to export: it calls fn once per response,
// in a stable order, and stops at fn's first error. A store's
// EachCompleted, bound to a filter, is one.
type Source func(fn func(store.CompletedResponse) error) error

// The columns of a responses export besides one per item.
const (
	ColResponse  = "response"   // pseudonymous export id, see ExportID
	ColPanelID   = "panel_id"   // the firm's pseudonymous id, the same in every wave
	ColWave      = "wave"       // the name of the wave the response belongs to
	ColWeek      = "week"       // ISO week of completion
	ColComposite = "composite"  // the composite index
	ColTechCount = "tech_count" // the technology count
	ScorePrefix  = "score_"     // prefix of the field score columns: score_maturity
)

// Separator is the field separator of the CSV files written.
const Separator = ';'

const bom = "\uFEFF"

// ExportID is the id a response has in exports: a hash of its id, stable
// across exports (so a chamber can match successive files) but not the id
// the database and the logs know it by.
func ExportID(responseID string) string {
	sum := sha256.Sum256([]byte("surveybot export\x00" + responseID))
	return hex.EncodeToString(sum[:8])
}

// column is one column of a responses export.
type column struct {
	name  string
	item  *dialogs.Item // an answer column
	field string        // a field score column
}

// columns lays out a responses export: response, panel_id, wave, week, one column per item
// in questionnaire order, one per field score, composite, tech_count.
func columns(q *dialogs.Questionnaire) ([]column, error) {
	cols := []column{{name: ColResponse}, {name: ColPanelID}, {name: ColWave}, {name: ColWeek}}
	for _, it := range q.Items() {
		cols = append(cols, column{name: it.ID, item: it})
	}
	for _, f := range q.Fields {
		cols = append(cols, column{name: ScorePrefix + f.ID, field: f.ID})
	}
	cols = append(cols, column{name: ColComposite}, column{name: ColTechCount})
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c.name] {
			return nil, fmt.Errorf("questionnaire %s: item %q has the name of an export column; rename it", q.Ref(), c.name)
		}
		seen[c.name] = true
	}
	return cols, nil
}

// cell is one value of an export, typed for XLSX.
type cell struct {
	text   string
	num    float64
	isNum  bool
	isText bool // free text a respondent typed: neutralised in CSV
}

// cells computes a response's row.
func cells(cols []column, r store.CompletedResponse) []cell {
	out := make([]cell, len(cols))
	for i, c := range cols {
		switch {
		case c.item != nil:
			out[i] = answerCell(c.item, r.Answers[c.item.ID])
		case c.field != "":
			if v, ok := r.Scores[c.field]; ok {
				out[i] = scoreCell(v)
			}
		case c.name == ColResponse:
			out[i] = cell{text: ExportID(r.ID)}
		case c.name == ColPanelID:
			out[i] = cell{text: r.PanelID}
		case c.name == ColWave:
			out[i] = cell{text: r.Wave}
		case c.name == ColWeek:
			out[i] = cell{text: r.Week}
		case c.name == ColComposite:
			if r.Composite != nil {
				out[i] = scoreCell(*r.Composite)
			}
		case c.name == ColTechCount:
			if r.TechCount != nil {
				out[i] = cell{text: strconv.Itoa(*r.TechCount), num: float64(*r.TechCount), isNum: true}
			}
		}
	}
	return out
}

func answerCell(it *dialogs.Item, a dialogs.Answer) cell {
	switch {
	case a.NA:
		return cell{text: dialogs.CodeNA}
	case !a.Given() || a.Value == "":
		return cell{} // not asked, or skipped
	}
	switch it.Type {
	case dialogs.Multi:
		return cell{text: strings.Join(a.Codes(), "|")}
	case dialogs.Integer, dialogs.Scale:
		if n, err := strconv.Atoi(a.Value); err == nil {
			return cell{text: a.Value, num: float64(n), isNum: true}
		}
	case dialogs.FreeText:
		return cell{text: a.Value, isText: true}
	}
	return cell{text: a.Value}
}

// scoreCell rounds a score to two decimals: finer digits only look precise.
func scoreCell(v float64) cell {
	r := math.Round(v*100) / 100
	return cell{text: decimal(r), num: r, isNum: true}
}

// decimal writes a number with a decimal comma, as German Excel reads it.
func decimal(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

// Neutralise makes a text safe to open in a spreadsheet: a cell that starts
// with =, +, -, @, a tab or a carriage return would be read as a formula
// (CSV injection), so it gets a leading apostrophe, which spreadsheets show
// as text. Import takes the apostrophe off again.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune(formulaStarts, rune(s[0])) {
		return "'" + s
	}
	return s
}

const formulaStarts = "=+-@\t\r"

// unneutralise undoes Neutralise for a value read back.
func unneutralise(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune(formulaStarts, rune(s[1])) {
		return s[1:]
	}
	return s
}

// newCSV starts a CSV file as German Excel expects it.
func newCSV(w io.Writer) (*csv.Writer, error) {
	if _, err := io.WriteString(w, bom); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = Separator
	cw.UseCRLF = true
	return cw, nil
}
