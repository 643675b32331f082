package exports

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/surveybot/surveybot/dialogs"
)

// CodebookRow describes one column of a responses export.
type CodebookRow struct {
	Code     string           // the column: an item code, or response, panel_id, wave, week, score_<field>, composite, tech_count
	Module   string           // the item's module
	Type     dialogs.ItemType // the item's type; "" for computed columns
	TextDe   string           // the question, or what the column holds
	TextEn   string
	Options  []string // "code = Label": choice options, yes/no, or the ends of a scale; always "na = keine Angabe" last for items
	Values   string   // what else a cell may hold: a range, a length, "|"-joined codes
	Field    string   // the indicator field the item scores, if any
	AskedIf  string   // the conditions under which the item is asked, if any
	Optional bool
}

// CodebookHeader names the codebook's columns, in the order of Record.
var CodebookHeader = []string{"code", "module", "type", "text_de", "text_en", "options", "values", "field", "asked_if", "optional"}

// Record returns the row as strings in the order of CodebookHeader.
func (r CodebookRow) Record() []string {
	opt := ""
	if r.Type != "" {
		opt = map[bool]string{true: "ja", false: "nein"}[r.Optional]
	}
	return []string{r.Code, r.Module, string(r.Type), r.TextDe, r.TextEn, strings.Join(r.Options, "\n"), r.Values, r.Field, r.AskedIf, opt}
}

// Codebook describes every column of a responses export of q: the four
// leading columns, each item in questionnaire order with its texts and
// codes, and the computed scores.
func Codebook(q *dialogs.Questionnaire) []CodebookRow {
	rows := []CodebookRow{
		{Code: ColResponse, TextDe: "Pseudonyme Kennung der Antwort (nicht die interne Kennung)", TextEn: "Pseudonymous id of the response (not its internal id)"},
		{Code: ColPanelID, TextDe: "Pseudonyme Kennung des Betriebs, in allen Wellen und Exporten gleich (leer nach Löschung)",
			TextEn: "Pseudonymous id of the firm, the same in every wave and export (empty once erased)", Values: "20 Zeichen a–z, 2–7"},
		{Code: ColWave, TextDe: "Name der Befragungswelle", TextEn: "Name of the survey wave", Values: "z. B. 2027-1"},
		{Code: ColWeek, TextDe: "ISO-Kalenderwoche des Abschlusses", TextEn: "ISO week of completion", Values: "JJJJ-Www, z. B. 2026-W48"},
	}
	for _, it := range q.Items() {
		row := CodebookRow{
			Code: it.ID, Module: it.Module().ID, Type: it.Type, TextDe: it.Text.De, TextEn: it.Text.En,
			Optional: it.Optional, AskedIf: askedIf(it),
		}
		if it.Score != nil {
			row.Field = it.Score.Field
		}
		switch it.Type {
		case dialogs.Single, dialogs.Multi:
			for _, o := range it.Options {
				row.Options = append(row.Options, o.Code+" = "+o.Label.De)
			}
		case dialogs.YesNo:
			row.Options = []string{"yes = ja", "no = nein"}
		case dialogs.Scale:
			row.Options = []string{"1 = " + it.Low.De, strconv.Itoa(it.Points) + " = " + it.High.De}
		}
		row.Options = append(row.Options, dialogs.CodeNA+" = keine Angabe")
		row.Values = accepted(it)
		rows = append(rows, row)
	}
	for _, f := range q.Fields {
		rows = append(rows, CodebookRow{Code: ScorePrefix + f.ID, Field: f.ID,
			TextDe: "Punktwert " + f.Title.De + " (0–100)", TextEn: "Score " + f.Title.En + " (0–100)", Values: "0–100"})
	}
	return append(rows,
		CodebookRow{Code: ColComposite, TextDe: "Gesamtindex: Mittel der Feldwerte (0–100)", TextEn: "Composite: mean of the field scores (0–100)", Values: "0–100"},
		CodebookRow{Code: ColTechCount, TextDe: "Anzahl genutzter Technologien (0–12, vergleichbar mit dem Digital Intensity Index)", TextEn: "Number of technologies in use (0–12, comparable with the Digital Intensity Index)", Values: "0–12"},
	)
}

// accepted says in words what a cell of the item may hold, "na" included.
func accepted(it *dialogs.Item) string {
	switch it.Type {
	case dialogs.Single, dialogs.YesNo, dialogs.Scale:
		return strings.Join(append(it.Codes(), dialogs.CodeNA), ", ")
	case dialogs.Multi:
		return "Codes mit | getrennt: " + strings.Join(it.Codes(), ", ") + "; oder na"
	case dialogs.Integer:
		switch {
		case it.Min != nil && it.Max != nil:
			return fmt.Sprintf("ganze Zahl von %d bis %d, na", *it.Min, *it.Max)
		case it.Min != nil:
			return fmt.Sprintf("ganze Zahl ab %d, na", *it.Min)
		case it.Max != nil:
			return fmt.Sprintf("ganze Zahl bis %d, na", *it.Max)
		}
		return "ganze Zahl, na"
	case dialogs.FreeText:
		return fmt.Sprintf("Text bis %d Zeichen, na", it.MaxLen)
	case dialogs.Postcode:
		return "fünfstellige Postleitzahl, na"
	}
	return dialogs.CodeNA
}

// askedIf puts the conditions of an item and its module into words.
func askedIf(it *dialogs.Item) string {
	var parts []string
	for _, c := range append(append([]dialogs.Condition(nil), it.Module().When...), it.When...) {
		switch {
		case len(c.In) > 0:
			parts = append(parts, c.Item+" = "+strings.Join(c.In, " oder "))
		case len(c.NotIn) > 0:
			parts = append(parts, c.Item+" ≠ "+strings.Join(c.NotIn, " und "))
		}
	}
	return strings.Join(parts, "; ")
}

// WriteCodebookCSV writes the codebook of q as CSV.
func WriteCodebookCSV(w io.Writer, q *dialogs.Questionnaire) error {
	cw, err := newCSV(w)
	if err != nil {
		return err
	}
	if err := cw.Write(CodebookHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, r := range Codebook(q) {
		rec := r.Record()
		for i := range rec {
			rec[i] = Neutralise(rec[i]) // a chamber's question texts come from its own file
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
