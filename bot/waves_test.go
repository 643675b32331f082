package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// finish answers every question with the option at index pick (or the
// first where there are fewer) and returns the last reply's summary.
func finish(t *testing.T, svc *bot.Service, who survey.Identity, r bot.Reply, pick int) (bot.Reply, string) {
	t.Helper()
	ctx := context.Background()
	var err error
	for !r.Finished() {
		p, ok := dialogstest.Question(r.Prompts)
		if !ok {
			t.Fatalf("no question among %+v", r.Prompts)
		}
		if r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, pick)); err != nil {
			t.Fatal(err)
		}
	}
	return r, summaryOf(r)
}

func summaryOf(r bot.Reply) string {
	for _, p := range r.Prompts {
		if p.Kind == dialogs.PromptSummary {
			return p.Text
		}
	}
	return ""
}

// TestWaves: a firm answers once per wave. Coming back after completing
// it hears so and when the next wave starts; once the next wave has
// started it answers again, in a new response, and sees its change.
func TestWaves(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	for _, s := range storetest.Rigs(t) {
		t.Run(s.Name, func(t *testing.T) {
			svc := bot.NewService(s.DB, s.Sessions(), testrig.Discard(), q, bot.WithWaveCacheTTL(0))
			who := survey.Identity{Channel: "test", External: "wave-firm-" + s.Name}
			r, err := svc.Open(ctx, who, dialogs.German)
			if err != nil {
				t.Fatal(err)
			}
			first := r.ResponseID
			r, sum := finish(t, svc, who, r, 0)
			if strings.Contains(sum, "letzten Befragung") {
				t.Errorf("a first wave's summary shows a change:\n%s", sum)
			}

			// Back again within the wave: done, and no next wave planned yet.
			r, err = svc.Open(ctx, who, dialogs.German)
			if err != nil {
				t.Fatal(err)
			}
			if r.ResponseID != first || !strings.Contains(summaryOf(r), "bereits teilgenommen") ||
				!strings.Contains(summaryOf(r), "Zur nächsten Befragung laden wir Sie wieder ein") {
				t.Errorf("back in the completed wave: response %s (want %s), summary:\n%s", r.ResponseID, first, summaryOf(r))
			}

			// A wave planned for later: still done, told when it starts.
			start := time.Now().Add(2 * time.Second)
			if _, err := s.DB.CreateWave(ctx, survey.Wave{Name: "2027-1", StartsAt: start, EndsAt: start.AddDate(0, 2, 0), Questionnaire: q.Ref()}); err != nil {
				t.Fatal(err)
			}
			r, err = svc.Open(ctx, who, dialogs.German)
			if err != nil {
				t.Fatal(err)
			}
			if want := "Die nächste Befragung (2027-1) beginnt am " + start.In(berlin(t)).Format("02.01.2006"); r.ResponseID != first || !strings.Contains(summaryOf(r), want) {
				t.Errorf("with a planned wave: response %s, summary:\n%s\nwant %s and %q", r.ResponseID, summaryOf(r), first, want)
			}

			// The next wave has started: a new response, the dialog from the
			// privacy notice, and at its end the change since wave 1.
			time.Sleep(time.Until(start) + 10*time.Millisecond)
			r, err = svc.Open(ctx, who, dialogs.German)
			if err != nil {
				t.Fatal(err)
			}
			if r.ResponseID == first || r.Phase != dialogs.PhaseConsent {
				t.Fatalf("in the new wave: response %s in phase %s, want a new response at the privacy notice", r.ResponseID, r.Phase)
			}
			// After the consent, wave 1's screening is offered in one question.
			p, _ := dialogstest.Question(r.Prompts)
			if r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, 0)); err != nil {
				t.Fatal(err)
			}
			if p, _ := dialogstest.Question(r.Prompts); p.Item != dialogs.PrefillPrompt || !strings.Contains(p.Text, "Noch aktuell?") {
				t.Fatalf("after consent in wave 2: %+v, want the screening of wave 1 to confirm", p)
			}
			_, sum = finish(t, svc, who, r, 1)
			answers, err := s.DB.Answers(ctx, r.ResponseID)
			if err != nil {
				t.Fatal(err)
			}
			if a := answers["org_type"]; a.Value != "business" || a.Prefilled || a.Fixed {
				t.Errorf("wave 2's org_type %+v, want wave 1's business, confirmed", a)
			}
			if !strings.Contains(sum, "Ihre Entwicklung seit der letzten Befragung (1):") || !strings.Contains(sum, "(letzte Befragung 1: ") {
				t.Errorf("the second wave's summary:\n%s\nwant the change since wave 1", sum)
			}
			for _, id := range []string{first, r.ResponseID} {
				resp, err := s.DB.Response(ctx, id)
				if err != nil || resp.Status != survey.StatusCompleted {
					t.Errorf("response %s: %+v, %v; want completed", id, resp, err)
				}
			}
		})
	}
}

// TestBeforeTheFirstWave: where waves are planned but none has started,
// a respondent is told when the first starts, and nothing is stored.
func TestBeforeTheFirstWave(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	s := storetest.Rigs(t)[0]
	if waves, err := s.DB.Waves(ctx); err != nil || len(waves) > 0 {
		t.Fatalf("a fresh database has waves already (%v)", err)
	}
	start := time.Now().AddDate(0, 1, 0)
	if _, err := s.DB.CreateWave(ctx, survey.Wave{Name: "first", StartsAt: start, EndsAt: start.AddDate(0, 1, 0), Questionnaire: q.Ref()}); err != nil {
		t.Fatal(err)
	}
	svc := bot.NewService(s.DB, s.Sessions(), testrig.Discard(), q, bot.WithWaveCacheTTL(0))
	who := survey.Identity{Channel: "test", External: "too-early"}
	r, err := svc.Open(ctx, who, dialogs.German)
	if err != nil {
		t.Fatal(err)
	}
	want := "Die Befragung first beginnt am " + start.In(berlin(t)).Format("02.01.2006")
	if len(r.Prompts) != 1 || !strings.Contains(r.Prompts[0].Text, want) || r.ResponseID != "" {
		t.Errorf("before the first wave: %+v, want only %q", r, want)
	}
	if _, err := s.DB.CurrentResponse(ctx, who); err == nil {
		t.Error("a response was stored before the first wave started")
	}
}

func berlin(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestOneResponsePerFirmAndWave: two instances on PostgreSQL and Redis,
// and two whose session stores share nothing (their locks serialise
// nothing, as after a Redis loss), take a firm's first messages at once,
// in the first wave and again when the next one starts: each firm has
// exactly one response per wave.
func TestOneResponsePerFirmAndWave(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	for _, s := range storetest.Rigs(t) {
		for _, shared := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/shared-locks=%v", s.Name, shared), func(t *testing.T) {
				prefix := fmt.Sprintf("race-%v-", shared)
				instances := make([]*bot.Service, 2)
				for i := range instances {
					ss := s.Sessions() // for Redis another client on the same keys
					if !shared {
						ss = store.NewMemorySessions(time.Hour)
					}
					instances[i] = bot.NewService(s.DB, ss, testrig.Discard(), q, bot.WithWaveCacheTTL(0))
				}
				burst := func() {
					var wg sync.WaitGroup
					for f := range 5 {
						who := survey.Identity{Channel: "test", External: fmt.Sprintf("%s%d", prefix, f)}
						for i := range 8 {
							wg.Go(func() {
								if _, err := instances[i%2].Open(ctx, who, dialogs.German); err != nil {
									t.Errorf("Open: %v", err)
								}
							})
						}
					}
					wg.Wait()
				}
				// Responses per firm and wave, as "firm wave count" lines.
				perWave := func() []string {
					rows, err := s.DB.SQLDB().QueryContext(ctx, `SELECT i.external_id, w.name, COUNT(*) FROM responses r
						JOIN identities i ON i.respondent_id = r.respondent_id JOIN waves w ON w.id = r.wave_id
						WHERE i.external_id LIKE '`+prefix+`%' GROUP BY i.external_id, w.name ORDER BY i.external_id, w.name`)
					if err != nil {
						t.Fatal(err)
					}
					defer rows.Close()
					var out []string
					for rows.Next() {
						var firm, wave string
						var n int
						if err := rows.Scan(&firm, &wave, &n); err != nil {
							t.Fatal(err)
						}
						out = append(out, fmt.Sprintf("%s %s %d", firm, wave, n))
					}
					return out
				}
				once := func(lines []string) int { // firms and waves with one response
					n := 0
					for _, line := range lines {
						if strings.HasSuffix(line, " 1") {
							n++
						}
					}
					return n
				}
				burst()
				if got := perWave(); len(got) != 5 || once(got) != 5 {
					t.Errorf("after the first burst: %q, want one response for each of 5 firms", got)
				}
				start := time.Now().Add(-time.Millisecond)
				if _, err := s.DB.CreateWave(ctx, survey.Wave{Name: prefix + "next", StartsAt: start, EndsAt: start.AddDate(0, 1, 0), Questionnaire: q.Ref()}); err != nil {
					t.Fatal(err)
				}
				burst()
				if got := perWave(); len(got) != 10 || once(got) != 10 {
					t.Errorf("after the next wave's burst: %q, want one response for each of 5 firms in each of 2 waves", perWave())
				}
			})
		}
	}
}
