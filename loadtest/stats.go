package loadtest

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// ChannelStats are the figures of one channel in a run.
type ChannelStats struct {
	mu sync.Mutex
	// latencies of the inputs: from the first delivery of an update (or
	// post of a form) until it was taken (2xx), redeliveries included;
	// for the web, with the page that follows.
	latencies []time.Duration
	// Respondents counts the respondents that finished their dialog.
	Respondents int
	// Answers counts the inputs that answered a question (or consented).
	Answers int
	// Inputs counts the updates or forms delivered (first deliveries).
	Inputs int
	// Duplicates and Late count the extra deliveries.
	Duplicates, Late int
	// Retries counts deliveries answered with a non-2xx status (or, on
	// the web, a 5xx), delivered again.
	Retries int
	// Nudges counts the times a Telegram respondent sent /start because
	// the next question did not come.
	Nudges int
	// Repairs counts ticks of a multiple choice re-pressed because the
	// bot's keyboard had lost them.
	Repairs int
	// Represses counts buttons pressed on a newer message because the
	// bot had taken the keyboard off the one the respondent saw.
	Represses int

	onAnswer func()
}

func newChannelStats(onAnswer func()) *ChannelStats { return &ChannelStats{onAnswer: onAnswer} }

func (s *ChannelStats) input(d time.Duration, answers bool) {
	s.mu.Lock()
	s.latencies = append(s.latencies, d)
	s.Inputs++
	if answers {
		s.Answers++
	}
	s.mu.Unlock()
	if answers {
		s.onAnswer()
	}
}

func (s *ChannelStats) add(f func(s *ChannelStats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *ChannelStats) respondentDone() { s.add(func(s *ChannelStats) { s.Respondents++ }) }

// Percentile returns the p-th percentile (0–100) of the input latencies.
func (s *ChannelStats) Percentile(p float64) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.latencies) == 0 {
		return 0
	}
	l := slices.Clone(s.latencies)
	slices.Sort(l)
	i := int(p / 100 * float64(len(l)))
	return l[min(i, len(l)-1)]
}

// Summary formats the report's figures, one line per channel.
func (r *Report) Summary() string {
	out := fmt.Sprintf("elapsed %v, %d respondents, failovers %d\n", r.Elapsed.Round(time.Millisecond), len(r.Respondents), r.Failovers)
	var all int
	for _, kind := range []string{kindTelegram, kindWeb} {
		s := r.Channels[kind]
		if s.Inputs == 0 {
			continue
		}
		all += s.Answers
		out += fmt.Sprintf("%-8s respondents %d, answers %d (%.1f/s), inputs %d, duplicates %d, late %d, retries %d, nudges %d, repairs %d, represses %d, latency p50 %v p95 %v p99 %v\n",
			kind, s.Respondents, s.Answers, float64(s.Answers)/r.Elapsed.Seconds(), s.Inputs, s.Duplicates, s.Late, s.Retries, s.Nudges, s.Repairs, s.Represses,
			s.Percentile(50).Round(100*time.Microsecond), s.Percentile(95).Round(100*time.Microsecond), s.Percentile(99).Round(100*time.Microsecond))
	}
	out += fmt.Sprintf("total    answers %d (%.1f/s)\n", all, float64(all)/r.Elapsed.Seconds())
	return out
}

// AnswersPerSecond is the answers of both channels per second of the run.
func (r *Report) AnswersPerSecond() float64 {
	n := 0
	for _, s := range r.Channels {
		n += s.Answers
	}
	return float64(n) / r.Elapsed.Seconds()
}
