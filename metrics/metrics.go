// Package metrics keeps surveybot's Prometheus metrics: what the channels
// receive and reject, what the service accepts, how the send queues fare,
// and how long handling and sending take. Every metric lives on the
// registry of one Metrics value, never on a package global, so tests and
// several services in one process count apart.
//
// The channels and the service define the small interfaces they need; the
// types here have those methods. Every method is safe on a nil receiver and
// then does nothing, so a caller that was given no metrics keeps working.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "surveybot"

// Buckets of the latency histograms, in seconds: from a fast webhook to a
// send attempt that runs into the queue's 30 s timeout.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Metrics is the set of surveybot's metrics and the registry they are
// gathered from. Build it with New.
type Metrics struct {
	reg *prometheus.Registry

	received       *prometheus.CounterVec
	rejected       *prometheus.CounterVec
	failed         *prometheus.CounterVec
	handleDuration *prometheus.HistogramVec

	answers   *prometheus.CounterVec
	started   *prometheus.CounterVec
	completed *prometheus.CounterVec

	queueDepth   *prometheus.GaugeVec
	sent         *prometheus.CounterVec
	sendFailed   *prometheus.CounterVec
	rateLimited  *prometheus.CounterVec
	dropped      *prometheus.CounterVec
	sendDuration *prometheus.HistogramVec
}

// New returns the metrics on a registry of their own, with the Go runtime
// and process collectors.
func New() *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	}
	histogram := func(name, help string, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: latencyBuckets}, labels)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),

		received: counter("updates_received_total",
			"Updates that arrived from a platform (Telegram updates, Slack requests, web form submissions), before any check.", "channel"),
		rejected: counter("updates_rejected_total",
			"Updates that were refused or not applied, by reason.", "channel", "reason"),
		failed: counter("updates_failed_total",
			"Updates whose handling failed with an error; the platform is asked to deliver them again where it can.", "channel"),
		handleDuration: histogram("update_duration_seconds",
			"Time to handle an update until its answer is stored and its reply queued (Slack: from the acknowledgement until its work is done).", "channel"),

		answers: counter("answers_accepted_total",
			"Answers stored: each answer, keine Angabe or skip of a question that a step accepted.", "channel"),
		started: counter("dialogs_started_total",
			"Responses begun (the privacy notice shown to a new respondent).", "channel"),
		completed: counter("dialogs_completed_total",
			"Responses completed and scored.", "channel"),

		queueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "send_queue_depth",
			Help: "Messages waiting in a send queue, including those being sent."}, []string{"queue", "channel"}),
		sent: counter("sends_total",
			"Calls to a platform's API that went out (messages, edits, answers to button presses).", "queue", "channel"),
		sendFailed: counter("send_failures_total",
			"Send attempts that failed other than by a rate limit; the message is retried or, after too many, dropped.", "queue", "channel"),
		rateLimited: counter("send_rate_limited_total",
			"Send attempts the platform answered with 429 Too Many Requests; the message waits and is sent again.", "queue", "channel"),
		dropped: counter("send_dropped_total",
			"Messages given up: a permanent error, too many failed attempts, a full queue or a shutdown.", "queue", "channel"),
		sendDuration: histogram("send_duration_seconds",
			"Time of one send attempt, the platform's API call, without the time waited in the queue.", "queue", "channel"),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.received, m.rejected, m.failed, m.handleDuration,
		m.answers, m.started, m.completed,
		m.queueDepth, m.sent, m.sendFailed, m.rateLimited, m.dropped, m.sendDuration,
	)
	return m
}

// Registry returns the registry the metrics are gathered from.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus' exposition formats, for GET /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// DialogStarted counts a response begun on channel.
func (m *Metrics) DialogStarted(channel string) {
	if m == nil {
		return
	}
	m.started.WithLabelValues(channel).Inc()
}

// DialogCompleted counts a response completed on channel.
func (m *Metrics) DialogCompleted(channel string) {
	if m == nil {
		return
	}
	m.completed.WithLabelValues(channel).Inc()
}

// AnswersAccepted counts n answers stored from channel.
func (m *Metrics) AnswersAccepted(channel string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.answers.WithLabelValues(channel).Add(float64(n))
}

// Channel returns the metrics of one channel's incoming updates. Its
// counters are shown from zero at once, so a rate is defined before the
// first update.
func (m *Metrics) Channel(name string) *Channel {
	if m == nil {
		return nil
	}
	c := &Channel{
		m: m, name: name,
		received: m.received.WithLabelValues(name),
		failed:   m.failed.WithLabelValues(name),
		duration: m.handleDuration.WithLabelValues(name),
	}
	m.answers.WithLabelValues(name)
	m.started.WithLabelValues(name)
	m.completed.WithLabelValues(name)
	return c
}

// Declare shows a channel's series from zero before its first update,
// also where the channel is not configured, with a rejection series for
// each reason given: so a dashboard and a rate() see every channel at once.
func (m *Metrics) Declare(channel string, reasons ...string) {
	if m == nil {
		return
	}
	m.Channel(channel)
	for _, r := range reasons {
		m.rejected.WithLabelValues(channel, r)
	}
}

// Channel counts the updates of one channel.
type Channel struct {
	m        *Metrics
	name     string
	received prometheus.Counter
	failed   prometheus.Counter
	duration prometheus.Observer
}

// Received counts an update that arrived.
func (c *Channel) Received() {
	if c == nil {
		return
	}
	c.received.Inc()
}

// Rejected counts an update refused or not applied; reason is a short
// snake_case word such as bad_secret, duplicate or late.
func (c *Channel) Rejected(reason string) {
	if c == nil {
		return
	}
	c.m.rejected.WithLabelValues(c.name, reason).Inc()
}

// Failed counts an update whose handling failed with an error.
func (c *Channel) Failed() {
	if c == nil {
		return
	}
	c.failed.Inc()
}

// Handled records how long an update took that was handled to the end.
func (c *Channel) Handled(took time.Duration) {
	if c == nil {
		return
	}
	c.duration.Observe(took.Seconds())
}

// Queue returns the metrics of one send queue, named queue, that sends to
// channel's platform.
func (m *Metrics) Queue(queue, channel string) *Queue {
	if m == nil {
		return nil
	}
	return &Queue{
		depth:       m.queueDepth.WithLabelValues(queue, channel),
		sent:        m.sent.WithLabelValues(queue, channel),
		failed:      m.sendFailed.WithLabelValues(queue, channel),
		rateLimited: m.rateLimited.WithLabelValues(queue, channel),
		dropped:     m.dropped.WithLabelValues(queue, channel),
		duration:    m.sendDuration.WithLabelValues(queue, channel),
	}
}

// Queue counts what one send queue does.
type Queue struct {
	depth       prometheus.Gauge
	sent        prometheus.Counter
	failed      prometheus.Counter
	rateLimited prometheus.Counter
	dropped     prometheus.Counter
	duration    prometheus.Observer
}

// Pending sets how many messages the queue holds.
func (q *Queue) Pending(n int) {
	if q == nil {
		return
	}
	q.depth.Set(float64(n))
}

// Sent counts an attempt that went out, and its time.
func (q *Queue) Sent(took time.Duration) {
	if q == nil {
		return
	}
	q.sent.Inc()
	q.duration.Observe(took.Seconds())
}

// Failed counts an attempt that failed other than by a rate limit, and its time.
func (q *Queue) Failed(took time.Duration) {
	if q == nil {
		return
	}
	q.failed.Inc()
	q.duration.Observe(took.Seconds())
}

// RateLimited counts an attempt the platform answered with 429, and its time.
func (q *Queue) RateLimited(took time.Duration) {
	if q == nil {
		return
	}
	q.rateLimited.Inc()
	q.duration.Observe(took.Seconds())
}

// Dropped counts a message given up.
func (q *Queue) Dropped() {
	if q == nil {
		return
	}
	q.dropped.Inc()
}
