package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// JobStore is what the weekly digest job needs of the database.
type JobStore interface {
	Source
	Subscribers(ctx context.Context) ([]survey.Subscriber, error)
	ClaimDigest(ctx context.Context, week string, lease time.Duration) (bool, error)
	DigestSent(ctx context.Context, week string, sent, failed int) error
}

// digestLease is how long a claimed digest may take to be sent before
// another instance takes it over.
const digestLease = 30 * time.Minute

// Deliverer sends a digest to one subscriber, by the subscriber's kind.
type Deliverer func(ctx context.Context, to survey.Subscriber, d Digest) error

// Job sends the digest of the past week once a week, at a set
// weekday and time in a set time zone (Monday 08:00 Europe/Berlin by
// default), exactly once however many instances run it: the week is
// claimed in SQL first.
type Job struct {
	db       JobStore
	q        *dialogs.Questionnaire
	deliver  map[survey.Channel]Deliverer
	loc      *time.Location
	weekday  time.Weekday
	at       time.Duration // after midnight
	log      *slog.Logger
	interval time.Duration
}

// NewJob returns the job. deliver maps a subscriber kind (slack,
// telegram, email) to its deliverer; subscribers of kinds without one are
// skipped with a warning.
func NewJob(db JobStore, q *dialogs.Questionnaire, deliver map[survey.Channel]Deliverer, loc *time.Location, weekday time.Weekday, at time.Duration, log *slog.Logger) *Job {
	return &Job{db: db, q: q, deliver: deliver, loc: loc, weekday: weekday, at: at, log: log, interval: time.Minute}
}

// Run checks every minute whether a digest is due, until ctx ends.
func (j *Job) Run(ctx context.Context) {
	t := time.NewTicker(j.interval)
	defer t.Stop()
	for {
		if _, err := j.RunOnce(ctx, time.Now()); err != nil {
			j.log.Error("weekly digest", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Due returns the week whose digest is due at now: the ISO week before the
// current one, once the current week's send time has passed.
func (j *Job) Due(now time.Time) (string, bool) {
	local := now.In(j.loc)
	y, m, d := local.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, j.loc)
	// The start of this week's send day (weeks start on Monday).
	offset := (int(local.Weekday()) + 6) % 7
	sendDay := midnight.AddDate(0, 0, -offset+(int(j.weekday)+6)%7)
	if now.Before(sendDay.Add(j.at)) {
		return "", false
	}
	return survey.ISOWeek(midnight.AddDate(0, 0, -offset-7)), true
}

// RunOnce sends the due digest if no instance has sent it yet. It reports
// whether this call sent it.
func (j *Job) RunOnce(ctx context.Context, now time.Time) (bool, error) {
	week, due := j.Due(now)
	if !due {
		return false, nil
	}
	subs, err := j.db.Subscribers(ctx)
	if err != nil || len(subs) == 0 {
		return false, err // nobody to send to: the week stays unclaimed for a subscriber who comes later
	}
	claimed, err := j.db.ClaimDigest(ctx, week, digestLease)
	if err != nil || !claimed {
		return false, err
	}
	d, err := Build(ctx, j.db, j.q, week)
	if err != nil {
		return false, fmt.Errorf("build digest %s: %w", week, err)
	}
	sent, failed := 0, 0
	var errs []error
	for _, s := range subs {
		deliver, ok := j.deliver[s.Kind]
		if !ok {
			j.log.Warn("digest subscriber of a channel that is off", slog.String("kind", string(s.Kind)))
			failed++
			continue
		}
		if err := deliver(ctx, s, d); err != nil {
			failed++
			errs = append(errs, fmt.Errorf("%s subscriber: %w", s.Kind, err))
			continue
		}
		sent++
	}
	j.log.Info("weekly digest sent", slog.String("week", week), slog.Int("sent", sent), slog.Int("failed", failed))
	if err := j.db.DigestSent(ctx, week, sent, failed); err != nil {
		errs = append(errs, err)
	}
	return true, errors.Join(errs...)
}
