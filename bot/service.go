package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
)

// Store is what the bot keeps in SQL.
type Store interface {
	CurrentResponse(ctx context.Context, who survey.Identity) (survey.Response, error)
	EnsureRespondent(ctx context.Context, who survey.Identity) (string, error)
	WaveResponse(ctx context.Context, who survey.Identity, waveID string) (survey.Response, error)
	ResponseInWave(ctx context.Context, respondentID, waveID string) (survey.Response, error)
	Waves(ctx context.Context) ([]survey.Wave, error)
	EnsureWave(ctx context.Context, q dialogs.Ref) (survey.Wave, error)
	PreviousScores(ctx context.Context, respondentID, waveID string) (survey.PastScores, error)
	PreviousAnswers(ctx context.Context, respondentID, waveID string) (map[string]dialogs.Answer, error)
	MemberAnswers(ctx context.Context, respondentID string) (map[string]string, error)
	CreateResponse(ctx context.Context, nr survey.NewResponse) (survey.Response, error)
	Response(ctx context.Context, id string) (survey.Response, error)
	Answers(ctx context.Context, responseID string) (map[string]dialogs.Answer, error)
	ApplyStep(ctx context.Context, s survey.Step) (int64, error)
	InputApplied(ctx context.Context, key string) (bool, error)
	PublishPeers(ctx context.Context, q dialogs.Ref, step int) ([]survey.PeerCell, error)
	EraseRespondent(ctx context.Context, respondentID string) (survey.Erased, error)
	RespondentByIdentity(ctx context.Context, who survey.Identity) (string, error)
	LinkIdentity(ctx context.Context, respondentID string, who survey.Identity) error
	InvitationByKey(ctx context.Context, key string) (survey.Invitation, error)
	OpenLinkByKey(ctx context.Context, key string) (survey.OpenLink, error)
	CreateInvitation(ctx context.Context, ni survey.NewInvitation) (survey.Invitation, string, error)
	MarkOpened(ctx context.Context, key string) error
	OptOutByInvitation(ctx context.Context, key string) error
	AddSubscriber(ctx context.Context, s survey.Subscriber) error
	RemoveSubscriber(ctx context.Context, s survey.Subscriber) error
}

// Sessions keeps the live dialog states and serialises the inputs of one
// response, across instances where it is shared.
type Sessions interface {
	Lock(ctx context.Context, id string) (unlock func(), err error)
	Load(ctx context.Context, id string) (survey.Session, bool, error)
	Save(ctx context.Context, id string, s survey.Session) error
	Delete(ctx context.Context, id string) error
}

// Metrics counts the dialogs and answers the service keeps, by channel;
// *metrics.Metrics has it.
type Metrics interface {
	DialogStarted(channel string)
	AnswersAccepted(channel string, n int)
	DialogCompleted(channel string)
}

// noMetrics is the Metrics of a service given none.
type noMetrics struct{}

func (noMetrics) DialogStarted(string)        {}
func (noMetrics) AnswersAccepted(string, int) {}
func (noMetrics) DialogCompleted(string)      {}

// ErrErased is returned for input to a response whose respondent was erased
// while the input was on its way.
var ErrErased = errors.New("response was erased")

// Reply is what a channel shows after one input: the prompts, in the
// respondent's current language, and where the dialog now stands.
type Reply struct {
	ResponseID string
	Prompts    []dialogs.Prompt
	Lang       dialogs.Lang
	Phase      dialogs.Phase
	// Answered puts the answer just accepted for the previous question into
	// words, for channels that show it in place of the question's buttons.
	Answered string
}

// Finished reports whether the dialog has ended (completed or declined).
func (r Reply) Finished() bool {
	return r.Phase == dialogs.PhaseDone || r.Phase == dialogs.PhaseDeclined
}

// Service runs respondents' conversations: it finds a respondent's
// response, serialises their inputs, steps the engine, and stores each
// accepted answer in SQL before the reply goes out.
type Service struct {
	store    Store
	sessions Sessions
	log      *slog.Logger
	metrics  Metrics

	current        *dialogs.Questionnaire // what new responses answer
	questionnaires map[dialogs.Ref]*dialogs.Questionnaire
	peers          peerCache
	waves          waveCache
	forget         Forget // nil: the channels keep nothing to erase
}

// maxConflicts bounds how often one input is retried after another
// instance changed the same response underneath it.
const maxConflicts = 5

// Option sets up a part of the service that has a default.
type Option func(*Service)

// WithOlder lets the service continue responses stored under other
// questionnaire versions than the one new responses answer.
func WithOlder(qs ...*dialogs.Questionnaire) Option {
	return func(s *Service) {
		for _, q := range qs {
			s.questionnaires[q.Ref()] = q
		}
	}
}

// WithMetrics makes the service count the responses it starts and
// completes and the answers it stores in m; by default, and with nil, it
// counts nothing.
func WithMetrics(m Metrics) Option {
	return func(s *Service) {
		if m != nil {
			s.metrics = m
		}
	}
}

// Forget erases what a channel keeps under an identity outside SQL: in
// Redis, the last question shown; in the mail outbox, the messages sent.
type Forget func(ctx context.Context, who survey.Identity) error

// WithForget has Erase call forget for every identity of the respondent
// it erases.
func WithForget(forget Forget) Option { return func(s *Service) { s.forget = forget } }

// WithPeerCacheTTL sets how long peer figures are reused (default 5
// minutes; 0 asks the database at every completion).
func WithPeerCacheTTL(d time.Duration) Option { return func(s *Service) { s.peers.ttl = d } }

// NewService returns a service whose new responses answer current.
func NewService(st Store, ss Sessions, log *slog.Logger, current *dialogs.Questionnaire, opts ...Option) *Service {
	s := &Service{store: st, sessions: ss, log: log, metrics: noMetrics{}, current: current,
		questionnaires: map[dialogs.Ref]*dialogs.Questionnaire{current.Ref(): current}}
	s.peers.ttl = peerCacheTTL
	s.waves.ttl = waveCacheTTL
	for _, o := range opts {
		o(s)
	}
	return s
}

// Open starts the respondent's dialog, or resumes it where it stands: on
// any channel, since a response belongs to the respondent, not to a chat.
// lang is the language of a new response.
func (s *Service) Open(ctx context.Context, who survey.Identity, lang dialogs.Lang) (Reply, error) {
	return s.open(ctx, who, lang, nil)
}

func (s *Service) open(ctx context.Context, who survey.Identity, lang dialogs.Lang, fixed map[string]string) (Reply, error) {
	resp, q, started, err := s.find(ctx, who, lang, fixed)
	if err != nil || started != nil {
		return derefReply(started), err
	}
	unlock, err := s.sessions.Lock(ctx, resp.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("lock response: %w", err)
	}
	defer unlock()
	sess, err := s.session(ctx, q, resp.ID)
	if err != nil {
		return Reply{}, err
	}
	if sess.Seq < resp.Seq {
		// The session store lost its last writes (a crash): showing its
		// state would ask a question SQL has the answer to.
		s.log.Warn("session behind SQL; rebuilt", slog.String("response", resp.ID))
		_ = s.sessions.Delete(ctx, resp.ID)
		if sess, err = s.session(ctx, q, resp.ID); err != nil {
			return Reply{}, err
		}
	}
	prompts, err := dialogs.Resume(q, sess.State)
	if err != nil {
		return Reply{}, fmt.Errorf("resume: %w", err)
	}
	if sess.State.Phase == dialogs.PhaseDone && resp.CompletedAt != nil {
		// The results page shown again (a web page reloaded) keeps its comparison.
		if text, err := s.results(ctx, q, resp.ID, sess.State, dialogs.Score(q, sess.State.Answers)); err == nil {
			addToSummary(prompts, text)
		}
		if text := s.waveDone(ctx, sess.State.Lang); text != "" {
			addToSummary(prompts, text)
		}
	}
	return reply(resp.ID, sess.State, prompts, who.Channel), nil
}

// Handle applies one input from a respondent. A respondent without a
// response gets one, and the privacy notice instead of a step.
func (s *Service) Handle(ctx context.Context, who survey.Identity, in dialogs.Input) (Reply, error) {
	return s.HandleOnce(ctx, who, in, "")
}

// HandleOnce is Handle for an input its channel may deliver more than once:
// key names it (such as "telegram:update:123"), and an input whose key was
// already applied changes nothing, even after a crash or restart. The
// reply to such a repeat has no prompts.
func (s *Service) HandleOnce(ctx context.Context, who survey.Identity, in dialogs.Input, key string) (Reply, error) {
	resp, q, started, err := s.find(ctx, who, dialogs.German, nil)
	if err != nil || started != nil {
		return derefReply(started), err
	}
	return s.step(ctx, q, resp.ID, who.Channel, in, key)
}

// find returns the respondent's response and its questionnaire; for a
// response it had to start, also the first reply (the privacy notice).
func (s *Service) find(ctx context.Context, who survey.Identity, lang dialogs.Lang, fixed map[string]string) (survey.Response, *dialogs.Questionnaire, *Reply, error) {
	resp, created, err := s.response(ctx, who, lang, fixed)
	var early errNotStarted
	if errors.As(err, &early) {
		return survey.Response{}, nil, &early.reply, nil
	}
	if err != nil {
		return survey.Response{}, nil, nil, err
	}
	q, err := s.questionnaire(resp.Questionnaire)
	if err != nil {
		return survey.Response{}, nil, nil, err
	}
	if !created {
		return resp, q, nil, nil
	}
	r, err := s.started(ctx, q, resp, who.Channel)
	if err != nil {
		return survey.Response{}, nil, nil, err
	}
	return resp, q, &r, nil
}

func derefReply(r *Reply) Reply {
	if r == nil {
		return Reply{}
	}
	return *r
}

// Step applies one input to a response. Inputs of one response are
// serialised; each accepted answer is in SQL before Step returns.
func (s *Service) Step(ctx context.Context, q *dialogs.Questionnaire, responseID string, channel survey.Channel, in dialogs.Input) (Reply, error) {
	return s.step(ctx, q, responseID, channel, in, "")
}

func (s *Service) step(ctx context.Context, q *dialogs.Questionnaire, responseID string, channel survey.Channel, in dialogs.Input, key string) (Reply, error) {
	unlock, err := s.sessions.Lock(ctx, responseID)
	if err != nil {
		return Reply{}, fmt.Errorf("lock response: %w", err)
	}
	defer unlock()
	if key != "" {
		if done, err := s.store.InputApplied(ctx, key); err != nil {
			return Reply{}, err
		} else if done {
			return Reply{ResponseID: responseID}, nil
		}
	}
	for attempt := 1; ; attempt++ {
		sess, err := s.session(ctx, q, responseID)
		if err != nil {
			return Reply{}, err
		}
		next, prompts, err := dialogs.Step(q, sess.State, in)
		if err != nil {
			return Reply{}, fmt.Errorf("dialog step: %w", err)
		}
		if next.Equal(sess.State) {
			// Nothing to store. A session older than SQL (Redis lost its
			// last writes in a crash) would make a good input look stale:
			// compare with SQL and rebuild before saying so.
			if attempt < maxConflicts {
				if r, err := s.store.Response(ctx, responseID); err == nil && r.Seq != sess.Seq {
					s.log.Warn("session behind SQL; rebuilt", slog.String("response", responseID))
					_ = s.sessions.Delete(ctx, responseID)
					continue
				}
			}
			return reply(responseID, next, prompts, channel), nil
		}
		step := survey.Step{
			ResponseID: responseID, Seq: sess.Seq, Channel: channel, Lang: next.Lang, Phase: next.Phase,
			Changes: dialogs.Changes(q, sess.State, next), InputKey: key,
		}
		if next.Phase == dialogs.PhaseDone && sess.State.Phase != dialogs.PhaseDone {
			sc := dialogs.Score(q, next.Answers)
			step.Scores = &sc
			step.Dims = indicators.DimsOf(q, next.Answers)
		}
		seq, err := s.store.ApplyStep(ctx, step)
		if errors.Is(err, survey.ErrDuplicate) {
			return Reply{ResponseID: responseID}, nil
		}
		if errors.Is(err, survey.ErrConflict) {
			// Another instance moved this response on; what we read is stale.
			_ = s.sessions.Delete(ctx, responseID)
			if r, err := s.store.Response(ctx, responseID); err == nil && r.Status == survey.StatusErased {
				return Reply{}, ErrErased
			}
			if attempt < maxConflicts {
				continue
			}
		}
		if err != nil {
			return Reply{}, fmt.Errorf("store step: %w", err)
		}
		if err := s.sessions.Save(ctx, responseID, survey.Session{State: next, Seq: seq}); err != nil {
			// SQL has the step; the next input rebuilds the session from it.
			s.log.Warn("save session", slog.String("response", responseID), slog.Any("error", err))
		}
		// Item codes only: the answers themselves stay out of the logs.
		n, items := accepted(step.Changes)
		s.metrics.AnswersAccepted(string(channel), n)
		s.log.Debug("step stored", slog.String("response", responseID), slog.String("channel", string(channel)),
			slog.String("phase", string(next.Phase)), slog.Any("items", items), slog.Int64("seq", seq))
		if step.Scores != nil {
			s.metrics.DialogCompleted(string(channel))
			s.log.Info("response completed", slog.String("response", responseID), slog.String("channel", string(channel)))
			if text, err := s.results(ctx, q, responseID, next, *step.Scores); err != nil {
				s.log.Warn("peer comparison", slog.String("response", responseID), slog.Any("error", err))
			} else {
				addToSummary(prompts, text)
			}
		}
		r := reply(responseID, next, prompts, channel)
		r.Answered = answered(q, sess.State, next)
		return r, nil
	}
}

// Erase removes a respondent's identities, answers and live sessions, and
// has the channels forget what they keep of them (WithForget).
func (s *Service) Erase(ctx context.Context, respondentID string) error {
	erased, err := s.store.EraseRespondent(ctx, respondentID)
	if err != nil {
		return err
	}
	for _, id := range erased.Responses {
		if err := s.sessions.Delete(ctx, id); err != nil {
			return fmt.Errorf("drop session of erased response: %w", err)
		}
	}
	if s.forget == nil {
		return nil
	}
	for _, who := range erased.Identities {
		if err := s.forget(ctx, who); err != nil {
			return fmt.Errorf("erase what the %s channel keeps: %w", who.Channel, err)
		}
	}
	return nil
}

// started returns the first prompts of a new response and keeps its session.
func (s *Service) started(ctx context.Context, q *dialogs.Questionnaire, resp survey.Response, channel survey.Channel) (Reply, error) {
	answers, err := s.store.Answers(ctx, resp.ID)
	if err != nil {
		return Reply{}, err
	}
	st := dialogs.Restore(q, resp.Lang, dialogs.PhaseConsent, answers)
	prompts, err := dialogs.Resume(q, st)
	if err != nil {
		return Reply{}, fmt.Errorf("start dialog: %w", err)
	}
	if err := s.sessions.Save(ctx, resp.ID, survey.Session{State: st, Seq: resp.Seq}); err != nil {
		s.log.Warn("save session", slog.String("response", resp.ID), slog.Any("error", err))
	}
	return reply(resp.ID, st, prompts, channel), nil
}

// session loads a response's live state, or rebuilds it from SQL when the
// session store lost it (flush, restart, eviction, expiry).
func (s *Service) session(ctx context.Context, q *dialogs.Questionnaire, id string) (survey.Session, error) {
	sess, ok, err := s.sessions.Load(ctx, id)
	if err != nil {
		s.log.Warn("load session; rebuilding from SQL", slog.String("response", id), slog.Any("error", err))
	}
	if ok && err == nil && sess.State.Questionnaire == q.Ref() {
		return sess, nil
	}
	resp, err := s.store.Response(ctx, id)
	if err != nil {
		return survey.Session{}, fmt.Errorf("read response: %w", err)
	}
	if resp.Status == survey.StatusErased {
		return survey.Session{}, ErrErased
	}
	answers, err := s.store.Answers(ctx, id)
	if err != nil {
		return survey.Session{}, err
	}
	st := dialogs.Restore(q, resp.Lang, phaseOf(resp.Status), answers)
	sess = survey.Session{State: st, Seq: resp.Seq}
	if st.Phase == dialogs.PhaseDone && resp.Status != survey.StatusCompleted {
		// Every question is answered but the completion was never stored.
		sc := dialogs.Score(q, st.Answers)
		seq, err := s.store.ApplyStep(ctx, survey.Step{ResponseID: id, Seq: resp.Seq, Channel: "restore", Lang: st.Lang, Phase: st.Phase, Scores: &sc, Dims: indicators.DimsOf(q, st.Answers)})
		if err != nil {
			return survey.Session{}, fmt.Errorf("complete restored response: %w", err)
		}
		sess.Seq = seq
	}
	return sess, nil
}

func phaseOf(st survey.Status) dialogs.Phase {
	switch st {
	case survey.StatusStarted:
		return dialogs.PhaseConsent
	case survey.StatusCompleted:
		return dialogs.PhaseDone
	case survey.StatusDeclined:
		return dialogs.PhaseDeclined
	}
	return dialogs.PhaseAsking
}

func (s *Service) questionnaire(ref dialogs.Ref) (*dialogs.Questionnaire, error) {
	q, ok := s.questionnaires[ref]
	if !ok {
		return nil, fmt.Errorf("questionnaire %s is not loaded", ref)
	}
	return q, nil
}

// reply is what the channel shows, worded for its controls (dialogs.Surface).
func reply(id string, st dialogs.State, prompts []dialogs.Prompt, channel survey.Channel) Reply {
	return Reply{ResponseID: id, Prompts: dialogs.On(prompts, dialogs.Surface(channel)), Lang: st.Lang, Phase: st.Phase}
}

// answered describes the answer a step gave to the question that was
// current before it, or "" if it gave none.
func answered(q *dialogs.Questionnaire, before, after dialogs.State) string {
	if before.Phase != dialogs.PhaseAsking {
		return ""
	}
	it, ok := q.Item(before.Current)
	if !ok {
		return ""
	}
	a, ok := after.Answers[before.Current]
	if !ok || (a == before.Answers[before.Current] && after.Current == before.Current) {
		return ""
	}
	if after.Current == before.Current && after.Phase == dialogs.PhaseAsking {
		return ""
	}
	return dialogs.Describe(it, a, after.Lang)
}

// accepted counts the answers a step stored (an answer, keine Angabe or a
// skip, not an answer dropped) and lists the items they answer.
func accepted(changes []dialogs.Change) (int, []string) {
	n, items := 0, make([]string, 0, len(changes))
	for _, c := range changes {
		if c.Dropped || c.Answer.Fixed {
			continue
		}
		n++
		items = append(items, c.Item)
	}
	return n, items
}

// addToSummary appends a paragraph to the summary prompt of a reply.
func addToSummary(prompts []dialogs.Prompt, text string) {
	for i := range prompts {
		if prompts[i].Kind == dialogs.PromptSummary {
			prompts[i].Text += "\n\n" + text
		}
	}
}
