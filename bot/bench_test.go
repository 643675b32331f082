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
	"github.com/surveybot/surveybot/store"
)

// BenchmarkAnswers measures accepted answers per second through the bot's
// input handling, with many respondents answering in parallel: each input
// is locked, stepped, written to SQL and saved as a session, as in
// production. It reports answers/s and the latency percentiles of one
// answer. Run:
//
//	go test -run='^$' -bench=Answers -benchtime=20000x ./bot
//
// with SURVEYBOT_TEST_POSTGRES_DSN and SURVEYBOT_TEST_REDIS_URL set for the
// postgres+redis figures.
func BenchmarkAnswers(b *testing.B) {
	q := core(b)
	for _, s := range setups(b) {
		b.Run(s.name, func(b *testing.B) {
			svc := bot.NewService(s.db, s.sessions(), discard(), q)
			benchAnswers(b, svc, 32)
		})
	}
}

func benchAnswers(b *testing.B, svc *bot.Service, respondents int) {
	ctx := context.Background()
	var (
		next      atomic.Int64 // answers handed out
		respID    atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, b.N)
	)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range respondents {
		wg.Go(func() {
			local := make([]time.Duration, 0, b.N/respondents+1)
			defer func() {
				mu.Lock()
				latencies = append(latencies, local...)
				mu.Unlock()
			}()
			var who store.Identity
			var r bot.Reply
			fresh := true
			for {
				if fresh {
					who = store.Identity{Channel: "bench", External: fmt.Sprintf("r%d-%d", respID.Add(1), time.Now().UnixNano())}
					var err error
					if r, err = svc.Open(ctx, who, dialogs.German); err != nil {
						b.Error(err)
						return
					}
					p, _ := question(r)
					if r, err = svc.Handle(ctx, who, answerFor(p, 0)); err != nil { // consent
						b.Error(err)
						return
					}
					fresh = false
				}
				if next.Add(1) > int64(b.N) {
					return
				}
				p, ok := question(r)
				if !ok {
					b.Errorf("no question: %+v", r)
					return
				}
				t0 := time.Now()
				var err error
				r, err = svc.Handle(ctx, who, answerFor(p, int(t0.UnixNano()%7)))
				local = append(local, time.Since(t0))
				if err != nil {
					b.Error(err)
					return
				}
				if p2, _ := question(r); p2.Item == p.Item {
					b.Errorf("answer to %s was not accepted", p.Item)
					return
				}
				fresh = r.Finished()
			}
		})
	}
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
