package campaigns_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/campaigns"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// benchDBs are the databases a benchmark runs on: SQLite, and PostgreSQL
// when enabled.
func benchDBs(b *testing.B) map[string]*store.DB {
	return storetest.DBs(b)
}

// BenchmarkQueueInvitations launches a campaign to 100,000 members: the
// invitations, their messages and send jobs in one transaction. Goal:
// under 10 s on PostgreSQL and on SQLite.
//
//	go test -run '^$' -bench QueueInvitations -benchtime 1x ./bot/
func BenchmarkQueueInvitations(b *testing.B) {
	const members = 100000
	for name, db := range benchDBs(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			if err := db.RegisterQuestionnaire(ctx, dialogstest.Core(b).Ref(), dialogs.CoreSource()); err != nil {
				b.Fatal(err)
			}
			c, err := campaigns.New(ctx, db, dialogstest.Core(b), campaigns.Config{KeySecret: []byte("0123456789abcdef0123456789abcdef")}, testrig.Discard())
			if err != nil {
				b.Fatal(err)
			}
			for i := range b.N {
				b.StopTimer()
				ch, _, err := db.AddChamber(ctx, fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i), "Kammer")
				if err != nil {
					b.Fatal(err)
				}
				ms := make([]survey.Member, members)
				for j := range ms {
					ms[j] = survey.Member{Company: "Firma", Email: fmt.Sprintf("m%d-%d@example.org", i, j), Lang: "de", Consent: true}
				}
				if _, err := db.ImportMembers(ctx, ch.ID, ms); err != nil {
					b.Fatal(err)
				}
				camp, err := c.Create(ctx, survey.Principal{Chamber: &ch}, campaigns.Spec{Name: "Alle", Channels: []survey.Channel{"email"},
					End: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := c.Launch(ctx, survey.Principal{}, camp.ID)
				if err != nil || res.Invited != members {
					b.Fatalf("launch = %+v, %v", res, err)
				}
			}
		})
	}
}

// BenchmarkCampaignTelegram sends campaign invitations through the real
// Telegram channel to a fake Bot API. With the fake enforcing Telegram's
// bulk limit of 30 messages/s, the goal is at least 95% of that rate and
// no 429 at all; unthrottled, it shows how fast sends go.
//
//	go test -run '^$' -bench CampaignTelegram -benchtime 1x ./bot/
func BenchmarkCampaignTelegram(b *testing.B) {
	for _, tc := range []struct {
		name     string
		limit    bool
		messages int
	}{{"limited-30", true, 450}, {"unthrottled", false, 3000}} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				rate, n429 := campaignTelegramRun(b, tc.limit, tc.messages)
				b.ReportMetric(rate, "msgs/s")
				b.ReportMetric(float64(n429), "429s")
			}
		})
	}
}

func campaignTelegramRun(b *testing.B, limit bool, n int) (float64, int) {
	b.StopTimer()
	ctx := context.Background()
	db := storetest.SQLite(b)
	if storetest.ServersEnabled(b) {
		db = storetest.Postgres(b)
	}
	q := dialogstest.Core(b)
	if err := db.RegisterQuestionnaire(ctx, q.Ref(), dialogs.CoreSource()); err != nil {
		b.Fatal(err)
	}
	fake := telegramtest.New(b, "123456:bench")
	if limit {
		fake.LimitSends(30, 30)
	}
	svc := bot.NewService(db, store.NewMemorySessions(time.Hour), testrig.Discard(), q)
	limits := outbox.Limits{PerKey: 1, PerKeyBurst: 3, Global: 30, GlobalBurst: 1} // as serve builds them from [telegram]
	var lim outbox.Limiter = outbox.NewMemoryLimiter(limits)
	if !limit {
		lim = outbox.NewMemoryLimiter(outbox.Limits{})
	}
	queue := outbox.New(lim, outbox.Options{Log: testrig.Discard()})
	tg, err := telegram.New(telegram.Config{Token: "123456:bench", APIURL: fake.URL(), Mode: telegram.ModeWebhook,
		WebhookSecret: "bench-secret-0123456789"}, svc, store.NewMemoryKV(), queue, testrig.Discard())
	if err != nil {
		b.Fatal(err)
	}
	ch, _, err := db.AddChamber(ctx, "hwk_h", "HWK Hannover")
	if err != nil {
		b.Fatal(err)
	}
	ms := make([]survey.Member, n)
	for i := range ms {
		// A member who once wrote to the bot: their chat is known.
		email := fmt.Sprintf("m%d@example.org", i)
		rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "telegram", External: strconv.Itoa(100000 + i)})
		if err != nil {
			b.Fatal(err)
		}
		if err := db.LinkIdentity(ctx, rid, survey.Identity{Channel: "email", External: email}); err != nil {
			b.Fatal(err)
		}
		ms[i] = survey.Member{Company: "Firma", Email: email, Telegram: true, Lang: "de", Consent: true}
	}
	if _, err := db.ImportMembers(ctx, ch.ID, ms); err != nil {
		b.Fatal(err)
	}
	c, err := campaigns.New(ctx, db, q, campaigns.Config{
		KeySecret: []byte("0123456789abcdef0123456789abcdef"), Workers: 32, Poll: 50 * time.Millisecond,
		Senders:  map[survey.Channel]campaigns.InviteSender{survey.Telegram: tg},
		Limiters: map[survey.Channel]campaigns.Limiter{survey.Telegram: lim},
	}, testrig.Discard())
	if err != nil {
		b.Fatal(err)
	}
	camp, err := c.Create(ctx, survey.Principal{Chamber: &ch}, campaigns.Spec{Name: "Alle", Channels: []survey.Channel{"telegram"},
		End: time.Now().AddDate(0, 1, 0).Format(time.DateOnly), QuietHours: "none", QuietSunday: new(false)})
	if err != nil {
		b.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(rctx, 5*time.Second) }()
	defer func() { cancel(); <-done }()
	b.StartTimer()
	start := time.Now()
	if res, err := c.Launch(ctx, survey.Principal{}, camp.ID); err != nil || res.Invited != n {
		b.Fatalf("launch = %+v, %v", res, err)
	}
	// The rate is taken from the first message's arrival to the last's,
	// so that the job queue's start does not count against it.
	var sent []telegramtest.Call
	for len(sent) < n {
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("only %d of %d sent", len(sent), n)
		}
		time.Sleep(20 * time.Millisecond)
		sent = sent[:0]
		for _, cl := range fake.CallsTo("sendMessage") {
			if cl.Status == 200 {
				sent = append(sent, cl)
			}
		}
	}
	b.StopTimer()
	span := sent[len(sent)-1].At.Sub(sent[0].At).Seconds()
	return float64(len(sent)-1) / span, fake.Count429()
}
