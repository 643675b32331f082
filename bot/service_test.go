package bot_test

import (
	"context"
	"errors"
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

// TestFlushAndContinue answers five questions, loses every live session
// (an instance restart for in-process sessions, FLUSHDB for Redis), and
// continues: the dialog goes on at the sixth question, nothing is asked
// twice and nothing is lost.
func TestFlushAndContinue(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	type variant struct {
		name     string
		db       *store.DB
		sessions func() bot.Sessions
		flush    func(t *testing.T)
	}
	variants := []variant{{
		name: "sqlite+memory (restart)", db: storetest.SQLite(t),
		sessions: func() bot.Sessions { return store.NewMemorySessions(time.Hour) }, // each call: a fresh process
		flush:    func(*testing.T) {},
	}}
	if storetest.ServersEnabled(t) {
		rdb := flushableRedis(t)
		db := storetest.Postgres(t)
		variants = append(variants, variant{
			name: "postgres+redis (FLUSHDB)", db: db,
			sessions: func() bot.Sessions {
				return store.NewRedisSessions(rdb, store.RedisOptions{Prefix: "flushtest:", TTL: time.Hour})
			},
			flush: func(t *testing.T) {
				if err := rdb.FlushDB(ctx).Err(); err != nil {
					t.Fatal(err)
				}
			},
		})
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			who := survey.Identity{Channel: "test", External: "flush-" + v.name}
			svc := bot.NewService(v.db, v.sessions(), testrig.Discard(), q)
			r, err := svc.Open(ctx, who, dialogs.German)
			if err != nil {
				t.Fatal(err)
			}
			asked := map[string]int{}
			given := map[string]dialogs.Input{}
			step := func(svc *bot.Service, r bot.Reply) bot.Reply {
				t.Helper()
				p, ok := dialogstest.Question(r.Prompts)
				if !ok {
					t.Fatalf("no question in reply %+v", r)
				}
				asked[p.Item]++
				in := dialogstest.AnswerFor(p, 1)
				given[p.Item] = in
				next, err := svc.Handle(ctx, who, in)
				if err != nil {
					t.Fatal(err)
				}
				return next
			}
			r = step(svc, r) // consent
			for range 5 {
				r = step(svc, r)
			}
			sixth, _ := dialogstest.Question(r.Prompts)

			v.flush(t)
			svc = bot.NewService(v.db, v.sessions(), testrig.Discard(), q)
			r, err = svc.Open(ctx, who, dialogs.German)
			if err != nil {
				t.Fatal(err)
			}
			if p, _ := dialogstest.Question(r.Prompts); p.Item != sixth.Item || p.Progress.Pos != 6 {
				t.Fatalf("after the flush the dialog asks %q (question %d), want %q (question 6)", p.Item, p.Progress.Pos, sixth.Item)
			}
			for !r.Finished() {
				r = step(svc, r)
			}
			if r.Phase != dialogs.PhaseDone {
				t.Fatalf("dialog ended in %s", r.Phase)
			}
			for item, n := range asked {
				if n > 1 {
					t.Errorf("%s was asked %d times", item, n)
				}
			}
			answers, err := v.db.Answers(ctx, r.ResponseID)
			if err != nil {
				t.Fatal(err)
			}
			for item := range given {
				if item == dialogs.ConsentPrompt {
					continue
				}
				if _, ok := answers[item]; !ok {
					t.Errorf("answer to %s was lost", item)
				}
			}
			if len(answers) != len(given)-1 {
				t.Errorf("stored %d answers, gave %d", len(answers), len(given)-1)
			}
			resp, err := v.db.Response(ctx, r.ResponseID)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != survey.StatusCompleted || resp.Composite == nil {
				t.Errorf("response status %s composite %v, want completed and scored", resp.Status, resp.Composite)
			}
			// The completed response counts under its screening answers.
			cells, err := v.db.Aggregate(ctx, q.Ref(), survey.BySector)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, c := range cells {
				found = found || (c.Field == survey.CompositeField && c.Group == answers["sector"].Value && c.N == 1)
			}
			if !found {
				t.Errorf("the response is not counted under its sector %q: %+v", answers["sector"].Value, cells)
			}
		})
	}
}

// TestConcurrentInputs fires the same button press from many goroutines
// through two service instances at once (a double tap, a redelivered
// update, two instances behind a load balancer): it applies exactly once.
// Typed answers sent at once are applied one after the other, none lost.
func TestConcurrentInputs(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	for _, s := range storetest.Rigs(t) {
		t.Run(s.Name, func(t *testing.T) {
			svcs := []*bot.Service{
				bot.NewService(s.DB, s.Sessions(), testrig.Discard(), q),
				bot.NewService(s.DB, s.Sessions(), testrig.Discard(), q),
			}
			who := survey.Identity{Channel: "test", External: "concurrent"}
			r, err := svcs[0].Open(ctx, who, dialogs.German)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := dialogstest.Question(r.Prompts)
			if r, err = svcs[1].Handle(ctx, who, dialogstest.AnswerFor(p, 0)); err != nil { // consent
				t.Fatal(err)
			}
			respID := r.ResponseID

			const taps = 16
			for round := range 8 {
				before, err := s.DB.Response(ctx, respID)
				if err != nil {
					t.Fatal(err)
				}
				p, ok := dialogstest.Question(r.Prompts)
				if !ok {
					t.Fatalf("round %d: no question", round)
				}
				in := dialogstest.AnswerFor(p, round)
				replies := make([]bot.Reply, taps)
				var wg sync.WaitGroup
				for i := range taps {
					wg.Go(func() {
						var err error
						if replies[i], err = svcs[i%2].Handle(ctx, who, in); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
				after, err := s.DB.Response(ctx, respID)
				if err != nil {
					t.Fatal(err)
				}
				if after.Seq != before.Seq+1 {
					t.Fatalf("round %d: %d taps on %s advanced the response by %d steps, want 1", round, taps, p.Item, after.Seq-before.Seq)
				}
				stale := 0
				for _, rep := range replies {
					for _, rp := range rep.Prompts {
						if rp.Kind == dialogs.PromptStale {
							stale++
						}
					}
				}
				if stale != taps-1 {
					t.Errorf("round %d: %d taps were told the question is answered, want %d", round, stale, taps-1)
				}
				if r, err = svcs[0].Open(ctx, who, dialogs.German); err != nil {
					t.Fatal(err)
				}
				if next, _ := dialogstest.Question(r.Prompts); next.Item == p.Item {
					t.Fatalf("round %d: still at %s", round, p.Item)
				}
			}

			// Typed answers carry no question; sent at once, each answers
			// the next question in turn.
			before, _ := s.DB.Response(ctx, respID)
			answersBefore, _ := s.DB.Answers(ctx, respID)
			const typed = 6
			var wg sync.WaitGroup
			for i := range typed {
				wg.Go(func() {
					if _, err := svcs[i%2].Handle(ctx, who, dialogs.TextInput("-")); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			after, _ := s.DB.Response(ctx, respID)
			answersAfter, _ := s.DB.Answers(ctx, respID)
			if after.Seq != before.Seq+typed || len(answersAfter) != len(answersBefore)+typed {
				t.Errorf("%d typed answers: seq %d→%d, answers %d→%d; want each applied once", typed, before.Seq, after.Seq, len(answersBefore), len(answersAfter))
			}
		})
	}
}

// TestEraseDuringDialog erases a respondent mid-dialog: identities, answers
// and session go; the next message starts afresh.
func TestEraseDuringDialog(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	for _, s := range storetest.Rigs(t) {
		t.Run(s.Name, func(t *testing.T) {
			svc := bot.NewService(s.DB, s.Sessions(), testrig.Discard(), q)
			who := survey.Identity{Channel: "test", External: "erase"}
			r, err := svc.Open(ctx, who, dialogs.German)
			if err != nil {
				t.Fatal(err)
			}
			for range 4 {
				p, _ := dialogstest.Question(r.Prompts)
				if r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, 0)); err != nil {
					t.Fatal(err)
				}
			}
			old := r.ResponseID
			rid, err := s.DB.RespondentByIdentity(ctx, who)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Erase(ctx, rid); err != nil {
				t.Fatal(err)
			}
			if a, _ := s.DB.Answers(ctx, old); len(a) != 0 {
				t.Errorf("%d answers survived erasure", len(a))
			}
			if _, err := s.DB.RespondentByIdentity(ctx, who); !errors.Is(err, survey.ErrNotFound) {
				t.Errorf("identity survived erasure: %v", err)
			}
			r, err = svc.Handle(ctx, who, dialogs.TextInput("hallo"))
			if err != nil {
				t.Fatal(err)
			}
			if r.ResponseID == old || r.Phase != dialogs.PhaseConsent {
				t.Errorf("after erasure: response %s phase %s; want a new response at the privacy notice", r.ResponseID, r.Phase)
			}
			if err := svc.Erase(ctx, rid); !errors.Is(err, survey.ErrNotFound) {
				t.Errorf("erasing twice: %v, want not found", err)
			}
		})
	}
}

// TestResumeOnAnotherChannel continues a response begun on one channel
// from another identity linked to the same respondent.
func TestResumeOnAnotherChannel(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	s := storetest.Rigs(t)[0]
	svc := bot.NewService(s.DB, s.Sessions(), testrig.Discard(), q)
	tg := survey.Identity{Channel: "telegram", External: "4711"}
	r, err := svc.Open(ctx, tg, dialogs.English)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		p, _ := dialogstest.Question(r.Prompts)
		if r, err = svc.Handle(ctx, tg, dialogstest.AnswerFor(p, 0)); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := dialogstest.Question(r.Prompts)
	rid, err := s.DB.RespondentByIdentity(ctx, tg)
	if err != nil {
		t.Fatal(err)
	}
	web := survey.Identity{Channel: "web", External: "token-hash"}
	if err := s.DB.LinkIdentity(ctx, rid, web); err != nil {
		t.Fatal(err)
	}
	r, err = svc.Open(ctx, web, dialogs.German)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := dialogstest.Question(r.Prompts)
	if got.Item != want.Item || r.Lang != dialogs.English {
		t.Errorf("on the web: %s in %s, want %s in English", got.Item, r.Lang, want.Item)
	}
	if _, err := svc.Handle(ctx, web, dialogstest.AnswerFor(got, 0)); err != nil {
		t.Fatal(err)
	}
	recs, err := s.DB.AnswerRecords(ctx, r.ResponseID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[survey.Channel]int{}
	for _, rec := range recs {
		seen[rec.Channel]++
	}
	if seen["telegram"] != 2 || seen["web"] != 1 {
		t.Errorf("answers by channel %v, want 2 from telegram (after the consent) and 1 from web", seen)
	}
}

// TestPeerComparison ends each dialog with the respondent's scores beside
// their peers', once there are at least 5 of them, and says plainly when
// there are too few. The comparison moves in steps of 6: respondents who
// finish on either side of another one see the same figures, so that 8·M2
// − 7·M1 − their own score cannot give away that one firm's score.
func TestPeerComparison(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	for _, s := range storetest.Rigs(t) {
		t.Run(s.Name, func(t *testing.T) {
			svc := bot.NewService(s.DB, s.Sessions(), testrig.Discard(), q, bot.WithPeerCacheTTL(0))
			var summaries []string
			for i := range 13 {
				who := survey.Identity{Channel: "test", External: fmt.Sprintf("peer-%d", i)}
				r, err := svc.Open(ctx, who, dialogs.German)
				if err != nil {
					t.Fatal(err)
				}
				for !r.Finished() {
					p, _ := dialogstest.Question(r.Prompts)
					if r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, 0)); err != nil {
						t.Fatal(err)
					}
				}
				for _, p := range r.Prompts {
					if p.Kind == dialogs.PromptSummary {
						summaries = append(summaries, p.Text)
					}
				}
			}
			if !strings.Contains(summaries[0], "zu wenige Antworten") {
				t.Errorf("the first respondent's summary:\n%s\nwant the plain note that there are too few peers", summaries[0])
			}
			// The fifth has only 4 others: too few. The sixth sees the group of 6,
			// itself and 5 others.
			if !strings.Contains(summaries[4], "zu wenige Antworten") {
				t.Errorf("the fifth respondent's summary:\n%s\nwant the note: 4 others are too few", summaries[4])
			}
			const six = "Im Vergleich mit 6 Organisationen derselben Branche und Größe:"
			if !strings.Contains(summaries[5], six) || !strings.Contains(summaries[5], "Gesamtindex: Sie") {
				t.Errorf("the sixth respondent's summary:\n%s\nwant a comparison with the 6 of the same sector and size", summaries[5])
			}
			// The 7th to the 11th see the group as it was published for the
			// 6th, peers' figures unchanged; the 12th sees it grown by 6.
			peerFigures := func(summary string) string { // the summary without the respondent's own scores
				var out []string
				for _, line := range strings.Split(summary, "\n") {
					if i := strings.Index(line, "Vergleichsgruppe"); i >= 0 {
						line = line[i:]
					}
					out = append(out, line)
				}
				return strings.Join(out, "\n")
			}
			for i := 6; i <= 10; i++ {
				if !strings.Contains(summaries[i], six) || peerFigures(summaries[i]) != peerFigures(summaries[5]) {
					t.Errorf("respondent %d sees other peer figures than the 6th:\n%s\n---\n%s", i+1, summaries[i], summaries[5])
				}
			}
			if !strings.Contains(summaries[11], "Im Vergleich mit 12 Organisationen") || !strings.Contains(summaries[12], "Im Vergleich mit 12 Organisationen") {
				t.Errorf("the 12th and 13th respondents' summaries:\n%s\n---\n%s\nwant the group of 12", summaries[11], summaries[12])
			}
		})
	}
}

// TestSessionBehindSQL has the session store hand back a session older
// than SQL, as Redis does when it lost its last writes in a crash: a press
// on the question the respondent was shown next is stored, not taken for a
// stale press.
func TestSessionBehindSQL(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	for _, su := range storetest.Rigs(t) {
		t.Run(su.Name, func(t *testing.T) {
			sessions := su.Sessions()
			svc := bot.NewService(su.DB, sessions, testrig.Discard(), q)
			who := survey.Identity{Channel: "test", External: "behind-" + su.Name}
			r, err := svc.Open(ctx, who, dialogs.German)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 { // consent and two questions
				p, _ := dialogstest.Question(r.Prompts)
				if r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, 1)); err != nil {
					t.Fatal(err)
				}
			}
			a, _ := dialogstest.Question(r.Prompts)
			old, ok, err := sessions.Load(ctx, r.ResponseID)
			if err != nil || !ok {
				t.Fatalf("load session: %v %v", ok, err)
			}
			if r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(a, 1)); err != nil {
				t.Fatal(err)
			}
			b, _ := dialogstest.Question(r.Prompts)
			// The store loses the last write: the session waits on A again.
			if err := sessions.Delete(ctx, r.ResponseID); err != nil {
				t.Fatal(err)
			}
			if err := sessions.Save(ctx, r.ResponseID, old); err != nil {
				t.Fatal(err)
			}
			// Reopening (a web page loaded again, /start) shows B, not A.
			reopened, err := svc.Open(ctx, who, dialogs.German)
			if err != nil {
				t.Fatal(err)
			}
			if p, _ := dialogstest.Question(reopened.Prompts); p.Item != b.Item {
				t.Errorf("reopened at %s, want %s (the session store lost the step to it, SQL has it)", p.Item, b.Item)
			}
			if err := sessions.Delete(ctx, r.ResponseID); err != nil {
				t.Fatal(err)
			}
			if err := sessions.Save(ctx, r.ResponseID, old); err != nil {
				t.Fatal(err)
			}
			in := dialogstest.AnswerFor(b, 1)
			if _, err := svc.Handle(ctx, who, in); err != nil {
				t.Fatal(err)
			}
			answers, err := su.DB.Answers(ctx, r.ResponseID)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := answers[b.Item]; !ok {
				t.Fatalf("the press on %s (shown after %s) was not stored; answers: %v", b.Item, a.Item, answers)
			}
		})
	}
}
