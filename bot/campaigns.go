package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/members"
	"github.com/surveybot/surveybot/store"
)

// campaignChannels are the channels a campaign can send on.
func campaignChannels() []string { return []string{"email", "telegram", "slack"} }

// Invite is one campaign message for a channel to send.
type Invite struct {
	MessageID string // the message's id: the same for every attempt at it
	Reminder  bool   // a reminder, not the first invitation
	Lang      dialogs.Lang
	Chamber   string    // the inviting chamber's name
	Key       string    // the personal invitation key
	To        string    // e-mail address, Telegram chat id, or Slack user id or e-mail
	Deadline  time.Time // the campaign's end
}

// InviteSender sends campaign messages on one channel. An error with an
// After() time.Duration method means the platform refused for now (429)
// and nothing was sent; one with Permanent() bool true will not succeed
// on retry (an unknown address, a blocked bot); one marked NotSent, or a
// connection never made, is retried. Any other error may have come after
// the platform took the message, so it is not sent again.
type InviteSender interface {
	SendInvite(ctx context.Context, inv Invite) error
}

// InviteSenderFunc is an InviteSender from a function.
type InviteSenderFunc func(ctx context.Context, inv Invite) error

// SendInvite calls f.
func (f InviteSenderFunc) SendInvite(ctx context.Context, inv Invite) error { return f(ctx, inv) }

// Limiter paces sends: Wait blocks until key (a recipient) may get a
// message within the channel's limits. The send queues' limiters fit, so
// dialogs and broadcasts share one budget (across instances with Redis).
type Limiter interface {
	Wait(ctx context.Context, key string) error
}

// CampaignsConfig configures the campaign runner.
type CampaignsConfig struct {
	// KeySecret derives personal invitation keys from invitation ids
	// (HMAC-SHA256), so that reminders carry the same link while only the
	// key's hash is stored. It must be the same on every instance.
	KeySecret []byte
	// Senders and Limiters by channel (email, telegram, slack). An
	// instance sends only on the channels it has a sender for.
	Senders  map[string]InviteSender
	Limiters map[string]Limiter
	// Channels are those the deployment sends on (configured), which a
	// launch may queue messages for even where this instance does not send
	// (the CLI). Default: the channels of Senders.
	Channels []string
	// Workers is the number of concurrent sends per channel, default 16.
	Workers int
	// Poll is how often idle workers look for new jobs, default 1s.
	Poll time.Duration
	// RemindEvery is how often reminders and ended campaigns are looked
	// for, default 10 minutes.
	RemindEvery time.Duration
	Now         func() time.Time
}

// Campaigns creates, launches, pauses and resumes campaigns and sends
// their messages through a job queue in the SQL database (River): a
// message row and its job are created in one transaction, and a message
// goes from queued to sending before a platform is called, never back
// unless the platform said for sure it did not take it. So every member
// gets each message at most once, however many instances send.
type Campaigns struct {
	db    *store.DB
	q     *dialogs.Questionnaire
	river *river.Client[*sql.Tx]
	cfg   CampaignsConfig
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

func queueOf(channel string) string { return "campaign_" + channel }

// NewCampaigns sets up the job queue's tables (River's own migrations) and
// a client for it. With senders it works jobs once Run is called; without,
// it only queues them (the CLI).
func NewCampaigns(ctx context.Context, db *store.DB, q *dialogs.Questionnaire, cfg CampaignsConfig, log *slog.Logger) (*Campaigns, error) {
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
	c := &Campaigns{db: db, q: q, cfg: cfg, log: log}
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
	var err error
	if db.Dialect() == store.SQLite {
		drv := riversqlite.New(db.SQLDB())
		err = migrateRiver(ctx, drv)
		if err == nil {
			c.river, err = river.NewClient(drv, rcfg)
		}
	} else {
		drv := riverdatabasesql.New(db.SQLDB())
		err = withAdvisoryLock(ctx, db.SQLDB(), func() error { return migrateRiver(ctx, drv) })
		if err == nil {
			c.river, err = river.NewClient(drv, rcfg)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return c, nil
}

// migrateRiver brings River's own tables up to date.
func migrateRiver(ctx context.Context, drv riverdriver.Driver[*sql.Tx]) error {
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// withAdvisoryLock runs fn holding a PostgreSQL advisory lock, so that
// instances starting together do not migrate River's tables at once.
func withAdvisoryLock(ctx context.Context, db *sql.DB, fn func() error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	const lockID = 0x5375_7276 // "Surv"
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
		return fmt.Errorf("lock for migrations: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockID) //nolint:errcheck // released with the session anyway
	return fn()
}

// Run works campaign jobs until ctx ends, then lets running sends finish
// for up to grace.
func (c *Campaigns) Run(ctx context.Context, grace time.Duration) error {
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
func (c *Campaigns) key(invitationID string) string {
	m := hmac.New(sha256.New, c.cfg.KeySecret)
	m.Write([]byte("invitation:" + invitationID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// enqueue returns the store's hook that inserts one send job per message
// in the store's transaction, to run at or after at.
func (c *Campaigns) enqueue(at time.Time) store.Enqueue {
	return func(ctx context.Context, tx *sql.Tx, msgs []store.QueuedMessage) error {
		// The job queue runs on the wall clock; the campaign's clock may
		// be another (tests), so only the delay carries over.
		var scheduled time.Time
		if d := at.Sub(c.cfg.Now()); d > 0 {
			scheduled = time.Now().Add(d)
		}
		batches := map[string][]string{} // by channel: the batch being filled
		var params []river.InsertManyParams
		flush := func(ch string) {
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

// ErrInvalidCampaign wraps what is wrong with a campaign's settings.
var ErrInvalidCampaign = errors.New("invalid campaign")

// CampaignSpec is a campaign as a chamber describes it (CLI flags, API
// JSON). Empty fields take the defaults.
type CampaignSpec struct {
	Chamber       string   `json:"chamber"` // answer code; a chamber's API key sets its own
	Name          string   `json:"name"`
	Questionnaire string   `json:"questionnaire,omitempty"` // id@version; default the one served
	Channels      []string `json:"channels"`                // order of preference; default email,telegram,slack
	Start         string   `json:"start,omitempty"`         // YYYY-MM-DD or RFC 3339; default now
	End           string   `json:"end"`                     // YYYY-MM-DD (the whole day) or RFC 3339
	Reminders     []int    `json:"reminders,omitempty"`     // days after the invitation
	QuietHours    string   `json:"quiet_hours,omitempty"`   // 20:00-08:00 (default), or "none"
	QuietSunday   *bool    `json:"quiet_sunday,omitempty"`  // default true
	Timezone      string   `json:"timezone,omitempty"`      // default Europe/Berlin
	Lang          string   `json:"lang,omitempty"`          // for members without one; default de
	Personal      *bool    `json:"personal,omitempty"`      // invite members personally; default true
	OpenLink      bool     `json:"open_link,omitempty"`     // also make an open link for the chamber
}

// Create validates a campaign and stores it as a draft, for the chamber
// of p (the operator names it in spec.Chamber).
func (c *Campaigns) Create(ctx context.Context, p store.Principal, spec CampaignSpec) (store.Campaign, error) {
	bad := func(format string, a ...any) (store.Campaign, error) {
		return store.Campaign{}, fmt.Errorf("%w: %s", ErrInvalidCampaign, fmt.Sprintf(format, a...))
	}
	ch, err := c.chamberFor(ctx, p, spec.Chamber)
	if err != nil {
		return store.Campaign{}, err
	}
	camp := store.Campaign{ChamberID: ch.ID, Name: strings.TrimSpace(spec.Name), Questionnaire: c.q.Ref(),
		Channels: spec.Channels, QuietFrom: "20:00", QuietUntil: "08:00", QuietSunday: true,
		Timezone: "Europe/Berlin", Lang: dialogs.German, Personal: true}
	if camp.Name == "" || utf8.RuneCountInString(camp.Name) > 200 {
		return bad("name: give the campaign a name of at most 200 characters")
	}
	if spec.Questionnaire != "" && spec.Questionnaire != c.q.Ref().String() {
		return bad("questionnaire %s: this service asks %s", spec.Questionnaire, c.q.Ref())
	}
	if len(camp.Channels) == 0 {
		camp.Channels = campaignChannels()
	}
	seen := map[string]bool{}
	for _, x := range camp.Channels {
		if !slices.Contains(campaignChannels(), x) || seen[x] {
			return bad("channels: %q; list email, telegram and slack in the order to try them, each once", x)
		}
		seen[x] = true
	}
	if spec.Timezone != "" {
		camp.Timezone = spec.Timezone
	}
	loc, err := time.LoadLocation(camp.Timezone)
	if err != nil {
		return bad("timezone %q: %v", camp.Timezone, err)
	}
	now := c.cfg.Now()
	camp.StartsAt = now
	if spec.Start != "" {
		if camp.StartsAt, err = parseDay(spec.Start, loc, false); err != nil {
			return bad("start: %v", err)
		}
	}
	if spec.End == "" {
		return bad("end: give the last day of the campaign (YYYY-MM-DD)")
	}
	if camp.EndsAt, err = parseDay(spec.End, loc, true); err != nil {
		return bad("end: %v", err)
	}
	if !camp.EndsAt.After(camp.StartsAt) || !camp.EndsAt.After(now) {
		return bad("end: %s is not after the start and today", spec.End)
	}
	for _, d := range spec.Reminders {
		if d < 1 || d > 365 {
			return bad("reminders: %d days; give days after the invitation between 1 and 365", d)
		}
	}
	camp.Reminders = slices.Compact(slices.Sorted(slices.Values(spec.Reminders)))
	switch q := strings.TrimSpace(spec.QuietHours); q {
	case "":
	case "none", "keine":
		camp.QuietFrom, camp.QuietUntil = "00:00", "00:00"
	default:
		from, until, ok := strings.Cut(q, "-")
		if _, err := clock(from); !ok || err != nil {
			return bad("quiet_hours %q: write them as 20:00-08:00, or none", q)
		}
		if _, err := clock(until); err != nil {
			return bad("quiet_hours %q: write them as 20:00-08:00, or none", q)
		}
		camp.QuietFrom, camp.QuietUntil = strings.TrimSpace(from), strings.TrimSpace(until)
	}
	if spec.QuietSunday != nil {
		camp.QuietSunday = *spec.QuietSunday
	}
	if spec.Lang != "" {
		if camp.Lang, err = dialogs.ParseLang(spec.Lang); err != nil {
			return bad("lang: %v", err)
		}
	}
	if spec.Personal != nil {
		camp.Personal = *spec.Personal
	}
	if !camp.Personal && !spec.OpenLink {
		return bad("a campaign needs personal invitations, an open link, or both")
	}
	if spec.OpenLink {
		l, err := c.db.CreateOpenLink(ctx, camp.Lang, map[string]string{"chamber": ch.Code}, camp.EndsAt.Sub(now))
		if err != nil {
			return store.Campaign{}, err
		}
		camp.OpenLink = l.Key
	}
	return c.db.CreateCampaign(ctx, camp)
}

// parseDay reads YYYY-MM-DD (the day's start, or with end the next day's
// start) in loc, or an RFC 3339 time.
func parseDay(s string, loc *time.Location, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d.UTC(), nil
}

// clock reads "HH:MM" as minutes after midnight.
func clock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// QuietUntil reports whether t falls in the campaign's quiet time (its
// quiet hours, Sundays if so set) and when that ends.
func QuietUntil(camp store.Campaign, t time.Time) (time.Time, bool) {
	loc, err := time.LoadLocation(camp.Timezone)
	if err != nil {
		loc = time.UTC
	}
	from, _ := clock(camp.QuietFrom)
	until, _ := clock(camp.QuietUntil)
	start := t
	for range 4 { // a Sunday can end in quiet hours, and those in a Sunday
		local := t.In(loc)
		y, mo, d := local.Date()
		at := func(day, minutes int) time.Time { // wall-clock time, also on the days the clocks change
			return time.Date(y, mo, d+day, minutes/60, minutes%60, 0, 0, loc)
		}
		m := local.Hour()*60 + local.Minute()
		switch {
		case camp.QuietSunday && local.Weekday() == time.Sunday:
			t = at(1, 0)
		case from > until && m >= from: // overnight, evening part
			t = at(1, until)
		case from > until && m < until: // overnight, morning part
			t = at(0, until)
		case from < until && m >= from && m < until:
			t = at(0, until)
		default:
			return t, !t.Equal(start)
		}
	}
	return t, true
}

// campaignFor returns a campaign if p may act on it: its own chamber's,
// or any for the operator. Another chamber's campaign is ErrNotFound, so a
// key cannot even tell whether it exists.
func (c *Campaigns) campaignFor(ctx context.Context, p store.Principal, id string) (store.Campaign, error) {
	camp, err := c.db.Campaign(ctx, id)
	if err != nil {
		return store.Campaign{}, err
	}
	if !p.Operator() && camp.ChamberID != p.Chamber.ID {
		return store.Campaign{}, store.ErrNotFound
	}
	return camp, nil
}

// Launch invites the campaign's members who are not invited yet: their
// invitations, messages and send jobs are created in one transaction. The
// jobs run from the campaign's start, outside quiet hours.
func (c *Campaigns) Launch(ctx context.Context, p store.Principal, id string) (store.LaunchResult, error) {
	camp, err := c.campaignFor(ctx, p, id)
	if err != nil {
		return store.LaunchResult{}, err
	}
	var channels []string
	for _, ch := range camp.Channels {
		if slices.Contains(c.cfg.Channels, ch) {
			channels = append(channels, ch)
		}
	}
	at := c.sendTime(camp)
	return c.db.LaunchCampaign(ctx, id, store.Launch{Key: c.key, Channels: channels, Enqueue: c.enqueue(at)})
}

// sendTime is when a campaign's new messages may first go out: now, or
// its start, or the end of quiet hours.
func (c *Campaigns) sendTime(camp store.Campaign) time.Time {
	at := c.cfg.Now()
	if camp.StartsAt.After(at) {
		at = camp.StartsAt
	}
	at, _ = QuietUntil(camp, at)
	return at
}

// Pause stops a running campaign's sends: queued messages wait until it
// is resumed; a message being sent finishes.
func (c *Campaigns) Pause(ctx context.Context, p store.Principal, id string) error {
	if _, err := c.campaignFor(ctx, p, id); err != nil {
		return err
	}
	return c.db.SetCampaignStatus(ctx, id, store.CampaignPaused, store.CampaignRunning)
}

// Resume sets a paused campaign running and queues its waiting messages
// again. It returns how many.
func (c *Campaigns) Resume(ctx context.Context, p store.Principal, id string) (int, error) {
	camp, err := c.campaignFor(ctx, p, id)
	if err != nil {
		return 0, err
	}
	return c.db.ResumeCampaign(ctx, id, c.enqueue(c.sendTime(camp)))
}

// Remind queues a reminder now to every invited member who has not
// completed; at most one such reminder per day.
func (c *Campaigns) Remind(ctx context.Context, p store.Principal, id string) (int, error) {
	camp, err := c.campaignFor(ctx, p, id)
	if err != nil {
		return 0, err
	}
	now := c.cfg.Now()
	kind := "reminder-" + now.Format(time.DateOnly)
	return c.db.QueueReminders(ctx, id, kind, now, c.enqueue(c.sendTime(camp)))
}

// Stats returns how a campaign goes.
func (c *Campaigns) Stats(ctx context.Context, p store.Principal, id string) (store.CampaignStats, error) {
	if _, err := c.campaignFor(ctx, p, id); err != nil {
		return store.CampaignStats{}, err
	}
	return c.db.CampaignStats(ctx, id)
}

// List returns the campaigns p may see.
func (c *Campaigns) List(ctx context.Context, p store.Principal) ([]store.Campaign, error) {
	if p.Operator() {
		return c.db.Campaigns(ctx, "")
	}
	return c.db.Campaigns(ctx, p.Chamber.ID)
}

// remindScheduled queues the reminders that are due: for each running
// campaign and each of its reminder days d, a reminder to members invited
// at least d days ago who have not completed. Campaigns past their end are
// marked ended.
func (c *Campaigns) remindScheduled(ctx context.Context) error {
	camps, err := c.db.Campaigns(ctx, "")
	if err != nil {
		return err
	}
	now := c.cfg.Now()
	for _, camp := range camps {
		if camp.Status != store.CampaignRunning {
			continue
		}
		if !now.Before(camp.EndsAt) {
			if err := c.db.SetCampaignStatus(ctx, camp.ID, store.CampaignEnded, store.CampaignRunning); err != nil {
				return err
			}
			continue
		}
		for _, d := range camp.Reminders {
			n, err := c.db.QueueReminders(ctx, camp.ID, "reminder-"+strconv.Itoa(d), now.AddDate(0, 0, -d), c.enqueue(c.sendTime(camp)))
			if err != nil && !errors.Is(err, store.ErrCampaignState) {
				return err
			}
			if n > 0 {
				c.log.Info("reminders queued", slog.String("campaign", camp.ID), slog.Int("days", d), slog.Int("count", n))
			}
		}
	}
	return nil
}

type remindWorker struct {
	river.WorkerDefaults[remindArgs]
	c *Campaigns
}

func (w *remindWorker) Work(ctx context.Context, _ *river.Job[remindArgs]) error {
	return w.c.remindScheduled(ctx)
}

type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	c *Campaigns
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	last := job.Attempt >= job.MaxAttempts
	// Messages already sent, skipped or failed are passed over, so a
	// retried or snoozed job goes on where it stopped.
	for i, id := range job.Args.Messages {
		err := w.c.send(ctx, id, last)
		var snooze *rivertype.JobSnoozeError
		switch {
		case err == nil:
		case last && !errors.As(err, &snooze):
			// The job will not run again: record why its messages did not
			// go, rather than leave them queued with no job.
			for _, rest := range job.Args.Messages[i:] {
				if ferr := w.c.db.FinishMessage(context.WithoutCancel(ctx), rest, "failed", reason(err)); ferr != nil {
					return errors.Join(err, ferr)
				}
			}
			return nil
		default:
			return err // a snooze (quiet hours, 429) or an error: the rest wait with this one
		}
	}
	return nil
}

// send sends one campaign message, or says why not. last is the job's
// final attempt: a failure then is recorded, not retried.
func (c *Campaigns) send(ctx context.Context, id string, last bool) error {
	o, err := c.db.OutgoingMessage(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the respondent was erased, and with them their messages
	}
	if err != nil {
		return err
	}
	if o.Status != "queued" {
		return nil // sent, skipped, failed, or claimed by a worker before
	}
	camp := o.Campaign
	now := c.cfg.Now()
	skip := func(reason string) error { return c.db.FinishMessage(ctx, id, "skipped", reason) }
	switch {
	case camp.Status == store.CampaignPaused || camp.Status == store.CampaignDraft:
		return nil // Resume queues it again
	case camp.Status == store.CampaignEnded || !now.Before(camp.EndsAt):
		return skip("campaign ended")
	case o.OptedOut:
		return skip("opted out")
	case o.Member.ID == "" || !o.Member.Consent:
		return skip("no consent") // withdrawn by a later import, or the member removed
	case o.Completed: // through an open link, or before a reminder
		return skip("completed")
	case now.Before(camp.StartsAt):
		return river.JobSnooze(max(camp.StartsAt.Sub(now), time.Second))
	}
	if until, quiet := QuietUntil(camp, now); quiet {
		return river.JobSnooze(max(until.Sub(now), time.Second))
	}
	sender := c.cfg.Senders[o.Channel]
	if sender == nil {
		return river.JobSnooze(time.Minute) // an instance with this channel will take it
	}
	inv := Invite{MessageID: id, Reminder: o.Kind != "invitation", Lang: o.Lang, Chamber: camp.ChamberName,
		Key: c.key(o.InvitationID), Deadline: camp.EndsAt}
	switch o.Channel {
	case "email":
		inv.To = o.Member.Email
	case "telegram":
		inv.To = o.TelegramChat
	case "slack":
		inv.To = o.Member.Slack
	}
	if inv.To == "" {
		return skip("no " + o.Channel + " address")
	}
	if lim := c.cfg.Limiters[o.Channel]; lim != nil {
		if err := lim.Wait(ctx, inv.To); err != nil {
			return err
		}
	}
	claimed, err := c.db.ClaimMessage(ctx, id)
	if err != nil || !claimed {
		return err
	}
	err = sender.SendInvite(ctx, inv)
	var limited interface{ After() time.Duration }
	var permanent interface{ Permanent() bool }
	done := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		return c.db.FinishMessage(done, id, "sent", "")
	case errors.As(err, &limited):
		if rerr := c.db.ReleaseMessage(done, id); rerr != nil {
			return rerr
		}
		return river.JobSnooze(max(limited.After(), time.Second))
	case errors.As(err, &permanent) && permanent.Permanent():
		c.log.Warn("campaign message failed", slog.String("message", id), slog.String("channel", o.Channel), slog.Any("error", err))
		return c.db.FinishMessage(done, id, "failed", reason(err))
	case surelyNotSent(err):
		if last {
			return c.db.FinishMessage(done, id, "failed", reason(err))
		}
		if rerr := c.db.ReleaseMessage(done, id); rerr != nil {
			return rerr
		}
		return fmt.Errorf("send campaign message: %w", err) // retried with backoff
	default:
		// A timeout, a connection lost mid-request, a 5xx: the platform may
		// have taken it, and sending again could send it twice.
		c.log.Warn("campaign message outcome unknown", slog.String("message", id), slog.String("channel", o.Channel), slog.Any("error", err))
		return c.db.FinishMessage(done, id, "failed", "outcome unknown, not sent again to avoid a duplicate: "+reason(err))
	}
}

// NotSent marks an error after which the platform surely did not take the
// message (a temporary SMTP refusal): the message is tried again later.
func NotSent(err error) error { return notSentError{err} }

type notSentError struct{ err error }

func (e notSentError) Error() string { return e.err.Error() }
func (e notSentError) Unwrap() error { return e.err }

// surelyNotSent reports whether the message cannot have reached the
// platform: marked NotSent, or the connection was never made.
func surelyNotSent(err error) bool {
	var ns notSentError
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &ns) || errors.As(err, &op) && op.Op == "dial" || errors.As(err, &dns)
}

// reason shortens an error for the message's record.
func reason(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// MembersImport is the outcome of a member list import.
type MembersImport struct {
	store.ImportResult
	Skipped []members.RowError `json:"skipped,omitempty"` // bad rows left out (with skipBad)
}

// ErrBadRows is returned (wrapped in a *BadRowsError) when a member list
// has bad rows and they were not to be skipped: nothing was imported.
var ErrBadRows = errors.New("the member list has bad rows; nothing was imported")

// BadRowsError lists the bad rows of a member list.
type BadRowsError struct{ Rows []members.RowError }

func (e *BadRowsError) Error() string {
	lines := make([]string, len(e.Rows))
	for i, r := range e.Rows {
		lines[i] = r.Error()
	}
	return ErrBadRows.Error() + ":\n" + strings.Join(lines, "\n")
}

func (e *BadRowsError) Unwrap() error { return ErrBadRows }

// ImportMembers reads a chamber's member list (CSV) and adds or updates
// its members. A chamber's key imports into its own chamber; the operator
// names the chamber by its code. With bad rows nothing is imported unless
// skipBad, which imports the good rows and reports the bad. A file that is
// not a member list at all (no header, unknown columns) is an error too.
func (c *Campaigns) ImportMembers(ctx context.Context, p store.Principal, chamberCode string, r io.Reader, skipBad bool) (MembersImport, error) {
	ch, err := c.chamberFor(ctx, p, chamberCode)
	if err != nil {
		return MembersImport{}, err
	}
	rows, bad, err := members.Parse(r)
	if err != nil {
		return MembersImport{}, err
	}
	if len(bad) > 0 && !skipBad {
		return MembersImport{}, &BadRowsError{Rows: bad}
	}
	ms := make([]store.Member, len(rows))
	var fields []string
	for i, row := range rows {
		ms[i], fields = row.Member, row.Fields
	}
	res, err := c.db.ImportMembers(ctx, ch.ID, ms, fields...)
	if err != nil {
		return MembersImport{}, err
	}
	return MembersImport{ImportResult: res, Skipped: bad}, nil
}

// Members lists a chamber's members.
func (c *Campaigns) Members(ctx context.Context, p store.Principal, chamberCode string) ([]store.Member, error) {
	ch, err := c.chamberFor(ctx, p, chamberCode)
	if err != nil {
		return nil, err
	}
	return c.db.Members(ctx, ch.ID)
}

// ErrNoChamber is returned when the operator does not name a chamber that
// exists, or a chamber's key names another.
var ErrNoChamber = errors.New("no such chamber")

// chamberFor returns the chamber p acts for: its own, whatever code says
// (a different code is ErrNoChamber), or for the operator the chamber
// with that code.
func (c *Campaigns) chamberFor(ctx context.Context, p store.Principal, code string) (store.Chamber, error) {
	if !p.Operator() {
		if code != "" && code != p.Chamber.Code {
			return store.Chamber{}, ErrNoChamber
		}
		return *p.Chamber, nil
	}
	if code == "" {
		return store.Chamber{}, fmt.Errorf("%w: name the chamber by its code", ErrNoChamber)
	}
	ch, err := c.db.ChamberByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return store.Chamber{}, fmt.Errorf("%w: %q (surveybot chamber add)", ErrNoChamber, code)
	}
	return ch, err
}

// Text is the message of an invitation or reminder on Telegram or Slack.
func (inv Invite) Text() string {
	k := dialogs.UICampaignInvitation
	if inv.Reminder {
		k = dialogs.UICampaignReminder
	}
	return fmt.Sprintf(k.In(inv.Lang), inv.Chamber)
}

// StartLabel is the label of the button that starts the survey.
func (inv Invite) StartLabel() string { return dialogs.UICampaignStart.In(inv.Lang) }
