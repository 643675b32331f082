package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
)

// chamberCmd adds a chamber with its API key, or makes the operator's key.
func chamberCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: chamber needs the subcommand add", errUsage)
	}
	fs := flag.NewFlagSet("chamber add", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "config file")
	code := fs.String("code", "", "the chamber's answer code in the questionnaire, such as hwk_h")
	name := fs.String("name", "", "the chamber's name")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *code == "" || *name == "" {
		return fmt.Errorf("%w: chamber add needs --code and --name", errUsage)
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		if it, ok := a.q.Item("chamber"); !ok || !slices.Contains(it.Codes(), *code) {
			return fmt.Errorf("%w: --code %q is not an answer of the questionnaire's chamber question", errUsage, *code)
		}
		_, key, err := a.db.AddChamber(ctx, *code, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "chamber %s added. Its API key (shown only now): %s\n", *code, key)
		return nil
	})
}

// apikeyCmd makes an operator API key, which sees every chamber.
func apikeyCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "operator" {
		return fmt.Errorf("%w: apikey needs the subcommand operator", errUsage)
	}
	fs := flag.NewFlagSet("apikey operator", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "config file")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		key, err := a.db.CreateOperatorKey(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "operator API key (shown only now): %s\n", key)
		return nil
	})
}
