package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/exports"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
	"github.com/surveybot/surveybot/waves"
)

// exportCmd writes responses, aggregates or the codebook to a file.
func exportCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: export needs responses, panel, aggregates, change or codebook", errUsage)
	}
	switch args[0] {
	case "responses":
		return exportResponsesCmd(ctx, args[1:], e)
	case "panel":
		return exportPanelCmd(ctx, args[1:], e)
	case "aggregates":
		return exportAggregatesCmd(ctx, args[1:], e)
	case "change":
		return exportChangeCmd(ctx, args[1:], e)
	case "codebook":
		return exportCodebookCmd(args[1:], e)
	}
	return fmt.Errorf("%w: unknown export %q (responses, panel, aggregates, change or codebook)", errUsage, args[0])
}

// exportResponsesCmd writes the completed responses, of one chamber's
// members or of everyone, of one wave or all, as CSV or XLSX.
func exportResponsesCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("export responses", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	chamber := fs.String("chamber", "", "only the responses of this chamber's members (its answer code, such as hwk_h)")
	wave := fs.String("wave", "", "only the responses of this wave (its name, such as 2027-1)")
	format := fs.String("format", "", "csv or xlsx (default: from the file name, else csv)")
	out := fs.String("out", "", "the file to write")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	f, err := fileFormat(*format, *out)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		if _, err := a.fixedChamber(*chamber); err != nil {
			return err
		}
		filter := store.CompletedFilter{Questionnaire: a.q.Ref(), Chamber: *chamber}
		if *wave != "" {
			w, err := namedWave(ctx, a.db, *wave)
			if err != nil {
				return err
			}
			filter.Wave = w.ID
		}
		n := 0
		next := func(fn func(store.CompletedResponse) error) error {
			return a.db.EachCompleted(ctx, filter, func(r store.CompletedResponse) error { n++; return fn(r) })
		}
		err := writeFile(*out, func(w io.Writer) error {
			if f == "xlsx" {
				return exports.WriteXLSX(w, a.q, next)
			}
			return exports.WriteCSV(w, a.q, next)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d responses of %s written to %s\n", n, a.q.Ref(), *out)
		return nil
	})
}

// exportAggregatesCmd writes the disclosure-controlled figures of one
// breakdown as CSV.
func exportAggregatesCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("export aggregates", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	by := fs.String("by", string(survey.Overall), "overall, chamber, sector, size, region, week or wave")
	wave := fs.String("wave", "", "only the responses of this wave (its name, such as 2027-1)")
	out := fs.String("out", "", "the CSV file to write")
	langFlag := fs.String("lang", "de", "the language of the labels: de or en")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	lang, err := dialogs.ParseLang(*langFlag)
	if err != nil {
		return fmt.Errorf("%w: --lang: %w", errUsage, err)
	}
	dim := survey.Dimension(*by)
	switch {
	case !slices.Contains(survey.Dimensions(), dim):
		return fmt.Errorf("%w: --by %q (want overall, chamber, sector, size, region, week or wave)", errUsage, *by)
	case *out == "":
		return fmt.Errorf("%w: --out FILE is required", errUsage)
	case fs.NArg() > 0:
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		tables, err := waves.Tables(ctx, a.db, a.q.Ref(), dim, *wave)
		if err != nil {
			return flagError(err)
		}
		if err := writeFile(*out, func(w io.Writer) error { return exports.WriteAggregatesCSV(w, a.q, dim, tables, lang) }); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "figures of %s by %s written to %s\n", a.q.Ref(), dim, *out)
		return nil
	})
}

// exportCodebookCmd writes the codebook of the configured questionnaire;
// it needs no database.
func exportCodebookCmd(args []string, e env) error {
	fs := flag.NewFlagSet("export codebook", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file (for questionnaire.file)")
	format := fs.String("format", "", "csv or xlsx (default: from the file name, else csv)")
	out := fs.String("out", "", "the file to write")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	f, err := fileFormat(*format, *out)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, e)
	if err != nil {
		return err
	}
	q, err := loadQuestionnaire(cfg.Questionnaire.File)
	if err != nil {
		return err
	}
	err = writeFile(*out, func(w io.Writer) error {
		if f == "xlsx" {
			return exports.WriteCodebookXLSX(w, q)
		}
		return exports.WriteCodebookCSV(w, q)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "codebook of %s written to %s\n", q.Ref(), *out)
	return nil
}

// importCmd imports answers collected outside surveybot.
func importCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "answers" {
		return fmt.Errorf("%w: import needs the subcommand answers", errUsage)
	}
	fs := flag.NewFlagSet("import answers", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	skipBad := fs.Bool("skip-bad", false, "import the good rows of a file with bad ones (default: a bad row imports nothing)")
	chamber := fs.String("chamber", "", "the chamber every row belongs to (its answer code), if the file has no chamber column")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: import answers needs one CSV file", errUsage)
	}
	file, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("open import file: %w", err)
	}
	defer file.Close()
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		if _, err := a.fixedChamber(*chamber); err != nil {
			return err
		}
		rep, err := exports.ImportCSV(ctx, a.q, file, a.db, exports.ImportOptions{SkipBad: *skipBad, Chamber: *chamber})
		for _, p := range rep.Problems {
			fmt.Fprintln(e.stderr, p)
		}
		if errors.Is(err, exports.ErrRejected) {
			fmt.Fprintf(e.stderr, "%s: %v\n", fs.Arg(0), err)
			if rep.BadRows > 0 && !*skipBad {
				fmt.Fprintln(e.stderr, "Correct the rows and import the file again, or import only the good rows with --skip-bad.")
			}
			return errFailed
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d of %d rows imported (%s)", rep.Imported, rep.Rows, a.q.Ref())
		if rep.BadRows > 0 {
			fmt.Fprintf(e.stdout, ", %d bad rows skipped", rep.BadRows)
		}
		fmt.Fprintln(e.stdout)
		return nil
	})
}

// fileFormat decides between CSV and XLSX.
func fileFormat(format, out string) (string, error) {
	if out == "" {
		return "", fmt.Errorf("%w: --out FILE is required", errUsage)
	}
	switch format {
	case "csv", "xlsx":
		return format, nil
	case "":
		if strings.EqualFold(filepath.Ext(out), ".xlsx") {
			return "xlsx", nil
		}
		return "csv", nil
	}
	return "", fmt.Errorf("%w: --format %q (want csv or xlsx)", errUsage, format)
}

// writeFile writes through a temporary file beside path, renamed into
// place only when complete, so a failed export leaves no half file. The
// file is readable by its owner only: responses are personal data.
func writeFile(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
