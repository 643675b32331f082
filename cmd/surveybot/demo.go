package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/synthetic"
)

// demoCmd fills the database with a realistic synthetic data set.
func demoCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("demo-data", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	n := fs.Int("responses", 2000, "how many completed responses")
	weeks := fs.Int("weeks", 12, "spread over this many past weeks")
	seed := fs.Uint64("seed", 1, "the same seed gives the same data set")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *n < 1 || *n > 1_000_000 || *weeks < 1 || *weeks > 520 {
		return fmt.Errorf("%w: --responses must be 1 to 1000000 and --weeks 1 to 520", errUsage)
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
		err = synthetic.Generate(ctx, db, clock, a.q, synthetic.Options{Responses: *n, Weeks: *weeks, End: time.Now(), Seed: *seed})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d synthetic responses of invited members (about a third of those invited) stored over %d weeks in %s\n",
			*n, *weeks, time.Since(start).Round(time.Millisecond))
		return nil
	})
}
