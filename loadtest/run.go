// Package loadtest is a load harness for a running `surveybot serve`: it
// starts virtual respondents that answer the whole questionnaire through
// the Telegram webhook (against a fake Bot API it runs itself) and through
// the web form's personal links, with duplicate and late deliveries, over
// one or more instances, and then proves from SQL that every respondent's
// stored answers are exactly those it gave: none lost, none doubled, every
// dialog completed.
//
// The command cmd/surveyload runs it; the fault tests in this package run
// it while they kill instances and restart Redis and PostgreSQL.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// Config is what a run does.
type Config struct {
	// Targets are the base URLs of the serve instances, such as
	// http://127.0.0.1:8080; requests go round-robin, failing over.
	Targets []string
	// BotAPI is the fake Bot API the instances are configured with
	// ([telegram] api_url); needed when Telegram > 0.
	BotAPI *telegramtest.Server
	// WebhookPath and WebhookSecret are the instances' [telegram]
	// webhook_path and webhook_secret.
	WebhookPath   string
	WebhookSecret string
	// DSN is the instances' [sql] dsn: invitations for the web respondents
	// are made there, and the answers are checked there afterwards.
	DSN string
	// OpenLinks makes the web respondents start at /open (web
	// open_answering on) instead of invitations made in SQL.
	OpenLinks bool

	// Telegram and Web are how many respondents answer on each channel.
	Telegram, Web int
	// Concurrency is how many respondents answer at the same time.
	Concurrency int
	// Duplicates is the share of updates (form posts) delivered twice, the
	// second time at once and concurrently, to the next instance.
	Duplicates float64
	// Late is the share of updates (form posts) delivered once more later,
	// after one to three newer ones of the same respondent: out of order.
	Late float64
	// Think is a respondent's pause between seeing a question and
	// answering it (0: none).
	Think time.Duration
	// Nudge is how long a Telegram respondent waits for the bot's next
	// question before sending /start to see where the dialog stands, as a
	// person would (default 5s).
	Nudge time.Duration
	// Deadline bounds one update's or form's redelivery until it is taken,
	// and a respondent's wait for a question (default 2m).
	Deadline time.Duration
	// AllowLostTicks makes ticks of a multiple choice that the bot's
	// keyboard lost after they were acknowledged a warning instead of a
	// problem; the respondent ticks them again either way. Set it for
	// faults that lose the dialog sessions (Redis FLUSHALL), which hold
	// the ticks until the choice is done. Note that it would also hide a
	// press applied twice.
	AllowLostTicks bool
	// Seed makes the respondents' answers and the duplicates repeatable.
	Seed uint64
	// ChatBase is the first Telegram chat id; 0 picks a random one, so that
	// runs against the same database do not meet.
	ChatBase int64
	// Log receives progress and problems.
	Log *slog.Logger
	// OnAnswer, if set, is called with the number of answers taken so far
	// after each one (from several goroutines), for fault scripts that
	// strike mid-load.
	OnAnswer func(total int64)
}

// Respondent is one virtual respondent and what became of it.
type Respondent struct {
	Channel string
	// Name identifies it in reports: "telegram:<chat>" or "web:<n>".
	Name string
	// Who is its identity in SQL.
	Who    survey.Identity
	Script Script
	// Done tells whether it saw the end of its dialog.
	Done bool
	// Err is why it gave up, if it did.
	Err error
}

// Report is the outcome of a run.
type Report struct {
	Elapsed     time.Duration
	Respondents []*Respondent
	Channels    map[string]*ChannelStats
	// Failovers counts requests that went to another instance because one
	// did not answer.
	Failovers int64
	// Problems are what went wrong while answering: respondents that gave
	// up, acknowledged inputs the dialog did not show, rejected inputs.
	Problems []string
	// Warnings are what went wrong but is allowed (AllowLostTicks).
	Warnings []string
	// Differences are the mismatches between SQL and the answers given,
	// filled in by Verify.
	Differences []string
	// Verified is how many respondents Verify checked.
	Verified int
}

// OK reports whether the run had no problem and, if verified, no difference.
func (r *Report) OK() bool { return len(r.Problems) == 0 && len(r.Differences) == 0 }

// Run lets the respondents answer and returns the report; it does not
// verify (see Verify). The error is for a run that could not start.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	q, err := dialogs.LoadCore()
	if err != nil {
		return nil, err
	}
	h := &harness{cfg: cfg, q: q, bal: newBalancer(cfg.Targets, cfg.Concurrency, cfg.Log), log: cfg.Log}
	var answers atomic.Int64
	onAnswer := func() {
		if n := answers.Add(1); cfg.OnAnswer != nil {
			cfg.OnAnswer(n)
		}
	}
	h.rep = &Report{Channels: map[string]*ChannelStats{kindTelegram: newChannelStats(onAnswer), kindWeb: newChannelStats(onAnswer)}}
	if cfg.Web > 0 && !cfg.OpenLinks {
		if h.db, err = store.Open(ctx, cfg.DSN); err != nil {
			return nil, fmt.Errorf("open the database for invitations: %w", err)
		}
		defer h.db.Close()
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	base := dialogstest.CraftBusiness().Inputs
	var kinds []string // the channels interleaved
	for t, w := 0, 0; t < cfg.Telegram || w < cfg.Web; {
		if t < cfg.Telegram {
			kinds, t = append(kinds, kindTelegram), t+1
		}
		if w < cfg.Web {
			kinds, w = append(kinds, kindWeb), w+1
		}
	}
	var all []*Respondent
	for _, kind := range kinds {
		sc, err := Compile(q, kind, Variant(q, base, rng))
		if err != nil {
			return nil, fmt.Errorf("compile a respondent's script: %w", err)
		}
		all = append(all, &Respondent{Channel: kind, Script: sc})
	}
	chat := cfg.ChatBase
	for i, r := range all {
		if r.Channel == kindTelegram {
			r.Who = survey.Identity{Channel: survey.Telegram, External: fmt.Sprint(chat)}
			r.Name = "telegram:" + r.Who.External
			chat++
		} else {
			r.Name = fmt.Sprintf("web:%d", i)
		}
	}
	h.rep.Respondents = all

	start := time.Now()
	type job struct {
		r *Respondent
		n uint64
	}
	work := make(chan job)
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Go(func() {
			for j := range work {
				h.answer(ctx, j.r, rand.New(rand.NewPCG(cfg.Seed, j.n)))
			}
		})
	}
	for i, r := range all {
		select {
		case work <- job{r, uint64(i)}:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	h.rep.Elapsed = time.Since(start)
	h.rep.Failovers = h.bal.failovers.Load()
	for _, r := range all {
		if r.Err != nil {
			h.problem("%s gave up: %v", r.Name, r.Err)
		} else if !r.Done {
			h.problem("%s did not finish its dialog", r.Name)
		}
	}
	return h.rep, nil
}

func (cfg *Config) defaults() error {
	if len(cfg.Targets) == 0 {
		return errors.New("loadtest: no target instance")
	}
	if cfg.Telegram > 0 && cfg.BotAPI == nil {
		return errors.New("loadtest: Telegram respondents need the fake Bot API")
	}
	if cfg.Web > 0 && !cfg.OpenLinks && cfg.DSN == "" {
		return errors.New("loadtest: web respondents need the DSN for their invitations, or open links")
	}
	if cfg.WebhookPath == "" {
		cfg.WebhookPath = "/telegram/webhook"
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 10
	}
	if cfg.Nudge <= 0 {
		cfg.Nudge = 5 * time.Second
	}
	if cfg.Deadline <= 0 {
		cfg.Deadline = 2 * time.Minute
	}
	if cfg.ChatBase == 0 {
		cfg.ChatBase = 1_000_000_000 + rand.Int64N(1_000_000_000_000)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return nil
}

// harness is one run in progress.
type harness struct {
	cfg Config
	q   *dialogs.Questionnaire
	bal *balancer
	db  *store.DB // web invitations; nil with open links
	log *slog.Logger

	mu  sync.Mutex
	rep *Report
}

func (h *harness) problem(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	h.log.Warn("problem", slog.String("what", msg))
	h.mu.Lock()
	h.rep.Problems = append(h.rep.Problems, msg)
	h.mu.Unlock()
}

func (h *harness) warning(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	h.log.Warn("warning", slog.String("what", msg))
	h.mu.Lock()
	h.rep.Warnings = append(h.rep.Warnings, msg)
	h.mu.Unlock()
}

func (h *harness) stats(kind string) *ChannelStats { return h.rep.Channels[kind] }

// answer runs one respondent's dialog.
func (h *harness) answer(ctx context.Context, r *Respondent, rng *rand.Rand) {
	if ctx.Err() != nil {
		r.Err = ctx.Err()
		return
	}
	if r.Channel == kindTelegram {
		r.Err = h.telegram(ctx, r, rng)
	} else {
		r.Err = h.web(ctx, r, rng)
	}
	r.Done = r.Err == nil
	if r.Done {
		h.stats(r.Channel).respondentDone()
	}
}

// late is an update or form held back to be delivered again later.
type late[T any] struct {
	v   T
	due int // deliver it before the respondent's due-th next input
}

func chance(rng *rand.Rand, p float64) bool { return p > 0 && rng.Float64() < p }
