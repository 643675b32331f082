package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/surveybot/surveybot/channels/email"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// invitationCmd creates personal invitations, prints their keys and links
// (the keys cannot be shown again) and, with --send, e-mails them.
func invitationCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: invitation needs the subcommand create", errUsage)
	}
	fs := flag.NewFlagSet("invitation create", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	langFlag := fs.String("lang", "de", "language of the invitation and its dialog: de or en")
	chamber := fs.String("chamber", "", "the chamber's answer code (such as hwk_h), fixed so it is not asked")
	ttl := fs.Duration("expires", 60*24*time.Hour, "how long the invitation is valid")
	count := fs.Int("count", 1, "how many invitations to create (without --email)")
	to := fs.String("email", "", "the invitee's e-mail address")
	send := fs.Bool("send", false, "e-mail the invitation to --email now")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	lang, err := dialogs.ParseLang(*langFlag)
	switch {
	case err != nil:
		return fmt.Errorf("%w: --lang: %w", errUsage, err)
	case *count < 1 || *count > 100000:
		return fmt.Errorf("%w: --count must be between 1 and 100000", errUsage)
	case *ttl <= 0:
		return fmt.Errorf("%w: --expires must be positive", errUsage)
	case *send && *to == "":
		return fmt.Errorf("%w: --send needs --email", errUsage)
	case *to != "" && *count != 1:
		return fmt.Errorf("%w: --email invites one person; leave out --count", errUsage)
	case *to != "" && !strings.Contains(*to, "@"):
		return fmt.Errorf("%w: --email %q is not an e-mail address", errUsage, *to)
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		fixed, err := a.fixedChamber(*chamber)
		if err != nil {
			return err
		}
		for range *count {
			inv, key, err := a.db.CreateInvitation(ctx, survey.NewInvitation{Lang: lang, Fixed: fixed, TTL: *ttl, Email: *to})
			if err != nil {
				return err
			}
			links := a.links(key)
			fmt.Fprintf(e.stdout, "%s\t%s", key, links.Web)
			if links.Telegram != "" {
				fmt.Fprintf(e.stdout, "\t%s", links.Telegram)
			}
			fmt.Fprintln(e.stdout)
			if !*send {
				continue
			}
			if out, err := a.db.OptedOut(ctx, *to); err != nil {
				return err
			} else if out {
				return fmt.Errorf("%s asked for no more e-mail; the invitation was not sent", *to)
			}
			sender, err := a.mailer()
			if err != nil {
				return err
			}
			msg, err := email.Compose(email.Invite{
				Kind: email.Invitation, Lang: lang, To: *to, WebLink: links.Web,
				TelegramLink: links.Telegram, UnsubscribeLink: links.Unsubscribe, Deadline: inv.ExpiresAt,
			})
			if err != nil {
				return err
			}
			if err := sender.Send(ctx, msg); err != nil {
				return fmt.Errorf("send invitation: %w", err)
			}
			fmt.Fprintf(e.stdout, "sent to %s\n", *to)
		}
		return nil
	})
}

func (a *app) links(key string) email.Links {
	base := strings.TrimRight(a.cfg.Web.BaseURL, "/")
	l := email.Links{Web: base + "/s/" + key, Unsubscribe: base + "/u/" + key}
	if u := a.cfg.Telegram.BotUsername; u != "" {
		l.Telegram = "https://t.me/" + url.PathEscape(u) + "?start=" + key
	}
	return l
}

// mailer returns the configured e-mail sender.
func (a *app) mailer() (email.Sender, error) {
	c := a.cfg.Email
	if c.Mode == "smtp" {
		return email.NewSMTPSender(email.SMTPConfig{
			Host: c.SMTPHost, Port: c.SMTPPort, Username: c.SMTPUsername, Password: c.SMTPPassword,
			TLS: c.SMTPTLS, From: c.From, Timeout: c.Timeout,
		})
	}
	return email.NewFileSender(c.OutboxDir, c.From)
}

// openlinkCmd creates an open link: one key for many respondents, as a
// Telegram deep link and a web address, for a newsletter or a website.
func openlinkCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: openlink needs the subcommand create", errUsage)
	}
	fs := flag.NewFlagSet("openlink create", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	langFlag := fs.String("lang", "de", "language of the dialogs it starts: de or en")
	chamber := fs.String("chamber", "", "the chamber's answer code (such as hwk_h), fixed for everyone who follows the link")
	ttl := fs.Duration("expires", 90*24*time.Hour, "how long the link works")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	lang, err := dialogs.ParseLang(*langFlag)
	if err != nil {
		return fmt.Errorf("%w: --lang: %w", errUsage, err)
	}
	if *ttl <= 0 {
		return fmt.Errorf("%w: --expires must be positive", errUsage)
	}
	return withApp(ctx, *cfgPath, e, func(a *app) error {
		fixed, err := a.fixedChamber(*chamber)
		if err != nil {
			return err
		}
		l, err := a.db.CreateOpenLink(ctx, lang, fixed, *ttl)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\t%s/o/%s", l.Key, strings.TrimRight(a.cfg.Web.BaseURL, "/"), l.Key)
		if u := a.cfg.Telegram.BotUsername; u != "" {
			fmt.Fprintf(e.stdout, "\thttps://t.me/%s?start=%s", url.PathEscape(u), l.Key)
		}
		fmt.Fprintln(e.stdout)
		return nil
	})
}

// fixedChamber checks a chamber answer code against the questionnaire.
func (a *app) fixedChamber(chamber string) (map[string]string, error) {
	fixed := map[string]string{}
	if chamber == "" {
		return fixed, nil
	}
	it, ok := a.q.Item("chamber")
	if !ok || !slices.Contains(it.Codes(), chamber) {
		return nil, fmt.Errorf("%w: --chamber %q is not an answer of the questionnaire's chamber question", errUsage, chamber)
	}
	fixed["chamber"] = chamber
	return fixed, nil
}
