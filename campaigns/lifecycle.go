package campaigns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// campaignFor returns a campaign if p may act on it: its own chamber's,
// or any for the operator. Another chamber's campaign is ErrNotFound, so a
// key cannot even tell whether it exists.
func (c *Service) campaignFor(ctx context.Context, p survey.Principal, id string) (survey.Campaign, error) {
	camp, err := c.db.Campaign(ctx, id)
	if err != nil {
		return survey.Campaign{}, err
	}
	if !p.Operator() && camp.ChamberID != p.Chamber.ID {
		return survey.Campaign{}, survey.ErrNotFound
	}
	return camp, nil
}

// Launch invites the campaign's members who are not invited yet: their
// invitations, messages and send jobs are created in one transaction. The
// jobs run from the campaign's start, outside quiet hours.
func (c *Service) Launch(ctx context.Context, p survey.Principal, id string) (survey.LaunchResult, error) {
	camp, err := c.campaignFor(ctx, p, id)
	if err != nil {
		return survey.LaunchResult{}, err
	}
	// Invitations lead to the current wave: a campaign of a wave that is
	// over would invite to another one.
	if cur, err := c.db.CurrentWave(ctx, c.cfg.Now()); err == nil && camp.WaveID != "" && cur.ID != camp.WaveID {
		if w, err := c.db.Wave(ctx, camp.WaveID); err == nil && w.StartsAt.Before(cur.StartsAt) {
			return survey.LaunchResult{}, fmt.Errorf("the campaign's wave %s is over, wave %s is current; make a campaign for it: %w",
				camp.Wave, cur.Name, survey.ErrCampaignState)
		}
	}
	var channels []survey.Channel
	for _, ch := range camp.Channels {
		if slices.Contains(c.cfg.Channels, ch) {
			channels = append(channels, ch)
		}
	}
	choose := func(r survey.Reach) survey.Channel { return chooseChannel(channels, r) }
	at := c.sendTime(camp)
	return c.db.LaunchCampaign(ctx, id, store.Launch{Key: c.key, Channel: choose, Enqueue: c.enqueue(at)})
}

// Pause stops a running campaign's sends: queued messages wait until it
// is resumed; a message being sent finishes.
func (c *Service) Pause(ctx context.Context, p survey.Principal, id string) error {
	if _, err := c.campaignFor(ctx, p, id); err != nil {
		return err
	}
	return c.db.SetCampaignStatus(ctx, id, survey.CampaignPaused, survey.CampaignRunning)
}

// Resume sets a paused campaign running and queues its waiting messages
// again. It returns how many.
func (c *Service) Resume(ctx context.Context, p survey.Principal, id string) (int, error) {
	camp, err := c.campaignFor(ctx, p, id)
	if err != nil {
		return 0, err
	}
	return c.db.ResumeCampaign(ctx, id, c.enqueue(c.sendTime(camp)))
}

// Remind queues a reminder now to every invited member who has not
// completed; at most one such reminder per day. Unless force, it refuses
// (*TooEarlyError) before the campaign's minimum gap since its invitations
// went out (Config.RemindMinGap), and leaves out members invited later
// within that gap.
func (c *Service) Remind(ctx context.Context, p survey.Principal, id string, force bool) (int, error) {
	camp, err := c.campaignFor(ctx, p, id)
	if err != nil {
		return 0, err
	}
	now := c.cfg.Now()
	sentBefore := now
	if !force && c.cfg.RemindMinGap > 0 {
		if camp.LaunchedAt != nil {
			// Invitations go out from the launch, or from the start if later.
			from := camp.StartsAt
			if camp.LaunchedAt.After(from) {
				from = *camp.LaunchedAt
			}
			if from = from.Add(c.cfg.RemindMinGap); now.Before(from) {
				loc, err := time.LoadLocation(camp.Timezone)
				if err != nil {
					loc = time.UTC
				}
				return 0, &TooEarlyError{From: from.In(loc), Gap: c.cfg.RemindMinGap}
			}
		}
		sentBefore = now.Add(-c.cfg.RemindMinGap)
	}
	kind := "reminder-" + now.Format(time.DateOnly)
	return c.db.QueueReminders(ctx, id, kind, sentBefore, c.enqueue(c.sendTime(camp)))
}

// ErrTooEarly is returned (as a *TooEarlyError) by Remind within the
// minimum gap after a campaign's invitations.
var ErrTooEarly = errors.New("too early to remind")

// TooEarlyError says from when a campaign's members may be reminded.
type TooEarlyError struct {
	From time.Time     // the first moment reminding is possible
	Gap  time.Duration // the minimum gap since the invitations
}

func (e *TooEarlyError) Error() string {
	return fmt.Sprintf("the invitations went out less than %s ago; reminding is possible from %s (or now with force)",
		e.Gap, e.From.Format("2006-01-02 15:04 MST"))
}

func (e *TooEarlyError) Unwrap() error { return ErrTooEarly }

// Stats returns how a campaign goes.
func (c *Service) Stats(ctx context.Context, p survey.Principal, id string) (survey.CampaignStats, error) {
	if _, err := c.campaignFor(ctx, p, id); err != nil {
		return survey.CampaignStats{}, err
	}
	return c.db.CampaignStats(ctx, id)
}

// List returns the campaigns p may see.
func (c *Service) List(ctx context.Context, p survey.Principal) ([]survey.Campaign, error) {
	if p.Operator() {
		return c.db.Campaigns(ctx, "")
	}
	return c.db.Campaigns(ctx, p.Chamber.ID)
}

// remindScheduled queues the reminders that are due: for each running
// campaign and each of its reminder days d, a reminder to members invited
// at least d days ago who have not completed. Campaigns past their end are
// marked ended.
func (c *Service) remindScheduled(ctx context.Context) error {
	camps, err := c.db.Campaigns(ctx, "")
	if err != nil {
		return err
	}
	now := c.cfg.Now()
	for _, camp := range camps {
		if camp.Status != survey.CampaignRunning {
			continue
		}
		if !now.Before(camp.EndsAt) {
			if err := c.db.SetCampaignStatus(ctx, camp.ID, survey.CampaignEnded, survey.CampaignRunning); err != nil {
				return err
			}
			continue
		}
		for _, d := range camp.Reminders {
			n, err := c.db.QueueReminders(ctx, camp.ID, "reminder-"+strconv.Itoa(d), now.AddDate(0, 0, -d), c.enqueue(c.sendTime(camp)))
			if err != nil && !errors.Is(err, survey.ErrCampaignState) {
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
	c *Service
}

func (w *remindWorker) Work(ctx context.Context, _ *river.Job[remindArgs]) error {
	return w.c.remindScheduled(ctx)
}
