package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/surveybot/surveybot/campaigns"
	"github.com/surveybot/surveybot/channels/email"
	"github.com/surveybot/surveybot/channels/outbox"
	slackch "github.com/surveybot/surveybot/channels/slack"
	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/members"
	"github.com/surveybot/surveybot/survey"
)

// campaigns builds the campaign runner. With send, it sends on e-mail and
// on Telegram and Slack when those channels are given; without, it only
// queues (the CLI), and serve sends.
func (a *app) campaigns(ctx context.Context, log *slog.Logger, send bool, tg *telegram.Channel, sl *slackch.Channel) (*campaigns.Service, error) {
	secret := []byte(a.cfg.Campaigns.KeySecret)
	if len(secret) == 0 {
		var err error
		if secret, err = a.db.Secret(ctx, "campaign_keys"); err != nil {
			return nil, err
		}
	}
	cfg := campaigns.Config{KeySecret: secret, Workers: a.cfg.Campaigns.Workers, Channels: []survey.Channel{survey.Email},
		RemindMinGap: a.cfg.Campaigns.RemindMinGap}
	// A launch queues on every channel the deployment has, also from the
	// CLI, which sends on none: serve sends them.
	if a.cfg.Telegram.Token != "" {
		cfg.Channels = append(cfg.Channels, survey.Telegram)
	}
	if a.cfg.Slack.BotToken != "" {
		cfg.Channels = append(cfg.Channels, survey.Slack)
	}
	if send {
		senders, limiters, err := a.inviteSenders(tg, sl)
		if err != nil {
			return nil, err
		}
		cfg.Senders, cfg.Limiters = senders, limiters
	}
	return campaigns.New(ctx, a.db, a.q, cfg, log.With(slog.String("component", "campaigns")))
}

// inviteSenders are the channels' senders of campaign messages, paced by
// the same limiters as the channels' own send queues.
func (a *app) inviteSenders(tg *telegram.Channel, sl *slackch.Channel) (map[survey.Channel]campaigns.InviteSender, map[survey.Channel]campaigns.Limiter, error) {
	mailer, err := a.mailer()
	if err != nil {
		return nil, nil, err
	}
	limits := outbox.Limits{Global: a.cfg.Campaigns.EmailRate, GlobalBurst: max(1, int(a.cfg.Campaigns.EmailRate))}
	var emailLim outbox.Limiter = outbox.NewMemoryLimiter(limits)
	if a.rdb != nil {
		emailLim = outbox.NewRedisLimiter(a.rdb, a.cfg.Redis.KeyPrefix+"email:rate:", limits)
	}
	senders := map[survey.Channel]campaigns.InviteSender{survey.Email: email.Inviter{Sender: mailer, Links: a.links}}
	limiters := map[survey.Channel]campaigns.Limiter{survey.Email: emailLim}
	if tg != nil {
		senders[survey.Telegram], limiters[survey.Telegram] = tg, a.tgLimiter
	}
	if sl != nil {
		senders[survey.Slack], limiters[survey.Slack] = sl, a.slackLimiter
	}
	return senders, limiters, nil
}

// membersCmd imports or lists a chamber's members.
func membersCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "list") {
		return fmt.Errorf("%w: members needs the subcommand import or list", errUsage)
	}
	fs := flag.NewFlagSet("members "+args[0], flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	chamber := fs.String("chamber", "", "the chamber's code, such as hwk_h")
	skipBad := fs.Bool("skip-bad", false, "import the good rows of a file with bad rows")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *chamber == "" {
		return fmt.Errorf("%w: members %s needs --chamber", errUsage, args[0])
	}
	if args[0] == "import" && fs.NArg() != 1 {
		return fmt.Errorf("%w: members import needs one FILE (CSV)", errUsage)
	}
	return withCampaigns(ctx, *cfgPath, e, func(a *app, c *campaigns.Service) error {
		if args[0] == "list" {
			ms, err := c.Members(ctx, survey.Principal{}, *chamber)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NUMBER\tCOMPANY\tE-MAIL\tTELEGRAM\tSLACK\tLANG\tCONSENT")
			for _, m := range ms {
				fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%s\t%s\t%v\n", m.MemberNo, m.Company, m.Email, m.Telegram, m.Slack, m.Lang, m.Consent)
			}
			return w.Flush()
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("member list: %w", err)
		}
		defer f.Close()
		res, err := c.ImportMembers(ctx, survey.Principal{}, *chamber, f, *skipBad)
		var bad *campaigns.BadRowsError
		if errors.As(err, &bad) {
			fmt.Fprintln(e.stderr, "surveybot: the member list has bad rows; nothing was imported (--skip-bad imports the others):")
			for _, r := range bad.Rows {
				fmt.Fprintf(e.stderr, "  %s: %s\n", fs.Arg(0), r)
			}
			return errFailed
		}
		if err != nil {
			return err
		}
		for _, r := range res.Skipped {
			fmt.Fprintf(e.stderr, "skipped %s: %s\n", fs.Arg(0), r)
		}
		fmt.Fprintf(e.stdout, "%d members added, %d updated, %d rows skipped\n", res.Created, res.Updated, members.BadLines(res.Skipped))
		return nil
	})
}

// campaignCmd creates, launches, pauses, resumes and shows campaigns.
func campaignCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: campaign needs a subcommand: create, list, launch, pause, resume, remind or status", errUsage)
	}
	sub := args[0]
	if sub == "remind" {
		return remindCmd(ctx, args[1:], e)
	}
	fs := flag.NewFlagSet("campaign "+sub, flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	var spec campaigns.Spec
	var channels, reminders string
	var quietSunday, open, noPersonal, asJSON bool
	switch sub {
	case "create":
		fs.StringVar(&spec.Chamber, "chamber", "", "the chamber's code, such as hwk_h")
		fs.StringVar(&spec.Name, "name", "", "the campaign's name")
		fs.StringVar(&channels, "channels", "email,telegram,slack", "channels in order of preference")
		fs.StringVar(&spec.Start, "start", "", "first day (YYYY-MM-DD; default now)")
		fs.StringVar(&spec.Wave, "wave", "", "the wave it invites to (default the one current at the start)")
		fs.StringVar(&spec.End, "end", "", "last day (YYYY-MM-DD)")
		fs.StringVar(&reminders, "reminders", "7,14", "remind those who have not completed after these days (empty: none)")
		fs.StringVar(&spec.QuietHours, "quiet-hours", "20:00-08:00", "no messages between these times, or none")
		fs.BoolVar(&quietSunday, "quiet-sunday", true, "no messages on Sundays")
		fs.StringVar(&spec.Timezone, "timezone", "Europe/Berlin", "time zone of the dates and quiet hours")
		fs.StringVar(&spec.Lang, "lang", "de", "language for members without one")
		fs.BoolVar(&open, "open-link", false, "also make an open link (newsletter, website) for the chamber")
		fs.BoolVar(&noPersonal, "no-personal", false, "no personal invitations (with --open-link only)")
	case "list":
		fs.StringVar(&spec.Chamber, "chamber", "", "only this chamber's campaigns")
	case "status":
		fs.BoolVar(&asJSON, "json", false, "print the figures as JSON")
	case "launch", "pause", "resume":
	default:
		return fmt.Errorf("%w: campaign %s: the subcommands are create, list, launch, pause, resume, remind and status", errUsage, sub)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	id := fs.Arg(0)
	if sub != "create" && sub != "list" && (fs.NArg() != 1 || id == "") {
		return fmt.Errorf("%w: campaign %s needs the campaign id", errUsage, sub)
	}
	op := survey.Principal{}
	return withCampaigns(ctx, *cfgPath, e, func(a *app, c *campaigns.Service) error {
		switch sub {
		case "create":
			for _, ch := range splitList(channels) {
				spec.Channels = append(spec.Channels, survey.Channel(ch))
			}
			for _, r := range splitList(reminders) {
				d, err := strconv.Atoi(r)
				if err != nil {
					return fmt.Errorf("%w: --reminders %q: give days, such as 7,14", errUsage, reminders)
				}
				spec.Reminders = append(spec.Reminders, d)
			}
			spec.QuietSunday, spec.OpenLink = &quietSunday, open
			personal := !noPersonal
			spec.Personal = &personal
			camp, err := c.Create(ctx, op, spec)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "campaign %s created (draft). Launch it with: surveybot campaign launch %s\n", camp.ID, camp.ID)
			if err := printWarnings(ctx, e, c, camp.ID); err != nil {
				return err
			}
			if camp.OpenLink != "" {
				fmt.Fprintf(e.stdout, "open link: %s/o/%s\n", strings.TrimRight(a.cfg.Web.BaseURL, "/"), camp.OpenLink)
			}
		case "list":
			var camps []survey.Campaign
			var err error
			if spec.Chamber == "" {
				camps, err = c.List(ctx, op)
			} else {
				var ch survey.Chamber
				if ch, err = a.db.ChamberByCode(ctx, spec.Chamber); err != nil {
					return fmt.Errorf("chamber %q: %w", spec.Chamber, err)
				}
				camps, err = c.List(ctx, survey.Principal{Chamber: &ch})
			}
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tCHAMBER\tNAME\tSTATUS\tCHANNELS\tSTART\tEND")
			for _, k := range camps {
				start, last := days(k)
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.ChamberCode, k.Name, k.Status, channelList(k.Channels), start, last)
			}
			return w.Flush()
		case "launch":
			res, err := c.Launch(ctx, op, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%d invitations queued (%s); %d members without an address on the campaign's channels, %d opted out, %d without consent.\n",
				res.Invited, byChannel(res.ByChannel), res.Unreachable, res.OptedOut, res.NoConsent)
			fmt.Fprintln(e.stdout, "`surveybot serve` sends them, outside quiet hours; follow them with: surveybot campaign status "+id)
			if err := printWarnings(ctx, e, c, id); err != nil {
				return err
			}
		case "pause":
			if err := c.Pause(ctx, op, id); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "campaign paused: nothing more goes out until it is resumed")
		case "resume":
			n, err := c.Resume(ctx, op, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "campaign running again; %d waiting messages queued\n", n)
		case "status":
			st, err := c.Stats(ctx, op, id)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			printStats(e.stdout, st)
		}
		return nil
	})
}

// remindCmd reminds a campaign's invited members who have not completed.
func remindCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	silence(fs)
	cfgPath := fs.String("config", "", "config file")
	force := fs.Bool("force", false, "remind even within campaigns.remind_min_gap of the invitations")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: remind needs the campaign id", errUsage)
	}
	return withCampaigns(ctx, *cfgPath, e, func(_ *app, c *campaigns.Service) error {
		n, err := c.Remind(ctx, survey.Principal{}, fs.Arg(0), *force)
		var early *campaigns.TooEarlyError
		if errors.As(err, &early) {
			return fmt.Errorf("not reminding yet: the invitations went out less than %s ago (campaigns.remind_min_gap); remind from %s, or now with --force",
				early.Gap, early.From.Format("2006-01-02 15:04 MST"))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d reminders queued (to those invited who have not completed; at most one such reminder a day)\n", n)
		return nil
	})
}

// printWarnings prints the campaign's warnings: channels not configured
// here and the members they leave out.
func printWarnings(ctx context.Context, e env, c *campaigns.Service, id string) error {
	ws, err := c.Warnings(ctx, survey.Principal{}, id)
	if err != nil {
		return err
	}
	for _, w := range ws {
		fmt.Fprintf(e.stderr, "warning: %s\n", w.Message)
	}
	return nil
}

// withCampaigns runs fn with a campaign runner that only queues.
func withCampaigns(ctx context.Context, path string, e env, fn func(a *app, c *campaigns.Service) error) error {
	return withApp(ctx, path, e, func(a *app) error {
		c, err := a.campaigns(ctx, e.log, false, nil, nil)
		if err != nil {
			return err
		}
		err = fn(a, c)
		switch {
		case errors.Is(err, survey.ErrNotFound):
			return errors.New("no such campaign")
		case errors.Is(err, survey.ErrCampaignState):
			return fmt.Errorf("%w", err)
		}
		return err
	})
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func byChannel(m map[survey.Channel]int) string {
	var parts []string
	for _, ch := range survey.InviteChannels() {
		if m[ch] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", ch, m[ch]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// channelList writes channels as a comma-separated list.
func channelList(chs []survey.Channel) string {
	s := make([]string, len(chs))
	for i, c := range chs {
		s[i] = string(c)
	}
	return strings.Join(s, ",")
}

// days returns a campaign's first and last day in its time zone.
func days(c survey.Campaign) (string, string) {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return c.StartsAt.In(loc).Format(time.DateOnly), c.EndsAt.Add(-time.Nanosecond).In(loc).Format(time.DateOnly)
}

func printStats(w io.Writer, st survey.CampaignStats) {
	c := st.Campaign
	start, last := days(c)
	fmt.Fprintf(w, "%s — %s (%s), wave %s, %s, %s to %s, channels %s\n", c.Name, c.ChamberName, c.ChamberCode, c.Wave, c.Status,
		start, last, channelList(c.Channels))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CHANNEL\tINVITED\tQUEUED\tSENT\tFAILED\tSKIPPED\tOPENED\tCONSENTED\tCOMPLETED\tRATE\tREMINDERS\t")
	for _, s := range append(st.ByChannel, st.Total) {
		rate := "-"
		if s.Invited > 0 {
			rate = fmt.Sprintf("%.1f%%", 100*float64(s.Completed)/float64(s.Invited))
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t\n", s.Channel, s.Invited, s.Queued+s.Sending, s.Sent, s.Failed,
			s.Skipped, s.Opened, s.Consented, s.Completed, rate, s.Reminders)
	}
	tw.Flush()
	if len(st.ByDay) > 0 {
		fmt.Fprintln(w, "\nDAY (UTC)   SENT  COMPLETED")
		for _, d := range st.ByDay {
			fmt.Fprintf(w, "%s  %4d  %9d\n", d.Day, d.Sent, d.Completed)
		}
	}
	if len(st.Reasons) > 0 {
		fmt.Fprintln(w, "\nNOT SENT")
		for _, r := range st.Reasons {
			fmt.Fprintf(w, "%6d  %s: %s\n", r.Count, r.Status, r.Reason)
		}
	}
}
