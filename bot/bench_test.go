package bot_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// BenchmarkAnswers measures accepted answers per second through the bot's
// input handling, with many respondents answering in parallel: each input
// is locked, stepped, written to SQL and saved as a session, as in
// production. It reports answers/s and the latency percentiles of one
// answer, in two ways:
//
//   - max: 32 respondents answer as fast as they can (closed loop), which
//     gives the most answers per second the machine manages;
//   - at-2000: 200 respondents together send 2,000 answers per second on a
//     fixed schedule (open loop), and latency counts from the scheduled
//     time, so falling behind shows in the percentiles.
//
// Run:
//
//	go test -run='^$' -bench=Answers -benchtime=20000x ./bot
//
// with SURVEYBOT_TEST_POSTGRES_DSN and SURVEYBOT_TEST_REDIS_URL set for the
// postgres+redis figures.
func BenchmarkAnswers(b *testing.B) {
	q := dialogstest.Core(b)
	for _, s := range storetest.Rigs(b) {
		b.Run(s.Name+"/max", func(b *testing.B) {
			benchAnswers(b, bot.NewService(s.DB, s.Sessions(), testrig.Discard(), q), 32, 0)
		})
		b.Run(s.Name+"/at-2000", func(b *testing.B) {
			benchAnswers(b, bot.NewService(s.DB, s.Sessions(), testrig.Discard(), q), 200, 2000)
		})
	}
}

// benchAnswers runs b.N answers from the given number of respondents, as
// fast as possible (rate 0) or at rate answers per second in all. Before
// the clock starts, each respondent consents and answers a few questions
// (a different number each), so that they do not all finish, and start
// anew, at the same moment.
func benchAnswers(b *testing.B, svc *bot.Service, respondents int, rate float64) {
	ctx := context.Background()
	var (
		next      atomic.Int64 // answers handed out
		ids       atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, b.N)
		ready     sync.WaitGroup
		begin     = make(chan struct{})
		start     time.Time
	)
	newRespondent := func() (survey.Identity, bot.Reply, error) {
		who := survey.Identity{Channel: "bench", External: fmt.Sprintf("r%d-%d", ids.Add(1), time.Now().UnixNano())}
		r, err := svc.Open(ctx, who, dialogs.German)
		if err != nil {
			return who, r, err
		}
		p, _ := dialogstest.Question(r.Prompts)
		r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, 0)) // consent
		return who, r, err
	}
	ready.Add(respondents)
	var wg sync.WaitGroup
	for w := range respondents {
		wg.Go(func() {
			who, r, err := newRespondent()
			for i := 0; err == nil && i < w%20; i++ {
				p, _ := dialogstest.Question(r.Prompts)
				r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, i))
			}
			ready.Done()
			if err != nil {
				b.Error(err)
				return
			}
			<-begin
			local := make([]time.Duration, 0, b.N/respondents+1)
			defer func() {
				mu.Lock()
				latencies = append(latencies, local...)
				mu.Unlock()
			}()
			for k := 0; ; k++ {
				if r.Finished() {
					if who, r, err = newRespondent(); err != nil {
						b.Error(err)
						return
					}
				}
				if next.Add(1) > int64(b.N) {
					return
				}
				p, ok := dialogstest.Question(r.Prompts)
				if !ok {
					b.Errorf("no question: %+v", r)
					return
				}
				t0 := time.Now()
				if rate > 0 {
					// Answer k of worker w is due at (k*respondents + w) / rate;
					// latency counts from then, so falling behind shows.
					due := start.Add(time.Duration(float64(k*respondents+w) / rate * float64(time.Second)))
					time.Sleep(time.Until(due))
					t0 = due
				}
				r, err = svc.Handle(ctx, who, dialogstest.AnswerFor(p, k))
				local = append(local, time.Since(t0))
				if err != nil {
					b.Error(err)
					return
				}
				if p2, _ := dialogstest.Question(r.Prompts); p2.Item == p.Item && !r.Finished() {
					b.Errorf("answer to %s was not accepted", p.Item)
					return
				}
			}
		})
	}
	ready.Wait()
	b.ResetTimer()
	start = time.Now()
	close(begin)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "answers/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}
