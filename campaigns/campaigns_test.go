package campaigns_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/campaigns"
	"github.com/surveybot/surveybot/campaigns/campaignstest"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// operator speaks for nobody in particular: it sees every chamber.
var operator = survey.Principal{}

func stats(t *testing.T, c *campaigns.Service, id string) survey.CampaignStats {
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
			e := campaignstest.NewEnv(t, db, threeMembers)
			c := e.Runner(t)
			camp, err := c.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Herbst", Channels: []survey.Channel{"slack", "email"}, End: "2026-12-31"})
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
			testrig.WaitFor(t, "three sends", 10*time.Second, func() bool { return stats(t, c, camp.ID).Total.Sent == 3 })
			if got := e.Senders["slack"].To("U0BERG0001"); len(got) != 1 || got[0].Lang != "en" || got[0].Chamber != "HWK Hannover" {
				t.Errorf("Slack to U0BERG0001 = %+v, want one English invitation from HWK Hannover", got)
			}
			if got := e.Senders["email"].To("alt@example.org"); len(got) != 1 || got[0].Reminder {
				t.Errorf("e-mail to alt@ = %+v, want one invitation", got)
			}
			// A second launch invites nobody twice.
			res, err = c.Launch(ctx, operator, camp.ID)
			if err != nil || res.Invited != 0 {
				t.Fatalf("second launch = %+v, %v; want nobody invited", res, err)
			}
			time.Sleep(200 * time.Millisecond)
			if n := e.Senders["slack"].Count() + e.Senders["email"].Count(); n != 3 {
				t.Errorf("%d messages sent, want 3", n)
			}
		})
	}
}

// complete answers the whole questionnaire as who, through the invitation
// key a campaign message carried.
func complete(t *testing.T, db *store.DB, who survey.Identity, key string) {
	t.Helper()
	ctx := context.Background()
	svc := bot.NewService(db, store.NewMemorySessions(time.Hour), testrig.Discard(), dialogstest.Core(t))
	r, err := svc.StartInvitation(ctx, who, key)
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		p, ok := dialogstest.Question(r.Prompts)
		if !ok {
			return
		}
		if r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, 1)); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("the dialog did not end")
}

func TestCampaignRemindsOnlyThoseWhoHaveNotCompleted(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e := campaignstest.NewEnv(t, db, threeMembers)
			c := e.Runner(t)
			camp, err := c.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Herbst", Channels: []survey.Channel{"email", "slack"},
				End: "2026-12-31", Reminders: []int{7, 14}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Launch(ctx, operator, camp.ID); err != nil {
				t.Fatal(err)
			}
			testrig.WaitFor(t, "invitations", 10*time.Second, func() bool { return stats(t, c, camp.ID).Total.Sent == 3 })
			// Elektro Berg completes through the link of its e-mail.
			berg := e.Senders["email"].To("berg@example.org")
			complete(t, db, survey.Identity{Channel: "web", External: "berg-browser"}, berg[0].Key)

			// Six days later: no reminder yet.
			e.Clock.Set(campaignstest.Berlin(t, "2026-12-01 10:00"))
			time.Sleep(300 * time.Millisecond)
			if n := stats(t, c, camp.ID).Total.Reminders; n != 0 {
				t.Fatalf("%d reminders after six days, want none", n)
			}
			// Eight days later (a Thursday, 10:00): the two who did not complete get one reminder each.
			e.Clock.Set(campaignstest.Berlin(t, "2026-12-03 10:00"))
			testrig.WaitFor(t, "reminders", 10*time.Second, func() bool { return stats(t, c, camp.ID).Total.Reminders == 2 })
			if got := e.Senders["email"].To("alt@example.org"); len(got) != 2 || !got[1].Reminder || got[1].Key != got[0].Key {
				t.Errorf("alt@ got %+v, want the invitation and a reminder with the same link", got)
			}
			if got := e.Senders["email"].To("berg@example.org"); len(got) != 1 {
				t.Errorf("berg@ (completed) got %d messages, want only the invitation", len(got))
			}
			if got := e.Senders["slack"].To("U0CELLE001"); len(got) != 2 {
				t.Errorf("Slack U0CELLE001 got %d messages, want invitation and reminder", len(got))
			}
			time.Sleep(300 * time.Millisecond) // the scan runs again: still one reminder each
			st := stats(t, c, camp.ID)
			if st.Total.Reminders != 2 || st.Total.Completed != 1 || st.Total.Consented != 1 {
				t.Errorf("stats = %+v, want 2 reminders, 1 started, 1 completed", st.Total)
			}
			// A manual reminder goes to the same two, once a day.
			n, err := c.Remind(ctx, operator, camp.ID, false)
			if err != nil || n != 2 {
				t.Fatalf("remind = %d, %v; want 2", n, err)
			}
			if n, err := c.Remind(ctx, operator, camp.ID, false); err != nil || n != 0 {
				t.Fatalf("second remind the same day = %d, %v; want 0", n, err)
			}
		})
	}
}

func TestCampaignKeepsQuietHoursAndSundays(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	e := campaignstest.NewEnv(t, db, threeMembers)
	e.Clock.Set(campaignstest.Berlin(t, "2026-11-28 21:30")) // a Saturday evening
	c := e.Runner(t)
	camp, err := c.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Herbst", Channels: []survey.Channel{"email", "slack"}, End: "2026-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Launch(ctx, operator, camp.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	e.Clock.Set(campaignstest.Berlin(t, "2026-11-29 12:00")) // Sunday noon
	time.Sleep(300 * time.Millisecond)
	e.Clock.Set(campaignstest.Berlin(t, "2026-11-30 07:59")) // Monday before eight
	time.Sleep(300 * time.Millisecond)
	if n := e.Senders["email"].Count() + e.Senders["slack"].Count(); n != 0 {
		t.Fatalf("%d messages sent in quiet time, want none", n)
	}
	if st := stats(t, c, camp.ID); st.Total.Queued != 3 {
		t.Fatalf("stats = %+v, want 3 queued", st.Total)
	}
	// The jobs were put off until Monday 08:00; the runner's jobs wait in
	// real time, so the test asks the runner to send what is due now.
	e.Clock.Set(campaignstest.Berlin(t, "2026-11-30 08:00"))
	if _, err := c.Resume(ctx, operator, camp.ID); !errors.Is(err, survey.ErrCampaignState) {
		t.Fatalf("resume of a running campaign = %v, want ErrCampaignState", err)
	}
	if err := c.Pause(ctx, operator, camp.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resume(ctx, operator, camp.ID); err != nil { // queues the waiting messages again, due now
		t.Fatal(err)
	}
	testrig.WaitFor(t, "sends at eight", 10*time.Second, func() bool { return stats(t, c, camp.ID).Total.Sent == 3 })
}

func TestQuietUntil(t *testing.T) {
	camp := survey.Campaign{QuietFrom: "20:00", QuietUntil: "08:00", QuietSunday: true, Timezone: "Europe/Berlin"}
	for _, tc := range []struct{ at, until string }{
		{"2026-11-25 10:00", ""},                 // Wednesday morning: send
		{"2026-11-25 19:59", ""},                 //
		{"2026-11-25 20:00", "2026-11-26 08:00"}, // evening
		{"2026-11-26 03:00", "2026-11-26 08:00"}, // night
		{"2026-11-28 22:00", "2026-11-30 08:00"}, // Saturday night, then Sunday, then Monday's early hours
		{"2026-11-29 12:00", "2026-11-30 08:00"}, // Sunday
		{"2026-03-29 07:00", "2026-03-30 08:00"}, // Sunday of the switch to summer time
	} {
		until, quiet := campaigns.QuietUntil(camp, campaignstest.Berlin(t, tc.at))
		if tc.until == "" {
			if quiet {
				t.Errorf("%s: quiet until %s, want to send", tc.at, until)
			}
			continue
		}
		if want := campaignstest.Berlin(t, tc.until); !quiet || !until.Equal(want) {
			t.Errorf("%s: quiet=%v until %s, want until %s", tc.at, quiet, until, want)
		}
	}
	// The days the clocks change, with Sundays not quiet: the wall clock counts.
	camp.QuietSunday = false
	for _, tc := range []struct{ at, until string }{
		{"2026-10-24 21:00", "2026-10-25 08:00"}, // the night the clocks go back
		{"2026-10-25 07:30", "2026-10-25 08:00"},
		{"2026-03-29 07:30", "2026-03-29 08:00"}, // the morning after they go forward
	} {
		until, quiet := campaigns.QuietUntil(camp, campaignstest.Berlin(t, tc.at))
		if want := campaignstest.Berlin(t, tc.until); !quiet || !until.Equal(want) {
			t.Errorf("%s: quiet=%v until %s, want until %s", tc.at, quiet, until, want)
		}
	}
	camp.QuietFrom, camp.QuietUntil, camp.QuietSunday = "00:00", "00:00", false
	if _, quiet := campaigns.QuietUntil(camp, campaignstest.Berlin(t, "2026-11-29 03:00")); quiet {
		t.Error("no quiet hours: a Sunday night is quiet")
	}
}

func TestCampaignOptOutDuringBroadcast(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var csv strings.Builder
			csv.WriteString("Firma;E-Mail;Einwilligung\n")
			for i := range 60 {
				fmt.Fprintf(&csv, "Firma %d;m%02d@example.org;ja\n", i, i)
			}
			e := campaignstest.NewEnv(t, db, csv.String())
			// The first send is slow; meanwhile m59 unsubscribes.
			release := make(chan struct{})
			var once sync.Once
			e.Senders["email"].Hook = func(survey.Invite) { once.Do(func() { <-release }) }
			c := e.Runner(t)
			camp, err := c.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Herbst", Channels: []survey.Channel{"email"}, End: "2026-12-31"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Launch(ctx, operator, camp.ID); err != nil {
				t.Fatal(err)
			}
			if err := db.OptOut(ctx, "M59@example.org"); err != nil {
				t.Fatal(err)
			}
			close(release)
			testrig.WaitFor(t, "the broadcast", 20*time.Second, func() bool {
				st := stats(t, c, camp.ID).Total
				return st.Sent+st.Skipped == 60
			})
			if got := e.Senders["email"].To("m59@example.org"); len(got) != 0 {
				t.Errorf("m59 opted out while the broadcast ran but got %d messages", len(got))
			}
			st := stats(t, c, camp.ID)
			if st.Total.Sent != 59 || st.Total.Skipped != 1 || len(st.Reasons) != 1 || st.Reasons[0].Reason != "opted out" {
				t.Errorf("stats = %+v %+v, want 59 sent, 1 skipped as opted out", st.Total, st.Reasons)
			}
		})
	}
}

// TestTwoInstancesSendEachInvitationOnce broadcasts to many members with
// two runners on one database, as two serve instances do, and checks on
// the fake channels' records that every member got exactly one message.
func TestTwoInstancesSendEachInvitationOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("broadcasts thousands of invitations")
	}
	sizes := map[string]int{"sqlite": 2000, "postgres": 10000}
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			n := sizes[name]
			var csv strings.Builder
			csv.WriteString("Mitgliedsnummer;Firma;E-Mail;Slack;Einwilligung\n")
			for i := range n {
				if i%2 == 0 {
					fmt.Fprintf(&csv, "%d;Firma %d;m%d@example.org;;ja\n", i, i, i)
				} else {
					fmt.Fprintf(&csv, "%d;Firma %d;;U%08d;ja\n", i, i, i)
				}
			}
			e := campaignstest.NewEnv(t, db, csv.String())
			e.Clock.Set(time.Now()) // the real clock: jobs are due at once
			a, b := e.Runner(t), e.Runner(t)
			camp, err := a.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Alle", Channels: []survey.Channel{"slack", "email"},
				End: time.Now().AddDate(0, 1, 0).Format(time.DateOnly), QuietHours: "none", QuietSunday: new(false)})
			if err != nil {
				t.Fatal(err)
			}
			res, err := b.Launch(ctx, operator, camp.ID)
			if err != nil || res.Invited != n {
				t.Fatalf("launch = %+v, %v; want %d invited", res, err, n)
			}
			testrig.WaitFor(t, "the broadcast", 3*time.Minute, func() bool { return stats(t, a, camp.ID).Total.Sent == n })
			time.Sleep(200 * time.Millisecond) // a second send would show now
			for _, ch := range []survey.Channel{survey.Email, survey.Slack} {
				got := e.Senders[ch].All()
				for who, msgs := range got {
					if len(msgs) != 1 {
						t.Errorf("%s %s got %d messages", ch, who, len(msgs))
					}
				}
				if len(got) != n/2 {
					t.Errorf("%s: %d recipients, want %d", ch, len(got), n/2)
				}
			}
		})
	}
}

// TestErasedMemberIsNotInvitedAgain erases a respondent who was invited:
// their messages go, and launching the campaign again for new members
// does not invite them once more.
func TestErasedMemberIsNotInvitedAgain(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	e := campaignstest.NewEnv(t, db, threeMembers)
	c := e.Runner(t)
	camp, err := c.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Herbst", Channels: []survey.Channel{"email", "slack"}, End: "2026-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Launch(ctx, operator, camp.ID); err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, "invitations", 10*time.Second, func() bool { return stats(t, c, camp.ID).Total.Sent == 3 })
	rid, err := db.RespondentByIdentity(ctx, survey.Identity{Channel: "email", External: "alt@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.EraseRespondent(ctx, rid); err != nil {
		t.Fatal(err)
	}
	if st := stats(t, c, camp.ID); st.Total.Invited != 2 {
		t.Errorf("after erasure %d invitations, want 2", st.Total.Invited)
	}
	res, err := c.Launch(ctx, operator, camp.ID)
	if err != nil || res.Invited != 0 || res.OptedOut+res.NoConsent != 2 {
		t.Fatalf("launch after erasure = %+v, %v; want nobody invited", res, err)
	}
	if got := e.Senders["email"].To("alt@example.org"); len(got) != 1 {
		t.Errorf("alt@ got %d messages, want only the first invitation", len(got))
	}
}

// TestCampaignSendErrors: a message whose send failed in a way that may
// have reached the platform is not sent again; one the platform surely
// did not take is retried until it goes.
func TestCampaignSendErrors(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	e := campaignstest.NewEnv(t, db, threeMembers)
	e.Clock.Set(time.Now())
	var mu sync.Mutex
	refusals := 0
	e.Senders["email"].Fail = func(inv survey.Invite) error {
		mu.Lock()
		defer mu.Unlock()
		if inv.To == "alt@example.org" {
			return errors.New("connection reset by peer") // after the request went out?
		}
		if refusals < 1 {
			refusals++
			return outbox.NotSent(errors.New("451 try again later"))
		}
		return nil
	}
	c := e.Runner(t)
	camp, err := c.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Herbst", Channels: []survey.Channel{"email"},
		End: time.Now().AddDate(0, 1, 0).Format(time.DateOnly), QuietHours: "none", QuietSunday: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Launch(ctx, operator, camp.ID); err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, "both e-mails settled", 60*time.Second, func() bool {
		st := stats(t, c, camp.ID).Total
		return st.Sent == 1 && st.Failed == 1
	})
	st := stats(t, c, camp.ID)
	if len(st.Reasons) != 1 || !strings.Contains(st.Reasons[0].Reason, "outcome unknown") {
		t.Errorf("reasons %+v, want one 'outcome unknown'", st.Reasons)
	}
	if got := e.Senders["email"].To("berg@example.org"); len(got) != 1 {
		t.Errorf("berg@ got %d messages after a refusal, want 1", len(got))
	}
}

// TestUnsubscribeReachesAMemberLinkedBefore: a member first invited on
// Slack, then by e-mail once the chamber knew the address, unsubscribes
// through the e-mail's link: the address is opted out.
func TestUnsubscribeReachesAMemberLinkedBefore(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	e := campaignstest.NewEnv(t, db, "Mitgliedsnummer;Firma;E-Mail;Slack;Einwilligung\n7;Celle;;U0CELLE001;ja\n")
	c := e.Runner(t)
	spec := campaigns.Spec{Chamber: "hwk_h", Name: "Eins", Channels: []survey.Channel{"slack"}, End: "2026-12-31"}
	first, err := c.Create(ctx, operator, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Launch(ctx, operator, first.ID); err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, "the Slack invitation", 10*time.Second, func() bool { return e.Senders["slack"].Count() == 1 })
	if _, err := c.ImportMembers(ctx, operator, "hwk_h", strings.NewReader("Mitgliedsnummer;Firma;E-Mail;Slack;Einwilligung\n7;Celle;celle@example.org;U0CELLE001;ja\n"), false); err != nil {
		t.Fatal(err)
	}
	spec.Name, spec.Channels = "Zwei", []survey.Channel{survey.Email}
	second, err := c.Create(ctx, operator, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Launch(ctx, operator, second.ID); err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, "the e-mail invitation", 10*time.Second, func() bool { return e.Senders["email"].Count() == 1 })
	key := e.Senders["email"].To("celle@example.org")[0].Key
	if err := db.OptOutByInvitation(ctx, key); err != nil {
		t.Fatal(err)
	}
	if out, err := db.OptedOut(ctx, "celle@example.org"); err != nil || !out {
		t.Errorf("after the unsubscribe: opted out %v, %v; want true", out, err)
	}
}
