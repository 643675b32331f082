package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
)

// invitationCmd creates personal invitations and prints their keys and
// links; the keys cannot be shown again.
func invitationCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: invitation needs the subcommand create", errUsage)
	}
	fs := flag.NewFlagSet("invitation create", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "config file")
	langFlag := fs.String("lang", "de", "language of the invitation's dialog: de or en")
	chamber := fs.String("chamber", "", "the chamber's answer code (such as hwk_h), fixed so it is not asked")
	ttl := fs.Duration("expires", 60*24*time.Hour, "how long the invitation is valid")
	count := fs.Int("count", 1, "how many invitations to create")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	lang, err := dialogs.ParseLang(*langFlag)
	if err != nil {
		return fmt.Errorf("%w: --lang: %v", errUsage, err)
	}
	if *count < 1 || *count > 100000 {
		return fmt.Errorf("%w: --count must be between 1 and 100000", errUsage)
	}
	if *ttl <= 0 {
		return fmt.Errorf("%w: --expires must be positive", errUsage)
	}
	cfg, err := loadConfig(*cfgPath, e)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()
	fixed := map[string]string{}
	if *chamber != "" {
		it, ok := a.q.Item("chamber")
		if !ok || !slices.Contains(it.Codes(), *chamber) {
			return fmt.Errorf("%w: --chamber %q is not an answer of the questionnaire's chamber question", errUsage, *chamber)
		}
		fixed["chamber"] = *chamber
	}
	for range *count {
		_, key, err := a.db.CreateInvitation(ctx, store.NewInvitation{Lang: lang, Fixed: fixed, TTL: *ttl})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s", key)
		if u := cfg.Telegram.BotUsername; u != "" {
			fmt.Fprintf(e.stdout, "\thttps://t.me/%s?start=%s", u, key)
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}
