// Command surveyload puts a running `surveybot serve` (one instance or
// several) under load: virtual respondents answer the whole questionnaire
// through the Telegram webhook, against a fake Bot API the command runs
// itself, and through the web form's personal links, with duplicate and
// late deliveries. It prints answers per second and latency percentiles
// per channel, then checks in SQL that every respondent's answers are
// stored exactly as given, and exits 1 listing the differences otherwise.
//
// Configure serve with [telegram] mode = "webhook", api_url = the address
// of -botapi (http://127.0.0.1:8089 by default), token = -token,
// webhook_secret = -secret, open_answering = true, and a [web] secret_key
// shared by all instances; `surveyload -print-config` prints such a
// section.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/loadtest"
)

// errFailed is returned when the run found lost, doubled or wrong answers.
var errFailed = errors.New("the run found problems")

// errUsage is returned for bad flags.
var errUsage = errors.New("usage")

func main() {
	level := new(slog.LevelVar)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, log, level)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	case errors.Is(err, errFailed):
		os.Exit(1)
	default:
		log.Error("surveyload", slog.Any("error", err))
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger, level *slog.LevelVar) error {
	fs := flag.NewFlagSet("surveyload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		targets     = fs.String("targets", "http://127.0.0.1:8080", "base URLs of the serve instances, comma-separated (round-robin, with failover)")
		botAPI      = fs.String("botapi", "127.0.0.1:8089", "address the fake Telegram Bot API listens on (serve's telegram.api_url)")
		token       = fs.String("token", "4242:surveyload", "the bot token serve is configured with (telegram.token)")
		webhookPath = fs.String("webhook-path", "/telegram/webhook", "serve's telegram.webhook_path")
		secret      = fs.String("secret", "", "serve's telegram.webhook_secret (required with -telegram > 0)")
		dsn         = fs.String("dsn", "", "serve's sql.dsn: web invitations are made there and the answers checked there")
		openLinks   = fs.Bool("open-links", false, "web respondents start at /open (web.open_answering) instead of invitations made in SQL")
		telegram    = fs.Int("telegram", 20, "Telegram respondents")
		web         = fs.Int("web", 10, "web respondents")
		concurrency = fs.Int("concurrency", 10, "respondents answering at the same time")
		duplicates  = fs.Float64("duplicates", 0, "share of updates and forms delivered twice, concurrently (0.2 = 20 %)")
		lateShare   = fs.Float64("late", 0, "share of updates and forms delivered once more, after newer ones (out of order)")
		think       = fs.Duration("think", 0, "a respondent's pause before each answer")
		nudge       = fs.Duration("nudge", 5*time.Second, "how long a Telegram respondent waits for the next question before sending /start")
		deadline    = fs.Duration("deadline", 2*time.Minute, "longest redelivery of one update or form, and longest wait for a question")
		seed        = fs.Uint64("seed", 1, "seed of the answers, duplicates and late deliveries")
		verify      = fs.Bool("verify", true, "check the answers in SQL afterwards (needs -dsn)")
		logLevel    = fs.String("log-level", "info", "debug, info, warn or error")
		printConfig = fs.Bool("print-config", false, "print the [telegram] and [web] config serve needs for these flags, and exit")
	)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "-log-level: %v\n", err)
		return errUsage
	}
	if *printConfig {
		fmt.Fprintf(stdout, "[telegram]\ntoken = %q\napi_url = %q\nmode = \"webhook\"\nwebhook_path = %q\nwebhook_secret = %q\nopen_answering = true\nglobal_rate = 10000.0\nchat_rate = 1000.0\nchat_burst = 1000\n[web]\nsecret_key = \"<the same 32+ characters on every instance>\"\nopen_answering = %t\n",
			*token, "http://"+*botAPI, *webhookPath, *secret, *openLinks)
		return nil
	}
	usage := func(msg string) error {
		fmt.Fprintln(stderr, msg)
		return errUsage
	}
	switch {
	case *telegram < 0 || *web < 0 || *telegram+*web == 0:
		return usage("-telegram and -web: at least one respondent")
	case *telegram > 0 && *secret == "":
		return usage("-secret is required for Telegram respondents (serve's telegram.webhook_secret)")
	case *verify && *dsn == "":
		return usage("-dsn is required to verify the answers (or -verify=false)")
	case *web > 0 && !*openLinks && *dsn == "":
		return usage("-dsn is required for web invitations (or -open-links)")
	case *duplicates < 0 || *duplicates > 1 || *lateShare < 0 || *lateShare > 1:
		return usage("-duplicates and -late are shares between 0 and 1")
	}
	cfg := loadtest.Config{
		WebhookPath: *webhookPath, WebhookSecret: *secret, DSN: *dsn, OpenLinks: *openLinks,
		Telegram: *telegram, Web: *web, Concurrency: *concurrency, Duplicates: *duplicates, Late: *lateShare,
		Think: *think, Nudge: *nudge, Deadline: *deadline, Seed: *seed, Log: log,
	}
	for _, t := range strings.Split(*targets, ",") {
		if t = strings.TrimRight(strings.TrimSpace(t), "/"); t != "" {
			cfg.Targets = append(cfg.Targets, t)
		}
	}
	if err := ready(ctx, cfg.Targets); err != nil {
		return err
	}
	if *telegram > 0 {
		ln, err := net.Listen("tcp", *botAPI)
		if err != nil {
			return fmt.Errorf("fake Bot API: %w", err)
		}
		// Update ids go on from the last run's: serve drops ids it took.
		first := time.Now().UnixMicro()
		cfg.BotAPI = telegramtest.NewServer(*token, telegramtest.WithListener(ln), telegramtest.WithFirstUpdateID(first))
		defer cfg.BotAPI.Close()
		log.Info("fake Bot API listening", slog.String("url", cfg.BotAPI.URL()))
	}
	log.Info("load starting", slog.Any("targets", cfg.Targets), slog.Int("telegram", *telegram), slog.Int("web", *web),
		slog.Int("concurrency", *concurrency), slog.Float64("duplicates", *duplicates), slog.Float64("late", *lateShare))
	rep, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.Summary())
	if *verify {
		if err := loadtest.Verify(context.WithoutCancel(ctx), *dsn, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "verified in SQL: %d respondents, %d differences\n", rep.Verified, len(rep.Differences))
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(stdout, "WARNING %s\n", w)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(stdout, "PROBLEM %s\n", p)
	}
	for _, d := range rep.Differences {
		fmt.Fprintf(stdout, "DIFFERENCE %s\n", d)
	}
	if !rep.OK() {
		return errFailed
	}
	return nil
}

// ready checks that every instance answers /readyz with 200, so that a run
// meant for several instances does not quietly run on fewer.
func ready(ctx context.Context, targets []string) error {
	client := &http.Client{Timeout: 5 * time.Second}
	for _, t := range targets {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, t+"/readyz", nil)
		if err != nil {
			return fmt.Errorf("target %s: %w", t, err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("target %s is not up: %w", t, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("target %s is not ready: /readyz answers %d", t, resp.StatusCode)
		}
	}
	return nil
}
