package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/members"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
)

// recorder is a fake channel: it records every message it is given.
type recorder struct {
	mu   sync.Mutex
	got  map[string][]bot.Invite // by recipient
	fail func(bot.Invite) error  // if set, may refuse a message
	hook func(bot.Invite)        // if set, called before recording
}

func newRecorder() *recorder { return &recorder{got: map[string][]bot.Invite{}} }

func (r *recorder) SendInvite(_ context.Context, inv bot.Invite) error {
	if r.hook != nil {
		r.hook(inv)
	}
	if r.fail != nil {
		if err := r.fail(inv); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[inv.To] = append(r.got[inv.To], inv)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, v := range r.got {
		n += len(v)
	}
	return n
}

func (r *recorder) to(who string) []bot.Invite {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Invite(nil), r.got[who]...)
}

// clock is a settable time for the campaign runner.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func berlin(t *testing.T, s string) time.Time {
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

// campaignEnv is a chamber with members and a campaign runner.
type campaignEnv struct {
	db      *store.DB
	chamber store.Chamber
	clock   *clock
	senders map[string]*recorder
}

func newCampaignEnv(t *testing.T, db *store.DB, csv string) *campaignEnv {
	t.Helper()
	ctx := context.Background()
	if err := db.RegisterQuestionnaire(ctx, core(t).Ref(), dialogs.CoreSource()); err != nil {
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
	ms := make([]store.Member, len(rows))
	for i, r := range rows {
		ms[i] = r.Member
	}
	if _, err := db.ImportMembers(ctx, ch.ID, ms); err != nil {
		t.Fatal(err)
	}
	return &campaignEnv{db: db, chamber: ch, clock: &clock{t: berlin(t, "2026-11-25 10:00")},
		senders: map[string]*recorder{"email": newRecorder(), "telegram": newRecorder(), "slack": newRecorder()}}
}

// runner starts a campaign runner on the env's database, like one serve
// instance; it stops when the test ends.
func (e *campaignEnv) runner(t *testing.T) *bot.Campaigns {
	t.Helper()
	senders := map[string]bot.InviteSender{}
	for k, v := range e.senders {
		senders[k] = v
	}
	c, err := bot.NewCampaigns(context.Background(), e.db, core(t), bot.CampaignsConfig{
		KeySecret: []byte("0123456789abcdef0123456789abcdef"), Senders: senders, Workers: 8,
		Poll: 20 * time.Millisecond, RemindEvery: 50 * time.Millisecond, Now: e.clock.Now,
	}, discard())
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

// operator speaks for nobody in particular: it sees every chamber.
var operator = store.Principal{}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func stats(t *testing.T, c *bot.Campaigns, id string) store.CampaignStats {
	t.Helper()
	st, err := c.Stats(context.Background(), operator, id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

const threeMembers = "Mitgliedsnummer;Firma;E-Mail;Telegram;Slack;Sprache;Einwilligung\n" +
	"1;Tischlerei Alt;alt@example.org;nein;;de;ja\n" +
	"2;Elektro Berg;berg@example.org;ja;U0BERG0001;en;ja\n" +
	"3;Bäckerei Celle;;nein;U0CELLE001;de;ja\n" +
	"4;Dachdecker Dorn;dorn@example.org;nein;;de;nein\n"

func TestCampaignSendsEveryInvitationOnce(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e := newCampaignEnv(t, db, threeMembers)
			c := e.runner(t)
			camp, err := c.Create(ctx, operator, bot.CampaignSpec{Chamber: "hwk_h", Name: "Herbst", Channels: []string{"slack", "email"}, End: "2026-12-31"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Launch(ctx, operator, camp.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.Invited != 3 || res.NoConsent != 1 || res.ByChannel["slack"] != 2 || res.ByChannel["email"] != 1 {
				t.Fatalf("launch = %+v, want 3 invited (2 on Slack, 1 by e-mail), 1 without consent", res)
			}
			waitFor(t, "three sends", 10*time.Second, func() bool { return stats(t, c, camp.ID).Total.Sent == 3 })
			if got := e.senders["slack"].to("U0BERG0001"); len(got) != 1 || got[0].Lang != "en" || got[0].Chamber != "HWK Hannover" {
				t.Errorf("Slack to U0BERG0001 = %+v, want one English invitation from HWK Hannover", got)
			}
			if got := e.senders["email"].to("alt@example.org"); len(got) != 1 || got[0].Reminder {
				t.Errorf("e-mail to alt@ = %+v, want one invitation", got)
			}
			// A second launch invites nobody twice.
			res, err = c.Launch(ctx, operator, camp.ID)
			if err != nil || res.Invited != 0 {
				t.Fatalf("second launch = %+v, %v; want nobody invited", res, err)
			}
			time.Sleep(200 * time.Millisecond)
			if n := e.senders["slack"].count() + e.senders["email"].count(); n != 3 {
				t.Errorf("%d messages sent, want 3", n)
			}
		})
	}
}
