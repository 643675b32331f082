package exports

import (
	"fmt"
	"io"
	"strconv"

	"github.com/surveybot/surveybot/indicators"
)

// ChangeHeader names the columns of a change export: per field (and the
// composite) one row on the panel and one on all respondents. On a panel
// row mean_from and mean_to are the panel firms' means.
var ChangeHeader = []string{"field", "basis", "n_from", "n_to", "n_panel", "mean_from", "mean_to", "change", "suppressed"}

// WriteChangeCSV writes the changes between two waves as
// indicators.Waves.Changes returned them. A suppressed row has "·" for
// every number and the reason in the last column; n_panel is empty on
// rows on all respondents.
func WriteChangeCSV(w io.Writer, rows []indicators.WaveChange) error {
	cw, err := newCSV(w)
	if err != nil {
		return err
	}
	if err := cw.Write(ChangeHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, r := range rows {
		rec := []string{Neutralise(r.Field), r.Basis}
		switch {
		case r.Suppressed != "":
			rec = append(rec, Suppressed, Suppressed, Suppressed, Suppressed, Suppressed, Suppressed, r.Suppressed)
		default:
			panel := ""
			if r.Basis == indicators.BasisPanel {
				panel = strconv.Itoa(r.NPanel)
			}
			rec = append(rec, strconv.Itoa(r.NFrom), strconv.Itoa(r.NTo), panel,
				scoreCell(r.MeanFrom).text, scoreCell(r.MeanTo).text, scoreCell(r.Change).text, "")
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
