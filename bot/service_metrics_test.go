package bot_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/metrics/metricstest"
	"github.com/surveybot/surveybot/store"
)

// TestServiceMetrics begins a response in Telegram, with one input
// delivered twice, and completes it on the web: the start, each answer
// and the completion count once, on the channel they came from.
func TestServiceMetrics(t *testing.T) {
	ctx := context.Background()
	s := setups(t)[0]
	m := metrics.New()
	svc := bot.NewService(s.db, s.sessions(), discard(), core(t))
	svc.CountIn(m)
	scrapes := httptest.NewServer(m.Handler())
	defer scrapes.Close()

	tg := store.Identity{Channel: "telegram", External: "4711"}
	r, err := svc.Open(ctx, tg, dialogs.German)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 { // consent and two answers, the first delivered twice
		p, _ := question(r)
		in := answerFor(p, 0)
		if r, err = svc.HandleOnce(ctx, tg, in, "telegram:update:"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if again, err := svc.HandleOnce(ctx, tg, in, "telegram:update:1"); err != nil || len(again.Prompts) != 0 {
				t.Fatalf("the repeated input: %v, %d prompts", err, len(again.Prompts))
			}
		}
	}
	rid, err := s.db.RespondentByIdentity(ctx, tg)
	if err != nil {
		t.Fatal(err)
	}
	web := store.Identity{Channel: "web", External: "token-hash"}
	if err := s.db.LinkIdentity(ctx, rid, web); err != nil {
		t.Fatal(err)
	}
	if r, err = svc.Open(ctx, web, dialogs.German); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		p, ok := question(r)
		if !ok || r.Phase == dialogs.PhaseDone {
			break
		}
		if r, err = svc.Handle(ctx, web, answerFor(p, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if r.Phase != dialogs.PhaseDone {
		t.Fatalf("the dialog stands at %s, want done", r.Phase)
	}
	answers, err := s.db.Answers(ctx, r.ResponseID)
	if err != nil {
		t.Fatal(err)
	}

	f := metricstest.Scrape(t, scrapes.URL)
	for _, c := range []struct {
		name, channel string
		want          float64
	}{
		{"surveybot_dialogs_started_total", "telegram", 1},
		{"surveybot_dialogs_started_total", "web", 0},
		{"surveybot_answers_accepted_total", "telegram", 2},
		{"surveybot_answers_accepted_total", "web", float64(len(answers) - 2)},
		{"surveybot_dialogs_completed_total", "telegram", 0},
		{"surveybot_dialogs_completed_total", "web", 1},
	} {
		if got := f.Value(c.name, "channel", c.channel); got != c.want {
			t.Errorf("%s{channel=%q} = %v, want %v", c.name, c.channel, got, c.want)
		}
	}
}
