package bot_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/metrics/metricstest"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestServiceMetrics begins a response in Telegram, with one input
// delivered twice, and completes it on the web: the start, each answer
// and the completion count once, on the channel they came from.
func TestServiceMetrics(t *testing.T) {
	ctx := context.Background()
	s := storetest.Rigs(t)[0]
	m := metrics.New()
	svc := bot.NewService(s.DB, s.Sessions(), testrig.Discard(), dialogstest.Core(t), bot.WithMetrics(m))
	scrapes := httptest.NewServer(m.Handler())
	defer scrapes.Close()

	tg := survey.Identity{Channel: "telegram", External: "4711"}
	r, err := svc.Open(ctx, tg, dialogs.German)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 { // consent and two answers, the first delivered twice
		p, _ := dialogstest.Question(r.Prompts)
		in := dialogstest.AnswerFor(p, 0)
		if r, err = svc.HandleOnce(ctx, tg, in, "telegram:update:"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if again, err := svc.HandleOnce(ctx, tg, in, "telegram:update:1"); err != nil || len(again.Prompts) != 0 {
				t.Fatalf("the repeated input: %v, %d prompts", err, len(again.Prompts))
			}
		}
	}
	rid, err := s.DB.RespondentByIdentity(ctx, tg)
	if err != nil {
		t.Fatal(err)
	}
	web := survey.Identity{Channel: "web", External: "token-hash"}
	if err := s.DB.LinkIdentity(ctx, rid, web); err != nil {
		t.Fatal(err)
	}
	if r, err = svc.Open(ctx, web, dialogs.German); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		p, ok := dialogstest.Question(r.Prompts)
		if !ok || r.Phase == dialogs.PhaseDone {
			break
		}
		if r, err = svc.Handle(ctx, web, dialogstest.AnswerFor(p, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if r.Phase != dialogs.PhaseDone {
		t.Fatalf("the dialog stands at %s, want done", r.Phase)
	}
	answers, err := s.DB.Answers(ctx, r.ResponseID)
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
