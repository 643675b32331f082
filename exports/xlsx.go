package exports

import (
	"fmt"
	"io"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/xuri/excelize/v2"
)

// The sheets of a responses workbook.
const (
	SheetAnswers  = "Antworten"
	SheetCodebook = "Codebuch"
)

// WriteXLSX writes the responses next streams as an Excel workbook: the
// sheet "Antworten" with the columns of WriteCSV (numbers as numbers; text
// cells are never formulas in XLSX, so nothing needs neutralising), and
// the sheet "Codebuch". Rows are streamed; excelize moves them to a
// temporary file once they outgrow its buffer.
func WriteXLSX(w io.Writer, q *dialogs.Questionnaire, next Source) (err error) {
	cols, err := columns(q)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close workbook: %w", cerr)
		}
	}()
	if err := f.SetSheetName("Sheet1", SheetAnswers); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	sw, err := f.NewStreamWriter(SheetAnswers)
	if err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	if err := sw.SetRow("A1", header); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	row := 1
	vals := make([]any, len(cols))
	err = next(func(r store.CompletedResponse) error {
		row++
		for i, c := range cells(cols, r) {
			switch {
			case c.isNum:
				vals[i] = c.num
			case c.text == "":
				vals[i] = nil
			default:
				vals[i] = c.text
			}
		}
		name, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(name, vals)
	})
	if err != nil {
		return fmt.Errorf("export responses: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	if err := writeCodebookSheet(f, q); err != nil {
		return err
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

func writeCodebookSheet(f *excelize.File, q *dialogs.Questionnaire) error {
	if _, err := f.NewSheet(SheetCodebook); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	sw, err := f.NewStreamWriter(SheetCodebook)
	if err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	if err := sw.SetColWidth(4, 5, 60); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	if err := sw.SetColWidth(6, 6, 40); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	write := func(row int, rec []string) error {
		vals := make([]any, len(rec))
		for i, s := range rec {
			vals[i] = s
		}
		name, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(name, vals)
	}
	if err := write(1, CodebookHeader); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	for i, r := range Codebook(q) {
		if err := write(i+2, r.Record()); err != nil {
			return fmt.Errorf("workbook: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	return nil
}

// WriteCodebookXLSX writes the codebook of q alone as a workbook.
func WriteCodebookXLSX(w io.Writer, q *dialogs.Questionnaire) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close workbook: %w", cerr)
		}
	}()
	if err := writeCodebookSheet(f, q); err != nil {
		return err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}
