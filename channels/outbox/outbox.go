// Package outbox is the queue through which every channel sends messages to
// its platform. Messages to one recipient go out one at a time in the order
// they were enqueued; recipients proceed in parallel, within the platform's
// rate limits, and the waiting for limits and retries happens in the queue,
// never in the handler that enqueued the message.
package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Message is one message for a platform.
type Message struct {
	// Key names the recipient, such as a Telegram chat id. Messages with
	// the same Key are sent one at a time, in the order they were enqueued.
	Key string
	// Send delivers the message. Its ctx ends when the attempt times out or
	// the queue is abandoned at Close. It returns nil when the message
	// went out, an error from RetryAfter, RetryAfterGlobal or Permanent to
	// steer the queue, and any other error to have it retried with backoff.
	Send func(ctx context.Context) error
}

// Result is what became of one attempt to send a message, for metrics.
type Result int

// The results OnResult reports. Every enqueued message ends with exactly
// one Sent or Dropped; Retried and RateLimited may come before.
const (
	Sent        Result = iota + 1 // the message went out
	Retried                       // an attempt failed; the message will be retried after a backoff
	RateLimited                   // the platform asked to wait; the message will be retried after that
	Dropped                       // the message was given up: permanent error, too many attempts, or abandoned at Close
)

// String returns a name for the result that suits a metric label.
func (r Result) String() string {
	switch r {
	case Sent:
		return "sent"
	case Retried:
		return "retried"
	case RateLimited:
		return "rate_limited"
	case Dropped:
		return "dropped"
	}
	return fmt.Sprintf("result(%d)", int(r))
}

// Options configures a Queue. Zero values take the defaults.
type Options struct {
	Log         *slog.Logger  // default slog.Default()
	MaxAttempts int           // attempts at a message that keeps failing, default 8
	Backoff     time.Duration // wait after the first failure, doubled after each, default 1s
	MaxBackoff  time.Duration // longest wait between attempts, default 1m
	SendTimeout time.Duration // time limit of one Send, default 30s
	MaxQueued   int           // pending messages at most, default 100000

	// OnResult, if set, is called after every attempt and for every
	// message abandoned at Close. It is called from many goroutines at
	// once and must not block.
	OnResult func(key string, result Result, err error)

	// Observer, if set, is told the queue's depth and what became of every
	// attempt, for metrics.
	Observer Observer
}

// Observer receives a queue's figures; *metrics.Queue has its methods.
// They are called from many goroutines at once, Pending while the queue
// is locked, and must not block.
type Observer interface {
	Pending(n int)                  // messages pending, after every change
	Sent(took time.Duration)        // an attempt went out
	Failed(took time.Duration)      // an attempt failed; retried or dropped after
	RateLimited(took time.Duration) // the platform asked to wait
	Dropped()                       // a message was given up
}

// noObserver is the Observer of a queue given none.
type noObserver struct{}

func (noObserver) Pending(int)               {}
func (noObserver) Sent(time.Duration)        {}
func (noObserver) Failed(time.Duration)      {}
func (noObserver) RateLimited(time.Duration) {}
func (noObserver) Dropped()                  {}

// Queue sends messages through a Limiter with one lane per recipient. A lane
// is a goroutine that exists while its recipient has messages pending.
type Queue struct {
	lim Limiter
	o   Options
	log *slog.Logger

	// ctx is the parent of every Send: it outlives the enqueuer's request
	// and ends only when Close gives up on the rest.
	ctx    context.Context
	cancel context.CancelFunc
	lanes  sync.WaitGroup

	mu          sync.Mutex
	pending     map[string][]Message // per key; the head is being sent
	queued      int
	closed      bool
	abandoned   int
	pausedUntil time.Time // every key waits until then (RetryAfterGlobal)
}

// New returns a Queue that sends through l.
func New(l Limiter, o Options) *Queue {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Minute
	}
	o.MaxBackoff = max(o.MaxBackoff, o.Backoff)
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	if o.MaxQueued <= 0 {
		o.MaxQueued = 100000
	}
	if o.Observer == nil {
		o.Observer = noObserver{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Queue{
		lim: l, o: o, log: o.Log,
		ctx: ctx, cancel: cancel,
		pending: make(map[string][]Message),
	}
}

// Enqueue adds m to the lane of m.Key and returns at once. It fails with
// ErrClosed after Close and with ErrFull when Options.MaxQueued messages
// are pending.
func (q *Queue) Enqueue(m Message) error {
	if m.Send == nil {
		return errors.New("enqueue: message has no Send func")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		q.o.Observer.Dropped()
		return ErrClosed
	}
	if q.queued >= q.o.MaxQueued {
		q.o.Observer.Dropped()
		return ErrFull
	}
	lane, active := q.pending[m.Key]
	q.pending[m.Key] = append(lane, m)
	q.queued++
	q.o.Observer.Pending(q.queued)
	if !active {
		q.lanes.Add(1)
		go q.run(m.Key)
	}
	return nil
}

// Len returns how many messages are pending, including those being sent.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued
}

// Close stops accepting messages and lets the lanes send what is pending
// until ctx ends. Then it cancels the Sends in flight, abandons the rest,
// and returns once every lane has stopped, with an error that wraps
// ctx.Err() if messages were abandoned. Send funcs must honour their ctx
// for Close to return.
func (q *Queue) Close(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()

	done := make(chan struct{})
	go func() {
		q.lanes.Wait()
		close(done)
	}()
	select {
	case <-done:
		q.cancel()
		return nil
	case <-ctx.Done():
	}
	q.cancel()
	<-done

	q.mu.Lock()
	n := q.abandoned
	q.mu.Unlock()
	if n == 0 { // the lanes finished just as ctx ended
		return nil
	}
	q.log.Warn("outbox closed with messages unsent", slog.Int("abandoned", n))
	return fmt.Errorf("close outbox: %d messages abandoned: %w", n, ctx.Err())
}

// run is the lane of key: it sends the key's messages in order and ends
// when none are left or the queue is abandoned.
func (q *Queue) run(key string) {
	defer q.lanes.Done()
	for {
		q.mu.Lock()
		lane := q.pending[key]
		if len(lane) == 0 {
			delete(q.pending, key) // frees the lane's memory
			q.mu.Unlock()
			return
		}
		m := lane[0]
		q.mu.Unlock()

		if !q.deliver(m) {
			q.abandon(key)
			return
		}

		q.mu.Lock()
		lane = q.pending[key]
		lane[0] = Message{} // let the sent message be collected
		q.pending[key] = lane[1:]
		q.queued--
		q.o.Observer.Pending(q.queued)
		q.mu.Unlock()
	}
}

// abandon drops what is left in the lane of key once the queue is abandoned.
func (q *Queue) abandon(key string) {
	q.mu.Lock()
	lane := q.pending[key]
	delete(q.pending, key)
	q.queued -= len(lane)
	q.abandoned += len(lane)
	q.o.Observer.Pending(q.queued)
	q.mu.Unlock()
	for range lane {
		q.o.Observer.Dropped()
		q.notify(key, Dropped, ErrClosed)
	}
}

// deliver sends m until it goes out or is dropped, and reports false only
// if the queue was abandoned first, leaving m pending.
func (q *Queue) deliver(m Message) bool {
	failures := 0    // failed Sends, counted against MaxAttempts
	limitErrors := 0 // failed limiter waits, which do not count
	for {
		if err := q.waitTurn(m.Key); err != nil {
			if q.ctx.Err() != nil {
				return false
			}
			// The limiter cannot be asked (Redis is down): hold the lane
			// rather than send blind or drop messages.
			limitErrors++
			d := q.backoff(limitErrors)
			q.log.Warn("outbox limiter failed", slog.String("recipient", pseudonym(m.Key)),
				slog.Duration("retry_in", d), slog.Any("error", err))
			if sleep(q.ctx, d) != nil {
				return false
			}
			continue
		}
		limitErrors = 0

		start := time.Now()
		err := q.send(m)
		took := time.Since(start)
		if q.ctx.Err() != nil && err != nil {
			return false
		}
		var rl *rateLimitedError
		var perm *permanentError
		switch {
		case err == nil:
			q.report(m.Key, Sent, nil, took)
			return true

		case errors.As(err, &perm):
			q.log.Warn("outbox dropped message", slog.String("recipient", pseudonym(m.Key)), slog.Any("error", err))
			q.report(m.Key, Dropped, err, took)
			return true

		case errors.As(err, &rl):
			d := rl.after
			if d < time.Millisecond {
				d = q.o.Backoff
			}
			q.log.Warn("outbox rate limited by platform", slog.String("recipient", pseudonym(m.Key)),
				slog.Duration("retry_after", d), slog.Bool("global", rl.global), slog.Any("error", err))
			if rl.global {
				q.pauseAll(d) // waitTurn waits it out, with every other lane
				q.report(m.Key, RateLimited, err, took)
				continue
			}
			q.report(m.Key, RateLimited, err, took)
			if sleep(q.ctx, d) != nil {
				return false
			}

		default:
			failures++
			if failures >= q.o.MaxAttempts {
				q.log.Error("outbox gave up on message", slog.String("recipient", pseudonym(m.Key)),
					slog.Int("attempts", failures), slog.Any("error", err))
				q.report(m.Key, Dropped, err, took)
				return true
			}
			d := q.backoff(failures)
			q.log.Info("outbox will retry message", slog.String("recipient", pseudonym(m.Key)),
				slog.Int("attempt", failures), slog.Duration("retry_in", d), slog.Any("error", err))
			q.report(m.Key, Retried, err, took)
			if sleep(q.ctx, d) != nil {
				return false
			}
		}
	}
}

// send makes one attempt. A panic in Send becomes a permanent error: it is
// a bug that retrying will not fix, and it must not take the process down
// with every other pending message.
func (q *Queue) send(m Message) (err error) {
	ctx, cancel := context.WithTimeout(q.ctx, q.o.SendTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = Permanent(fmt.Errorf("send panicked: %v", p))
		}
	}()
	return m.Send(ctx)
}

// waitTurn waits out a global pause and the limiter; a pause that begins
// while the limiter waits is waited out too.
func (q *Queue) waitTurn(key string) error {
	if err := q.waitPause(); err != nil {
		return err
	}
	if err := q.lim.Wait(q.ctx, key); err != nil {
		return fmt.Errorf("limiter: %w", err)
	}
	return q.waitPause()
}

func (q *Queue) waitPause() error {
	for {
		q.mu.Lock()
		d := time.Until(q.pausedUntil)
		q.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if err := sleep(q.ctx, d); err != nil {
			return err
		}
	}
}

func (q *Queue) pauseAll(d time.Duration) {
	until := time.Now().Add(d)
	q.mu.Lock()
	if until.After(q.pausedUntil) {
		q.pausedUntil = until
	}
	q.mu.Unlock()
}

// backoff returns the wait after the nth failure: Backoff doubled n-1
// times, capped at MaxBackoff, of which the upper half is random so that
// lanes failing together do not retry together.
func (q *Queue) backoff(n int) time.Duration {
	d := q.o.Backoff
	for i := 1; i < n && d < q.o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, q.o.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// report tells the Observer and OnResult what became of an attempt that
// took took.
func (q *Queue) report(key string, r Result, err error, took time.Duration) {
	switch r {
	case Sent:
		q.o.Observer.Sent(took)
	case Retried:
		q.o.Observer.Failed(took)
	case RateLimited:
		q.o.Observer.RateLimited(took)
	case Dropped: // the attempt failed, and for good
		q.o.Observer.Failed(took)
		q.o.Observer.Dropped()
	}
	q.notify(key, r, err)
}

func (q *Queue) notify(key string, r Result, err error) {
	if q.o.OnResult != nil {
		q.o.OnResult(key, r, err)
	}
}

// pseudonym stands for a recipient in logs: a chat id or an address is
// personal data, a short hash of it is enough to follow one recipient.
func pseudonym(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:6])
}
