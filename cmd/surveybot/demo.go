package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/synthetic"
)

// demoCmd fills the database with a realistic synthetic data set.
func demoCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("demo-data", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	n := fs.Int("responses", 2000, "how many completed responses, over all waves")
	nWaves := fs.Int("waves", 3, "how many waves, half a year apart, the last one current")
	weeks := fs.Int("weeks", 12, "each wave's responses spread over this many weeks")
	seed := fs.Uint64("seed", 1, "the same seed gives the same data set")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: demo-data takes no arguments besides its flags, not %q", errUsage, fs.Arg(0))
	}
	if *n < 1 || *n > 1_000_000 || *weeks < 1 || *weeks > 520 || *nWaves < 1 || *nWaves > 20 {
		return fmt.Errorf("%w: --responses must be 1 to 1000000, --weeks 1 to 520 and --waves 1 to 20", errUsage)
	}
	if *n < *nWaves {
		return fmt.Errorf("%w: --responses %d cannot fill --waves %d: give each wave one or more", errUsage, *n, *nWaves)
	}
	if *nWaves > 1 && *weeks > synthetic.MaxWeeks {
		return fmt.Errorf("%w: with more than one wave, --weeks is at most %d: a wave ends before the next, half a year later", errUsage, synthetic.MaxWeeks)
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		// A second handle on the same database whose clock the generator
		// sets, so that completions fall into past weeks.
		clock := &synthetic.Clock{}
		db, err := store.Open(ctx, a.cfg.SQL.DSN, store.WithClock(clock.Now))
		if err != nil {
			return err
		}
		defer db.Close()
		start := time.Now()
		opts := synthetic.Options{Responses: *n, Waves: *nWaves, Weeks: *weeks, End: start, Seed: *seed}
		if err := synthetic.Generate(ctx, db, clock, a.q, opts); err != nil {
			return err
		}
		plan := synthetic.Plan(a.q.Ref(), opts)
		names := make([]string, len(plan))
		for i, w := range plan {
			names[i] = w.Name
		}
		where := "wave " + names[0] + ", now current"
		if len(names) > 1 {
			where = fmt.Sprintf("waves %s, about %d each, the last one current, with a panel of firms answering again", strings.Join(names, ", "), *n / *nWaves)
		}
		fmt.Fprintf(e.stdout, "%d synthetic responses of invited members (about a third of those invited) stored over %d weeks in %s in %s\n",
			*n, *weeks, where, time.Since(start).Round(time.Millisecond))
		return nil
	})
}
