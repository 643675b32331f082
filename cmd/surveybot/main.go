// Command surveybot carries the shared digitalisation questionnaire of Lower
// Saxony to businesses as a conversation. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	_ "time/tzdata" // Europe/Berlin for quiet hours and the digest, also where the system has no zoneinfo
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, log: log, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// env is what a command may touch of the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
	getenv         func(string) string
}

// errUsage marks an error the user fixes by reading the usage.
var errUsage = errors.New("usage")

// errFailed marks a command that printed its own failure and exits 1.
var errFailed = errors.New("failed")

const usage = `surveybot – the digitalisation survey of Lower Saxony as a conversation

Usage:
  surveybot serve [--config FILE]    run the service (HTTP server, channels)
  surveybot chat [--config FILE] [--lang de|en] [--respondent NAME] [--invitation KEY] [--questionnaire FILE]
                                     answer the questionnaire in this terminal;
                                     the same respondent name resumes where it stopped
  surveybot migrate [--config FILE]  apply the database migrations
  surveybot invitation create [--config FILE] [--chamber CODE] [--lang de|en] [--expires 1440h]
                             [--count N | --email ADDRESS [--send]]
                                     create personal invitations; prints each key, web and Telegram
                                     link; --send e-mails it
  surveybot openlink create [--config FILE] [--chamber CODE] [--lang de|en] [--expires 2160h]
                                     an open link for many (newsletter, website): web and Telegram
  surveybot respondent erase [--config FILE] ID | --email ADDRESS | --telegram CHAT | --slack USER | --invitation KEY
                                     erase a respondent's identities and answers
  surveybot export responses [--config FILE] [--chamber CODE] [--wave NAME] [--format csv|xlsx] --out FILE
                                     the completed responses (one chamber's members only with
                                     --chamber, one wave's with --wave), one row each, with the
                                     codebook; panel_id links a firm's rows across waves
  surveybot export panel [--config FILE] [--chamber CODE] [--format long|wide] --out FILE
                                     the panel as CSV (docs/panel.md): long, a row per firm and
                                     wave (panel_id, wave, completed_at, composite, tech_count,
                                     the field scores, chamber, sector, size, region); wide, a
                                     row per firm with those columns per wave (2027-1_composite),
                                     empty where the firm did not answer; erased firms never appear
  surveybot export aggregates [--config FILE] [--by overall|chamber|sector|size|region|week|wave]
                             [--wave NAME] [--lang de|en] --out FILE
                                     the indicator figures as CSV, groups under 5 suppressed;
                                     --wave: only that wave's responses
  surveybot export change [--config FILE] [--from WAVE] [--to WAVE] --out FILE
                                     the change of every field between two waves (default: the
                                     current wave and the one before), on the panel (firms in both)
                                     and on all respondents, as CSV; see docs/waves.md
  surveybot export codebook [--config FILE] [--format csv|xlsx] --out FILE
                                     the item codes, texts and answer codes of the questionnaire
  surveybot import answers [--config FILE] [--skip-bad] [--chamber CODE] FILE
                                     import answers collected elsewhere (CSV keyed by item codes);
                                     a bad row imports nothing unless --skip-bad
  surveybot questionnaire check [FILE]
                                     check a questionnaire file (default: the embedded one)
  surveybot digest preview [--config FILE] [--week 2026-W48] [--out DIR]
                                     render the weekly digest (text and chart) without sending it
  surveybot digest subscribers add|remove|list [--config FILE] [--slack CHANNEL | --telegram CHAT | --email ADDRESS]
                                     who gets the weekly digest
  surveybot demo-data [--config FILE] [--responses 2000] [--waves 3] [--weeks 12] [--seed 1]
                                     fill the database with realistic generated responses: --responses
                                     in all, split over --waves new waves half a year apart (the last
                                     one current; their names must be free), each over --weeks weeks;
                                     a panel of firms answers again from wave to wave
  surveybot chamber add [--config FILE] --code hwk_h --name "HWK Hannover"
                                     add a chamber; prints its admin API key
  surveybot chamber key [--config FILE] --code hwk_h
                                     issue the chamber another API key; prints it once
  surveybot chamber revoke [--config FILE] --code hwk_h
                                     revoke every API key of the chamber
  surveybot members import [--config FILE] --chamber CODE [--skip-bad] FILE
                                     add or update a chamber's members from CSV (; or ,); a bad
                                     row imports nothing unless --skip-bad
  surveybot members list [--config FILE] --chamber CODE
  surveybot wave add [--config FILE] --name 2027-1 --start YYYY-MM-DD --end YYYY-MM-DD
                                     plan the next survey wave; from its start every respondent
                                     answers it anew (one response per wave)
  surveybot wave list [--config FILE]
                                     the waves, with the current one
  surveybot campaign create [--config FILE] --chamber CODE --name NAME --end YYYY-MM-DD
                            [--start YYYY-MM-DD] [--wave NAME] [--channels email,telegram,slack] [--reminders 7,14]
                            [--quiet-hours 20:00-08:00|none] [--quiet-sunday=true] [--open-link]
                                     a campaign (draft) inviting the chamber's members
  surveybot campaign launch|pause|resume|status [--config FILE] [--json] ID
                                     queue the invitations (serve sends them), stop and go on,
                                     show counts and rates by channel and day
  surveybot campaign list [--config FILE] [--chamber CODE]
  surveybot campaign remind [--config FILE] [--force] ID   (also: surveybot remind)
                                     remind now every invited member who has not completed;
                                     refused within campaigns.remind_min_gap of the invitations
                                     unless --force
  surveybot apikey operator [--config FILE]
                                     make an operator API key (sees every chamber)
  surveybot help                     show this text
`

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, e env) int {
	err := dispatch(ctx, args, e)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.stdout, strings.TrimPrefix(commandUsage(args), "\n"))
		return 0
	case errors.Is(err, errFailed):
		return 1
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "%v\n%s", err, commandUsage(args))
		return 2
	default:
		fmt.Fprintf(e.stderr, "surveybot: %v\n", err)
		return 1
	}
}

// silence keeps a command's flag set from printing its own usage on a bad
// flag: run prints the error in one line and the command's usage.
func silence(fs *flag.FlagSet) { fs.SetOutput(io.Discard) }

// commandUsage returns the usage of the command args name (of its
// subcommand, if args name one), or where to find the commands.
func commandUsage(args []string) string {
	const all = "Run `surveybot help` for all commands.\n"
	if len(args) == 0 {
		return all
	}
	_, list, _ := strings.Cut(usage, "Usage:\n")
	var entries []string // each command's lines: its synopsis, then its description
	for _, l := range strings.SplitAfter(list, "\n") {
		if strings.HasPrefix(l, "  surveybot ") || len(entries) == 0 {
			entries = append(entries, l)
		} else {
			entries[len(entries)-1] += l
		}
	}
	var mine, sub []string
	for _, en := range entries {
		first, _, _ := strings.Cut(en, "\n")
		words := strings.Fields(first)
		if len(words) < 2 || (words[1] != args[0] && !strings.Contains(first, "(also: surveybot "+args[0]+")")) {
			continue
		}
		mine = append(mine, en)
		if len(args) > 1 && len(words) > 2 && slices.Contains(strings.Split(words[2], "|"), args[1]) {
			sub = append(sub, en)
		}
	}
	if len(sub) > 0 {
		mine = sub
	}
	if len(mine) == 0 {
		return all
	}
	return "\nUsage:\n" + strings.Join(mine, "") + "\n" + all
}

func dispatch(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no command given", errUsage)
	}
	switch args[0] {
	case "chat":
		return chatCmd(ctx, args[1:], e)
	case "serve":
		return serveCmd(ctx, args[1:], e)
	case "migrate":
		return migrateCmd(ctx, args[1:], e)
	case "invitation":
		return invitationCmd(ctx, args[1:], e)
	case "openlink":
		return openlinkCmd(ctx, args[1:], e)
	case "digest":
		return digestCmd(ctx, args[1:], e)
	case "members":
		return membersCmd(ctx, args[1:], e)
	case "campaign":
		return campaignCmd(ctx, args[1:], e)
	case "remind":
		return remindCmd(ctx, args[1:], e)
	case "wave":
		return waveCmd(ctx, args[1:], e)
	case "chamber":
		return chamberCmd(ctx, args[1:], e)
	case "apikey":
		return apikeyCmd(ctx, args[1:], e)
	case "demo-data":
		return demoCmd(ctx, args[1:], e)
	case "respondent":
		return respondentCmd(ctx, args[1:], e)
	case "export":
		return exportCmd(ctx, args[1:], e)
	case "import":
		return importCmd(ctx, args[1:], e)
	case "questionnaire":
		if len(args) < 2 || args[1] != "check" {
			return fmt.Errorf("%w: questionnaire needs the subcommand check", errUsage)
		}
		return checkCmd(args[2:], e)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}
