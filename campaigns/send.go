package campaigns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/surveybot/surveybot/survey"
)

type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	c *Service
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
func (c *Service) send(ctx context.Context, id string, last bool) error {
	o, err := c.db.OutgoingMessage(ctx, id)
	if errors.Is(err, survey.ErrNotFound) {
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
	case camp.Status == survey.CampaignPaused || camp.Status == survey.CampaignDraft:
		return nil // Resume queues it again
	case camp.Status == survey.CampaignEnded || !now.Before(camp.EndsAt):
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
	inv := survey.Invite{MessageID: id, Reminder: o.Kind != "invitation", Lang: o.Lang, Chamber: camp.ChamberName,
		Key: c.key(o.InvitationID), Deadline: camp.EndsAt}
	// The member's own choice of Telegram was made when the invitation
	// went out on it; a reminder follows on the same channel.
	inv.To = address(o.Channel, survey.Reach{Email: o.Member.Email, Telegram: true, TelegramChat: o.TelegramChat, Slack: o.Member.Slack})
	if inv.To == "" {
		return skip("no " + string(o.Channel) + " address")
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
		c.log.Warn("campaign message failed", slog.String("message", id), slog.String("channel", string(o.Channel)), slog.Any("error", err))
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
		c.log.Warn("campaign message outcome unknown", slog.String("message", id), slog.String("channel", string(o.Channel)), slog.Any("error", err))
		return c.db.FinishMessage(done, id, "failed", "outcome unknown, not sent again to avoid a duplicate: "+reason(err))
	}
}

// surelyNotSent reports whether the message cannot have reached the
// platform: marked NotSent, or the connection was never made.
func surelyNotSent(err error) bool {
	var ns interface{ NotSent() bool }
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &ns) && ns.NotSent() || errors.As(err, &op) && op.Op == "dial" || errors.As(err, &dns)
}

// reason shortens an error for the message's record.
func reason(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
