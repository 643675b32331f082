package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"

	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// chamberCmd adds a chamber with its API key, issues it another key, or
// revokes its keys.
func chamberCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "key" && args[0] != "revoke") {
		return fmt.Errorf("%w: chamber needs the subcommand add, key or revoke", errUsage)
	}
	sub := args[0]
	fs := flag.NewFlagSet("chamber "+sub, flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	code := fs.String("code", "", "the chamber's answer code in the questionnaire, such as hwk_h")
	var name *string
	if sub == "add" {
		name = fs.String("name", "", "the chamber's name")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	switch {
	case sub == "add" && (*code == "" || *name == ""):
		return fmt.Errorf("%w: chamber add needs --code and --name", errUsage)
	case *code == "":
		return fmt.Errorf("%w: chamber %s needs --code", errUsage, sub)
	case fs.NArg() > 0:
		return fmt.Errorf("%w: chamber %s takes no arguments besides its flags, not %q", errUsage, sub, fs.Arg(0))
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		switch sub {
		case "key":
			key, err := a.db.IssueChamberKey(ctx, *code)
			if errors.Is(err, survey.ErrNotFound) {
				return fmt.Errorf("no chamber %s; add it with `surveybot chamber add --code %s --name NAME`", *code, *code)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "new API key for chamber %s (shown only now; its other keys keep working until `surveybot chamber revoke --code %s`): %s\n", *code, *code, key)
			return nil
		case "revoke":
			n, err := a.db.RevokeChamberKeys(ctx, *code)
			if errors.Is(err, survey.ErrNotFound) {
				return fmt.Errorf("no chamber %s", *code)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%d API key(s) of chamber %s revoked; issue a new one with `surveybot chamber key --code %s`\n", n, *code, *code)
			return nil
		}
		if it, ok := a.q.Item("chamber"); !ok || !slices.Contains(it.Codes(), *code) {
			return fmt.Errorf("%w: --code %q is not an answer of the questionnaire's chamber question", errUsage, *code)
		}
		_, key, err := a.db.AddChamber(ctx, *code, *name)
		if errors.Is(err, store.ErrChamberExists) {
			return fmt.Errorf("chamber %s exists; use `surveybot chamber key --code %s` to issue a new key", *code, *code)
		}
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
	silence(fs)
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
