package exports

import (
	"fmt"
	"io"
	"strconv"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
)

// The marks of figures that are not shown.
const (
	Suppressed = "·"   // a figure withheld by disclosure control
	SmallN     = "n<5" // the n of a suppressed cell
)

// AggregatesHeader names the columns of an aggregates export.
var AggregatesHeader = []string{"dimension", "group", "field", "field_title", "n", "mean",
	"band_0_19", "band_20_39", "band_40_59", "band_60_79", "band_80_100"}

// The groups of an aggregates export that are not a dimension's value.
const (
	GroupTotal = "gesamt"      // the table's total
	GroupNone  = "ohne Angabe" // responses without a value for the dimension
)

// WriteAggregatesCSV writes tables, as indicators.Disclose built them for
// one dimension, as CSV: per field its total, then its groups. A
// suppressed figure is written as "·" with n "n<5", and a hidden band as
// "·", so no number of a group under the threshold ever reaches the file.
func WriteAggregatesCSV(w io.Writer, q *dialogs.Questionnaire, dim survey.Dimension, tables []indicators.Table) error {
	cw, err := newCSV(w)
	if err != nil {
		return err
	}
	if err := cw.Write(AggregatesHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, t := range tables {
		title := "Gesamtindex"
		if f, ok := q.Field(t.Field); ok {
			title = f.Title.De
		}
		total := t.Total
		total.Group = GroupTotal
		for _, fig := range append([]indicators.Figure{total}, t.Cells...) {
			group := fig.Group
			if group == "" {
				group = GroupNone
			}
			if err := cw.Write(figureRecord(string(dim), Neutralise(group), t.Field, title, fig)); err != nil {
				return fmt.Errorf("write csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func figureRecord(dim, group, field, title string, f indicators.Figure) []string {
	rec := []string{dim, group, field, title}
	if f.Suppressed {
		rec = append(rec, SmallN, Suppressed)
		for range f.Bands {
			rec = append(rec, Suppressed)
		}
		return rec
	}
	rec = append(rec, strconv.Itoa(f.N), scoreCell(f.Mean).text)
	for i, b := range f.Bands {
		if f.BandShown[i] {
			rec = append(rec, strconv.Itoa(b))
		} else {
			rec = append(rec, Suppressed)
		}
	}
	return rec
}
