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

// AggregatesHeader names the columns of an aggregates export: codes
// (dimension, group, field) for programs, labels (group_label, field_title)
// in the export's language for people.
var AggregatesHeader = []string{"dimension", "group", "group_label", "field", "field_title", "n", "mean",
	"band_0_19", "band_20_39", "band_40_59", "band_60_79", "band_80_100"}

// The group codes of an aggregates export that are not a dimension's value.
const (
	GroupTotal = "total" // the table's total
	GroupNone  = "none"  // responses without a value for the dimension
)

// GroupCode is the code of a figure's group: GroupTotal for a table's
// total, GroupNone for the responses without a value, else the value (an
// option code, a district's AGS key, a week).
func GroupCode(f indicators.Figure, total bool) string {
	switch {
	case total:
		return GroupTotal
	case f.Group == "":
		return GroupNone
	}
	return f.Group
}

// GroupLabel is the label of a group code of dim: the option's label where
// the dimension is a choice item of q (chamber, sector, size), the
// district's name for a region, else the code.
func GroupLabel(q *dialogs.Questionnaire, dim survey.Dimension, code string) dialogs.Text {
	switch code {
	case GroupTotal:
		return dialogs.Text{De: "gesamt", En: "total"}
	case GroupNone:
		return dialogs.Text{De: "ohne Angabe", En: "not given"}
	}
	if dim == survey.ByRegion {
		if name := q.Area().Name(code); name != "" {
			return dialogs.Text{De: name, En: name}
		}
	}
	if it, ok := q.Item(string(dim)); ok {
		for _, o := range it.Options {
			if o.Code == code {
				return o.Label
			}
		}
	}
	return dialogs.Text{De: code, En: code}
}

// FieldTitle is the title of an indicator field, or of the composite.
func FieldTitle(q *dialogs.Questionnaire, field string) dialogs.Text {
	if f, ok := q.Field(field); ok {
		return f.Title
	}
	return dialogs.Text{De: "Gesamtindex", En: "Composite index"}
}

// WriteAggregatesCSV writes tables, as indicators.Disclose built them for
// one dimension, as CSV: per field its total, then its groups, with the
// labels in lang (German if empty). A suppressed figure is written as "·"
// with n "n<5", and a hidden band as "·", so no number of a group under
// the threshold ever reaches the file.
func WriteAggregatesCSV(w io.Writer, q *dialogs.Questionnaire, dim survey.Dimension, tables []indicators.Table, lang dialogs.Lang) error {
	cw, err := newCSV(w)
	if err != nil {
		return err
	}
	if err := cw.Write(AggregatesHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, t := range tables {
		title := FieldTitle(q, t.Field).In(lang)
		for i, fig := range append([]indicators.Figure{t.Total}, t.Cells...) {
			code := GroupCode(fig, i == 0)
			label := GroupLabel(q, dim, code).In(lang)
			if err := cw.Write(figureRecord(string(dim), Neutralise(code), Neutralise(label), t.Field, Neutralise(title), fig)); err != nil {
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

func figureRecord(dim, group, label, field, title string, f indicators.Figure) []string {
	rec := []string{dim, group, label, field, title}
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
