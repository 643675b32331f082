package digest_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/digest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestDigestOncePerWeek runs the digest job of two instances at the same
// moments: each week's digest goes to every subscriber exactly once, on
// Monday from 08:00 Berlin time, covering the week before.
func TestDigestOncePerWeek(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			for _, s := range []survey.Subscriber{{Kind: "slack", Target: "C0COUNCIL"}, {Kind: "email", Target: "rat@example.org"}} {
				if err := db.AddSubscriber(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			got := map[string][]string{} // week -> targets
			deliver := func(_ context.Context, to survey.Subscriber, d digest.Digest) error {
				mu.Lock()
				defer mu.Unlock()
				got[d.Week] = append(got[d.Week], to.Target)
				return nil
			}
			job := func() *digest.Job {
				return digest.NewJob(db, q, map[survey.Channel]digest.Deliverer{survey.Slack: deliver, survey.Email: deliver}, berlin, time.Monday, 8*time.Hour, testrig.Discard())
			}
			a, b := job(), job()
			if w, due := a.Due(time.Date(2026, 11, 30, 7, 59, 0, 0, berlin)); due {
				t.Errorf("due at Monday 07:59 (%s)", w)
			}
			if w, due := a.Due(time.Date(2026, 11, 30, 8, 0, 0, 0, berlin)); !due || w != "2026-W48" {
				t.Errorf("Monday 08:00 of W49: due %v for %s, want the digest of 2026-W48", due, w)
			}
			var sends atomic.Int32
			for _, at := range []time.Time{
				time.Date(2026, 11, 30, 7, 59, 0, 0, berlin), // not yet
				time.Date(2026, 11, 30, 8, 1, 0, 0, berlin),  // W48's digest
				time.Date(2026, 12, 2, 15, 0, 0, 0, berlin),  // later that week: nothing new
				time.Date(2026, 12, 7, 8, 0, 0, 0, berlin),   // W49's digest
			} {
				var wg sync.WaitGroup
				for _, j := range []*digest.Job{a, b} {
					wg.Go(func() {
						sent, err := j.RunOnce(ctx, at)
						if err != nil {
							t.Error(err)
						}
						if sent {
							sends.Add(1)
						}
					})
				}
				wg.Wait()
			}
			if sends.Load() != 2 || len(got["2026-W48"]) != 2 || len(got["2026-W49"]) != 2 || len(got) != 2 {
				t.Errorf("%d sends, deliveries %v; want each of two weeks sent once to both subscribers", sends.Load(), got)
			}
		})
	}
}

// failingSource fails to build once, as a database error would.
type failingSource struct {
	digest.JobStore
	fail bool
}

func (f *failingSource) AggregateHeld(ctx context.Context, q dialogs.Ref, dim survey.Dimension, week string) ([]survey.HeldCell, error) {
	if f.fail {
		f.fail = false
		return nil, errors.New("database gone")
	}
	return f.JobStore.AggregateHeld(ctx, q, dim, week)
}

// TestDigestRetriedAfterFailure: a digest whose building failed after the
// claim is sent once the claim lapses.
func TestDigestRetriedAfterFailure(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 30, 8, 5, 0, 0, berlin)
	clock := now
	db := storetest.SQLite(t, store.WithClock(func() time.Time { return clock }))
	if err := db.AddSubscriber(ctx, survey.Subscriber{Kind: "email", Target: "rat@example.org"}); err != nil {
		t.Fatal(err)
	}
	sent := 0
	src := &failingSource{JobStore: db, fail: true}
	job := digest.NewJob(src, q, map[survey.Channel]digest.Deliverer{survey.Email: func(context.Context, survey.Subscriber, digest.Digest) error { sent++; return nil }},
		berlin, time.Monday, 8*time.Hour, testrig.Discard())
	if _, err := job.RunOnce(ctx, now); err == nil {
		t.Fatal("the failing build reported no error")
	}
	if ok, _ := job.RunOnce(ctx, now.Add(time.Minute)); ok || sent != 0 {
		t.Fatalf("sent again at once (%v, %d): the claim should hold for a while", ok, sent)
	}
	clock = now.Add(31 * time.Minute)
	if ok, err := job.RunOnce(ctx, clock); !ok || err != nil || sent != 1 {
		t.Errorf("after the claim lapsed: sent %v, %d deliveries, %v; want the digest sent once", ok, sent, err)
	}
	if ok, _ := job.RunOnce(ctx, clock.Add(time.Hour)); ok || sent != 1 {
		t.Errorf("a sent digest was sent again")
	}
}
