package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/surveybot/surveybot/digest"
	"github.com/surveybot/surveybot/store"
)

// digestCmd renders the weekly digest without sending it.
func digestCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "preview" {
		return fmt.Errorf("%w: digest needs the subcommand preview", errUsage)
	}
	fs := flag.NewFlagSet("digest preview", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "config file")
	week := fs.String("week", store.ISOWeek(time.Now()), "the ISO week, such as 2026-W48")
	out := fs.String("out", ".", "folder for the text and the chart")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if _, err := digest.ParseWeek(*week); err != nil {
		return fmt.Errorf("%w: --week: %w", errUsage, err)
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		d, err := digest.Build(ctx, a.db, a.q, *week)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("digest folder: %w", err)
		}
		text := filepath.Join(*out, "digest-"+*week+".txt")
		chart := filepath.Join(*out, "digest-"+*week+".png")
		if err := os.WriteFile(text, []byte(d.Text()), 0o644); err != nil {
			return fmt.Errorf("write digest: %w", err)
		}
		if err := os.WriteFile(chart, d.Chart, 0o644); err != nil {
			return fmt.Errorf("write chart: %w", err)
		}
		fmt.Fprint(e.stdout, d.Text())
		fmt.Fprintf(e.stdout, "\n(written to %s and %s)\n", text, chart)
		return nil
	})
}
