package main

import (
	"context"
	"flag"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"time"

	"github.com/surveybot/surveybot/digest"
	"github.com/surveybot/surveybot/survey"
)

// digestCmd renders the weekly digest without sending it.
func digestCmd(ctx context.Context, args []string, e env) error {
	if len(args) > 0 && args[0] == "subscribers" {
		return subscribersCmd(ctx, args[1:], e)
	}
	if len(args) == 0 || args[0] != "preview" {
		return fmt.Errorf("%w: digest needs the subcommand preview or subscribers", errUsage)
	}
	fs := flag.NewFlagSet("digest preview", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	week := fs.String("week", "", "the ISO week, such as 2026-W48 (default: the week the next digest reports, the one before this week)")
	out := fs.String("out", ".", "folder for the text and the chart")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *week != "" {
		if _, err := digest.ParseWeek(*week); err != nil {
			return fmt.Errorf("%w: --week: %w", errUsage, err)
		}
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		if *week == "" {
			_, _, loc := a.cfg.Digest.Schedule()
			*week = reportedWeek(time.Now(), loc)
		}
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

// reportedWeek is the week the digest sent next reports at now: the
// complete ISO week before the current one in the digest's time zone, as
// digest.Job sends it, not the week still under way.
func reportedWeek(now time.Time, loc *time.Location) string {
	return survey.ISOWeek(now.In(loc).AddDate(0, 0, -7))
}

// subscribersCmd lists, adds and removes the digest's subscribers.
func subscribersCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "remove" && args[0] != "list") {
		return fmt.Errorf("%w: digest subscribers needs add, remove or list", errUsage)
	}
	verb := args[0]
	fs := flag.NewFlagSet("digest subscribers "+verb, flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	slackCh := fs.String(string(survey.Slack), "", "a Slack channel id (the app must be invited there)")
	chat := fs.String(string(survey.Telegram), "", "a Telegram chat id")
	addr := fs.String(string(survey.Email), "", "an e-mail address")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	var subs []survey.Subscriber
	for kind, target := range map[survey.Channel]string{survey.Slack: *slackCh, survey.Telegram: *chat, survey.Email: *addr} {
		if target != "" {
			subs = append(subs, survey.Subscriber{Kind: kind, Target: target})
		}
	}
	if verb != "list" && len(subs) != 1 {
		return fmt.Errorf("%w: name one subscriber: --slack, --telegram or --email", errUsage)
	}
	if *addr != "" {
		if _, err := mail.ParseAddress(*addr); err != nil {
			return fmt.Errorf("%w: --email %q is not an e-mail address", errUsage, *addr)
		}
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		switch verb {
		case "add":
			if err := a.db.AddSubscriber(ctx, subs[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s %s gets the weekly digest\n", subs[0].Kind, subs[0].Target)
		case "remove":
			if err := a.db.RemoveSubscriber(ctx, subs[0]); err != nil {
				return fmt.Errorf("%s %s: %w", subs[0].Kind, subs[0].Target, err)
			}
			fmt.Fprintf(e.stdout, "%s %s no longer gets the weekly digest\n", subs[0].Kind, subs[0].Target)
		default:
			list, err := a.db.Subscribers(ctx)
			if err != nil {
				return err
			}
			for _, s := range list {
				fmt.Fprintf(e.stdout, "%s\t%s\n", s.Kind, s.Target)
			}
		}
		return nil
	})
}
