package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// errNotStarted carries the reply to a respondent who comes before the
// first wave starts.
type errNotStarted struct{ reply Reply }

func (e errNotStarted) Error() string { return "no wave has started" }
func (e errNotStarted) Unwrap() error { return survey.ErrNoWave }

// response finds the respondent's response in the current wave, or
// starts one: a respondent has one response per wave, and the unique
// index in SQL, not only the lock, makes sure of it.
func (s *Service) response(ctx context.Context, who survey.Identity, lang dialogs.Lang, fixed map[string]string) (survey.Response, bool, error) {
	wave, next, err := s.wave(ctx)
	if errors.Is(err, survey.ErrNoWave) {
		return survey.Response{}, false, errNotStarted{notStarted(lang, next)}
	}
	if err != nil {
		return survey.Response{}, false, fmt.Errorf("current wave: %w", err)
	}
	resp, err := s.store.WaveResponse(ctx, who, wave.ID)
	if err == nil && resp.Status != survey.StatusErased {
		return resp, false, nil
	}
	if err != nil && !errors.Is(err, survey.ErrNotFound) {
		return survey.Response{}, false, err
	}
	rid, err := s.store.EnsureRespondent(ctx, who)
	if err != nil {
		return survey.Response{}, false, fmt.Errorf("respondent: %w", err)
	}
	// Serialise the creation, so two first messages make one response.
	unlock, err := s.sessions.Lock(ctx, "respondent:"+rid)
	if err != nil {
		return survey.Response{}, false, fmt.Errorf("lock respondent: %w", err)
	}
	defer unlock()
	if resp, err := s.store.ResponseInWave(ctx, rid, wave.ID); err == nil {
		return resp, false, nil
	}
	st, _, err := dialogs.Start(s.current, lang, fixed)
	if err != nil {
		return survey.Response{}, false, fmt.Errorf("start response: %w", err)
	}
	nr := survey.NewResponse{
		RespondentID: rid, Questionnaire: s.current.Ref(), Lang: lang, Channel: who.Channel, WaveID: wave.ID,
		Fixed: st.Answers, Prefill: map[string]dialogs.Answer{},
	}
	// The screening the firm gave last wave (or its member record) is
	// offered to confirm in one question, stored as proposals, not fixed.
	for item, a := range dialogs.Prefill(s.current, st, s.prefill(ctx, rid, wave.ID)).Answers {
		if a.Prefilled {
			nr.Prefill[item] = a
		}
	}
	resp, err = s.store.CreateResponse(ctx, nr)
	if errors.Is(err, survey.ErrWaveResponse) {
		// Another instance made it (the lock is gone when Redis is).
		resp, err = s.store.ResponseInWave(ctx, rid, wave.ID)
		return resp, false, err
	}
	if err != nil {
		return survey.Response{}, false, fmt.Errorf("start response: %w", err)
	}
	s.metrics.DialogStarted(string(who.Channel))
	s.log.Info("response started", slog.String("response", resp.ID), slog.String("wave", wave.Name), slog.String("channel", string(who.Channel)))
	return resp, true, nil
}
