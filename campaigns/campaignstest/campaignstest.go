// Package campaignstest gives tests a chamber with members and campaign
// runners whose channels are recorders, on a settable clock.
package campaignstest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/campaigns"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/members"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// Recorder is a fake channel: it records every message it is given.
type Recorder struct {
	mu   sync.Mutex
	got  map[string][]survey.Invite // by recipient
	Fail func(survey.Invite) error  // if set, may refuse a message
	Hook func(survey.Invite)        // if set, called before recording
}

// NewRecorder returns a recorder that has recorded nothing.
func NewRecorder() *Recorder { return &Recorder{got: map[string][]survey.Invite{}} }

// SendInvite records inv, unless Fail refuses it.
func (r *Recorder) SendInvite(_ context.Context, inv survey.Invite) error {
	if r.Hook != nil {
		r.Hook(inv)
	}
	if r.Fail != nil {
		if err := r.Fail(inv); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[inv.To] = append(r.got[inv.To], inv)
	return nil
}

// Count is the number of messages recorded.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, v := range r.got {
		n += len(v)
	}
	return n
}

// To returns the messages recorded for one recipient.
func (r *Recorder) To(who string) []survey.Invite {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]survey.Invite(nil), r.got[who]...)
}

// All returns every message recorded, by recipient.
func (r *Recorder) All() map[string][]survey.Invite {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string][]survey.Invite, len(r.got))
	for who, msgs := range r.got {
		out[who] = append([]survey.Invite(nil), msgs...)
	}
	return out
}

// Clock is a settable time for the campaign runner.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Berlin reads "2006-01-02 15:04" in Europe/Berlin.
func Berlin(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Env is a chamber with members and the recorders of a campaign runner.
type Env struct {
	DB      *store.DB
	Chamber survey.Chamber
	Clock   *Clock
	Senders map[survey.Channel]*Recorder
}

// NewRecorders returns a recorder for every channel a campaign sends on.
func NewRecorders() map[survey.Channel]*Recorder {
	rs := map[survey.Channel]*Recorder{}
	for _, ch := range survey.InviteChannels() {
		rs[ch] = NewRecorder()
	}
	return rs
}

// NewEnv sets up chamber hwk_h with the members of csv (a member list) on
// db, whose clock it sets to Wednesday 2026-11-25 10:00 in Berlin.
func NewEnv(t testing.TB, db *store.DB, csv string) *Env {
	t.Helper()
	ctx := context.Background()
	clk := NewClock(Berlin(t, "2026-11-25 10:00"))
	store.WithClock(clk.Now)(db)
	if err := db.RegisterQuestionnaire(ctx, dialogstest.Core(t).Ref(), dialogs.CoreSource()); err != nil {
		t.Fatal(err)
	}
	ch, _, err := db.AddChamber(ctx, "hwk_h", "HWK Hannover")
	if err != nil {
		t.Fatal(err)
	}
	rows, bad, err := members.Parse(strings.NewReader(csv))
	if err != nil || len(bad) > 0 {
		t.Fatalf("members: %v %v", err, bad)
	}
	ms := make([]survey.Member, len(rows))
	for i, r := range rows {
		ms[i] = r.Member
	}
	if _, err := db.ImportMembers(ctx, ch.ID, ms); err != nil {
		t.Fatal(err)
	}
	return &Env{DB: db, Chamber: ch, Clock: clk, Senders: NewRecorders()}
}

// Runner starts a campaign runner on the env's database, like one serve
// instance; it stops when the test ends.
func (e *Env) Runner(t testing.TB) *campaigns.Service {
	t.Helper()
	senders := map[survey.Channel]campaigns.InviteSender{}
	for k, v := range e.Senders {
		senders[k] = v
	}
	c, err := campaigns.New(context.Background(), e.DB, dialogstest.Core(t), campaigns.Config{
		KeySecret: []byte("0123456789abcdef0123456789abcdef"), Senders: senders, Workers: 8,
		Poll: 20 * time.Millisecond, RemindEvery: 50 * time.Millisecond, Now: e.Clock.Now,
	}, testrig.Log(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	})
	return c
}
