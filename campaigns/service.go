package campaigns

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// Config configures the campaign runner.
type Config struct {
	// KeySecret derives personal invitation keys from invitation ids
	// (HMAC-SHA256), so that reminders carry the same link while only the
	// key's hash is stored. It must be the same on every instance.
	KeySecret []byte
	// Senders and Limiters by channel (email, telegram, slack). An
	// instance sends only on the channels it has a sender for.
	Senders  map[survey.Channel]InviteSender
	Limiters map[survey.Channel]Limiter
	// Channels are those the deployment sends on (configured), which a
	// launch may queue messages for even where this instance does not send
	// (the CLI). Default: the channels of Senders.
	Channels []survey.Channel
	// Workers is the number of concurrent sends per channel, default 16.
	Workers int
	// Poll is how often idle workers look for new jobs, default 1s.
	Poll time.Duration
	// RemindMinGap is the least time between a campaign's invitations
	// and a reminder sent by hand (Remind without force); 0: none.
	RemindMinGap time.Duration
	// RemindEvery is how often reminders and ended campaigns are looked
	// for, default 10 minutes.
	RemindEvery time.Duration
	Now         func() time.Time
}

// Service creates, launches, pauses and resumes campaigns and sends
// their messages through a job queue in the SQL database (River): a
// message row and its job are created in one transaction, and a message
// goes from queued to sending before a platform is called, never back
// unless the platform said for sure it did not take it. So every member
// gets each message at most once, however many instances send.
type Service struct {
	db    *store.DB
	q     *dialogs.Questionnaire
	river *river.Client[*sql.Tx]
	cfg   Config
	log   *slog.Logger
}

// sendArgs is the job of a few campaign messages of one channel, sent one
// after the other. Batches keep the job table small: a job per message
// would cost more to queue than the messages themselves.
type sendArgs struct {
	Messages []string `json:"messages"`
}

// batchSize is the number of messages per send job.
const batchSize = 20

func (sendArgs) Kind() string { return "campaign_send" }

// remindArgs is the periodic job that queues due reminders.
type remindArgs struct{}

func (remindArgs) Kind() string { return "campaign_remind" }

func queueOf(channel survey.Channel) string { return "campaign_" + string(channel) }

// New sets up the job queue's tables (River's own migrations) and
// a client for it. With senders it works jobs once Run is called; without,
// it only queues them (the CLI).
func New(ctx context.Context, db *store.DB, q *dialogs.Questionnaire, cfg Config, log *slog.Logger) (*Service, error) {
	if len(cfg.KeySecret) < 16 {
		return nil, errors.New("campaigns: the invitation key secret needs at least 16 bytes")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.RemindEvery <= 0 {
		cfg.RemindEvery = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Channels == nil {
		cfg.Channels = slices.Sorted(maps.Keys(cfg.Senders))
	}
	c := &Service{db: db, q: q, cfg: cfg, log: log}
	workers := river.NewWorkers()
	river.AddWorker(workers, &sendWorker{c: c})
	river.AddWorker(workers, &remindWorker{c: c})
	queues := map[string]river.QueueConfig{}
	for ch := range cfg.Senders {
		queues[queueOf(ch)] = river.QueueConfig{MaxWorkers: cfg.Workers}
	}
	rcfg := &river.Config{
		Logger:            log.With(slog.String("component", "jobs")),
		FetchPollInterval: cfg.Poll,
		FetchCooldown:     min(cfg.Poll, 100*time.Millisecond),
		MaxAttempts:       10,
		JobTimeout:        30 * time.Minute, // a batch waits for the channels' limits
		Workers:           workers,
	}
	if len(queues) > 0 {
		queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: 1}
		rcfg.Queues = queues
		rcfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cfg.RemindEvery),
			func() (river.JobArgs, *river.InsertOpts) { return remindArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
	}
	if err := db.MigrateJobs(ctx); err != nil {
		return nil, err
	}
	var err error
	c.river, err = river.NewClient(db.JobDriver(), rcfg)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return c, nil
}

// Run works campaign jobs until ctx ends, then lets running sends finish
// for up to grace.
func (c *Service) Run(ctx context.Context, grace time.Duration) error {
	if err := c.river.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := c.river.Stop(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("stop job queue: %w", err)
	}
	return nil
}

// key derives the personal key of an invitation: 128 bits of
// HMAC-SHA256(secret, id), as 22 characters fit for a link.
func (c *Service) key(invitationID string) string {
	m := hmac.New(sha256.New, c.cfg.KeySecret)
	m.Write([]byte("invitation:" + invitationID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// enqueue returns the store's hook that inserts one send job per message
// in the store's transaction, to run at or after at.
func (c *Service) enqueue(at time.Time) store.Enqueue {
	return func(ctx context.Context, tx *sql.Tx, msgs []store.QueuedMessage) error {
		// The job queue runs on the wall clock; the campaign's clock may
		// be another (tests), so only the delay carries over.
		var scheduled time.Time
		if d := at.Sub(c.cfg.Now()); d > 0 {
			scheduled = time.Now().Add(d)
		}
		batches := map[survey.Channel][]string{} // by channel: the batch being filled
		var params []river.InsertManyParams
		flush := func(ch survey.Channel) {
			params = append(params, river.InsertManyParams{Args: sendArgs{Messages: batches[ch]},
				InsertOpts: &river.InsertOpts{Queue: queueOf(ch), ScheduledAt: scheduled}})
			batches[ch] = nil
		}
		for _, m := range msgs {
			batches[m.Channel] = append(batches[m.Channel], m.ID)
			if len(batches[m.Channel]) == batchSize {
				flush(m.Channel)
			}
		}
		for _, ch := range slices.Sorted(maps.Keys(batches)) {
			if len(batches[ch]) > 0 {
				flush(ch)
			}
		}
		if _, err := c.river.InsertManyFastTx(ctx, tx, params); err != nil {
			return fmt.Errorf("queue send jobs: %w", err)
		}
		return nil
	}
}
