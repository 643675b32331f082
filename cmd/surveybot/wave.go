package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/surveybot/surveybot/waves"
)

// waveCmd plans a wave or lists the waves.
func waveCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		return fmt.Errorf("%w: wave needs the subcommand add or list", errUsage)
	}
	sub := args[0]
	fs := flag.NewFlagSet("wave "+sub, flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	var spec waves.Spec
	if sub == "add" {
		fs.StringVar(&spec.Name, "name", "", "the wave's name, such as 2027-1")
		fs.StringVar(&spec.Start, "start", "", "first day (YYYY-MM-DD, Europe/Berlin) or RFC 3339 time")
		fs.StringVar(&spec.End, "end", "", "last day (YYYY-MM-DD) or RFC 3339 time")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: wave %s takes no arguments besides its flags, not %q", errUsage, sub, fs.Arg(0))
	}
	if sub == "add" && (spec.Name == "" || spec.Start == "" || spec.End == "") {
		return fmt.Errorf("%w: wave add needs --name, --start and --end", errUsage)
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		if sub == "add" {
			w, err := waves.Add(ctx, a.db, a.q, spec, time.Now())
			var bad *waves.Invalid
			if errors.As(err, &bad) {
				return fmt.Errorf("%w: --%s: %s", errUsage, bad.Field, bad.Msg)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wave %s planned: from %s to %s, questionnaire %s; respondents join it from its start\n",
				w.Name, berlinDay(w.StartsAt), berlinDay(w.EndsAt.Add(-time.Nanosecond)), w.Questionnaire)
			return nil
		}
		list, err := a.db.Waves(ctx)
		if err != nil {
			return err
		}
		now := time.Now()
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "WAVE\tSTART\tEND\tQUESTIONNAIRE\tSTATE")
		for i, w := range list {
			state := "planned"
			if !w.StartsAt.After(now) {
				state = "over"
				if i == len(list)-1 || list[i+1].StartsAt.After(now) {
					state = "current"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", w.Name, berlinDay(w.StartsAt), berlinDay(w.EndsAt.Add(-time.Nanosecond)), w.Questionnaire, state)
		}
		return tw.Flush()
	})
}

// berlinDay is a time's day in Europe/Berlin.
func berlinDay(t time.Time) string {
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		t = t.In(loc)
	}
	return t.Format(time.DateOnly)
}
