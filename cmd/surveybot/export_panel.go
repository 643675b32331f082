package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/surveybot/surveybot/exports"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// exportPanelCmd writes the panel: each firm's scores in every wave it
// answered, linked by its panel id, in the long or the wide format.
func exportPanelCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("export panel", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	chamber := fs.String("chamber", "", "only the responses of this chamber's members (its answer code, such as hwk_h)")
	format := fs.String("format", "long", "long (a row per firm and wave) or wide (a row per firm)")
	out := fs.String("out", "", "the CSV file to write")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	switch {
	case *format != "long" && *format != "wide":
		return fmt.Errorf("%w: --format %q (want long or wide)", errUsage, *format)
	case *out == "":
		return fmt.Errorf("%w: --out FILE is required", errUsage)
	case fs.NArg() > 0:
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		if _, err := a.fixedChamber(*chamber); err != nil {
			return err
		}
		filter := store.PanelFilter{Questionnaire: a.q.ID, Chamber: *chamber}
		rows, firms, last := 0, 0, ""
		next := func(fn func(store.PanelResponse) error) error {
			return a.db.EachPanel(ctx, filter, func(r store.PanelResponse) error {
				rows++
				if r.PanelID != last {
					firms, last = firms+1, r.PanelID
				}
				return fn(r)
			})
		}
		var names []string
		if *format == "wide" {
			list, err := a.db.Waves(ctx)
			if err != nil {
				return err
			}
			names = begunWaves(list, a.q.ID, time.Now())
		}
		err := writeFile(*out, func(w io.Writer) error {
			if *format == "wide" {
				return exports.WritePanelWide(w, a.q, names, next)
			}
			return exports.WritePanelLong(w, a.q, next)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "panel of questionnaire %s: %d firms, %d responses written to %s (%s)\n", a.q.ID, firms, rows, *out, *format)
		return nil
	})
}

// begunWaves names the waves of questionnaire qid that have begun at now,
// the earliest first: the column groups of a wide panel. A wave still
// planned has no responses yet.
func begunWaves(list []survey.Wave, qid string, now time.Time) []string {
	var out []string
	for _, w := range list {
		if w.Questionnaire.ID == qid && !w.StartsAt.After(now) {
			out = append(out, w.Name)
		}
	}
	return out
}

// waveStore finds a wave by name.
type waveStore interface {
	Wave(ctx context.Context, idOrName string) (survey.Wave, error)
}

// namedWave returns the wave of a --wave flag; an unknown name is a usage
// error.
func namedWave(ctx context.Context, db waveStore, name string) (survey.Wave, error) {
	w, err := db.Wave(ctx, name)
	if errors.Is(err, survey.ErrNotFound) {
		return survey.Wave{}, fmt.Errorf("%w: --wave %q: no such wave (surveybot wave list shows them)", errUsage, name)
	}
	return w, err
}
