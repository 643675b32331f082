package exports

import (
	"fmt"
	"io"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
)

// WriteCSV writes the responses next streams as CSV: one row per response,
// the columns of the codebook (response, panel_id, wave, week, one per item code in
// questionnaire order, score_<field> per field, composite, tech_count).
// Answers are option codes, multiple choice codes joined by "|", "na" for
// "keine Angabe" and empty where the item was not asked or skipped; text a
// respondent typed is neutralised against formula injection.
func WriteCSV(w io.Writer, q *dialogs.Questionnaire, next Source) error {
	cols, err := columns(q)
	if err != nil {
		return err
	}
	cw, err := newCSV(w)
	if err != nil {
		return err
	}
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.name
	}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	err = next(func(r store.CompletedResponse) error {
		for i, c := range cells(cols, r) {
			rec[i] = c.text
			if c.isText {
				rec[i] = Neutralise(c.text)
			}
		}
		return cw.Write(rec)
	})
	if err != nil {
		return fmt.Errorf("export responses: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
