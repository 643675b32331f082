package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/surveybot/surveybot/exports"
	"github.com/surveybot/surveybot/waves"
)

// exportChangeCmd writes the disclosure-controlled change of every field
// between two waves, on the panel and on all respondents, as CSV.
func exportChangeCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("export change", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	from := fs.String("from", "", "the earlier wave (default: the one before --to)")
	to := fs.String("to", "", "the later wave (default: the current one)")
	out := fs.String("out", "", "the CSV file to write")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	switch {
	case *out == "":
		return fmt.Errorf("%w: --out FILE is required", errUsage)
	case fs.NArg() > 0:
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		c, err := waves.Changes(ctx, a.db, a.q.Ref(), *from, *to, time.Now())
		if err != nil {
			return flagError(err)
		}
		if err := writeFile(*out, func(w io.Writer) error { return exports.WriteChangeCSV(w, c.Rows) }); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "change from wave %s to %s written to %s\n", c.From.Name, c.To.Name, *out)
		return nil
	})
}

// flagError names the flag behind a refused wave, such as --wave.
func flagError(err error) error {
	var bad *waves.Invalid
	if errors.As(err, &bad) {
		return fmt.Errorf("%w: --%s: %s (see surveybot wave list)", errUsage, bad.Field, bad.Msg)
	}
	return err
}
