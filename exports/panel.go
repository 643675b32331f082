package exports

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// PanelSource streams the rows of a panel export: it calls fn once per
// firm and wave, ordered by panel id and then by wave, and stops at fn's
// first error. A store's EachPanel, bound to a filter, is one.
type PanelSource func(fn func(store.PanelResponse) error) error

// The columns of a panel export besides one per field score.
const (
	ColCompletedAt = "completed_at" // the day of completion, YYYY-MM-DD
	// WideSep joins a wave's name and a column in the wide format:
	// 2027-1_composite.
	WideSep = "_"
)

// panelDims are the screening dimensions of a panel row, in column order.
func panelDims() []survey.Dimension {
	return []survey.Dimension{survey.ByChamber, survey.BySector, survey.BySize, survey.ByRegion}
}

// panelColumns are the columns one wave of a firm fills: completed_at,
// composite, tech_count, one per field (named by the field: maturity), and
// the screening dimensions chamber, sector, size and region.
func panelColumns(q *dialogs.Questionnaire) ([]string, error) {
	cols := []string{ColCompletedAt, ColComposite, ColTechCount}
	for _, f := range q.Fields {
		cols = append(cols, f.ID)
	}
	for _, d := range panelDims() {
		cols = append(cols, string(d))
	}
	seen := map[string]bool{ColPanelID: true, ColWave: true}
	for _, c := range cols {
		if seen[c] {
			return nil, fmt.Errorf("questionnaire %s: field %q has the name of a panel column; rename it", q.Ref(), c)
		}
		seen[c] = true
	}
	return cols, nil
}

// panelCells are a row's values in the order of panelColumns.
func panelCells(q *dialogs.Questionnaire, r store.PanelResponse) []string {
	out := []string{r.CompletedAt.Format("2006-01-02"), "", ""}
	if r.Composite != nil {
		out[1] = scoreCell(*r.Composite).text
	}
	if r.TechCount != nil {
		out[2] = strconv.Itoa(*r.TechCount)
	}
	for _, f := range q.Fields {
		v, ok := r.Scores[f.ID]
		if !ok {
			out = append(out, "")
			continue
		}
		out = append(out, scoreCell(v).text)
	}
	for _, d := range panelDims() {
		out = append(out, Neutralise(r.Dims[d]))
	}
	return out
}

// WritePanelLong writes the panel as CSV in the long format: one row per
// firm and wave, the columns panel_id, wave and those of panelColumns.
func WritePanelLong(w io.Writer, q *dialogs.Questionnaire, next PanelSource) error {
	cols, err := panelColumns(q)
	if err != nil {
		return err
	}
	return writePanel(w, append([]string{ColPanelID, ColWave}, cols...), func(write func([]string) error) error {
		return next(func(r store.PanelResponse) error {
			return write(append([]string{r.PanelID, Neutralise(r.Wave)}, panelCells(q, r)...))
		})
	})
}

// WritePanelWide writes the panel as CSV in the wide format: one row per
// firm, panel_id and then, for each of waves in their order, the columns
// of panelColumns prefixed with the wave's name (2027-1_composite,
// 2027-1_maturity); they are empty where the firm did not answer that
// wave. A row of a wave not in waves is an error.
func WritePanelWide(w io.Writer, q *dialogs.Questionnaire, waves []string, next PanelSource) error {
	cols, err := panelColumns(q)
	if err != nil {
		return err
	}
	header := []string{ColPanelID}
	for _, wv := range waves {
		for _, c := range cols {
			header = append(header, Neutralise(wv+WideSep+c))
		}
	}
	return writePanel(w, header, func(write func([]string) error) error {
		var firm string
		rec := make([]string, len(header))
		flush := func() error {
			if firm == "" {
				return nil
			}
			return write(rec)
		}
		err := next(func(r store.PanelResponse) error {
			i := slices.Index(waves, r.Wave)
			if i < 0 {
				return fmt.Errorf("wave %q is not among the waves of the export", r.Wave)
			}
			if r.PanelID != firm {
				if err := flush(); err != nil {
					return err
				}
				firm = r.PanelID
				clear(rec)
				rec[0] = firm
			}
			copy(rec[1+i*len(cols):], panelCells(q, r))
			return nil
		})
		if err != nil {
			return err
		}
		return flush()
	})
}

// writePanel writes the header and the records rows passes to write.
func writePanel(w io.Writer, header []string, rows func(write func([]string) error) error) error {
	cw, err := newCSV(w)
	if err != nil {
		return err
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if err := rows(cw.Write); err != nil {
		return fmt.Errorf("export panel: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
