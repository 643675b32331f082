package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// waveCacheTTL is how long the list of waves is reused: an operator's new
// wave is picked up by every instance within it (10 s), and a planned wave
// becomes current at its start without asking the database.
const waveCacheTTL = 10 * time.Second

// waveCache keeps the waves, the earliest first.
type waveCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	waves   []survey.Wave
	expires time.Time
}

// WithWaveCacheTTL sets how long the list of waves is reused (default 10
// seconds; 0 asks the database at every new response).
func WithWaveCacheTTL(d time.Duration) Option { return func(s *Service) { s.waves.ttl = d } }

// wave returns the current wave (the one that started last) and the next
// one planned, if any. Where no wave was ever made it has the store make
// a first one; where waves are planned but none started, it returns
// survey.ErrNoWave and the first planned wave as next.
func (s *Service) wave(ctx context.Context) (cur survey.Wave, next *survey.Wave, err error) {
	now := time.Now()
	s.waves.mu.Lock()
	waves, fresh := s.waves.waves, now.Before(s.waves.expires)
	s.waves.mu.Unlock()
	if !fresh || len(waves) == 0 {
		if waves, err = s.store.Waves(ctx); err != nil {
			return survey.Wave{}, nil, err
		}
		if len(waves) == 0 {
			if _, err := s.store.EnsureWave(ctx, s.current.Ref()); err != nil {
				return survey.Wave{}, nil, fmt.Errorf("first wave: %w", err)
			}
			if waves, err = s.store.Waves(ctx); err != nil {
				return survey.Wave{}, nil, err
			}
		}
		s.waves.mu.Lock()
		s.waves.waves, s.waves.expires = waves, now.Add(s.waves.ttl)
		s.waves.mu.Unlock()
	}
	found := false
	for i, w := range waves {
		if w.StartsAt.After(now) {
			next = &waves[i]
			break
		}
		cur, found = w, true
	}
	if !found {
		return survey.Wave{}, next, survey.ErrNoWave
	}
	return cur, next, nil
}

// notStarted is the reply to a respondent who comes before the first
// wave starts.
func notStarted(lang dialogs.Lang, next *survey.Wave) Reply {
	text := dialogs.UIWaveNotOpen.In(lang)
	if next != nil {
		text = fmt.Sprintf(dialogs.UIWaveStarts.In(lang), next.Name, day(lang, next.StartsAt))
	}
	return Reply{Prompts: []dialogs.Prompt{{Kind: dialogs.PromptInfo, Text: text}}, Lang: lang}
}

// waveDone tells a respondent who completed the current wave so, and when
// the next one starts.
func (s *Service) waveDone(ctx context.Context, lang dialogs.Lang) string {
	cur, next, err := s.wave(ctx)
	if err != nil {
		s.log.Warn("current wave", slog.Any("error", err))
		return ""
	}
	text := fmt.Sprintf(dialogs.UIWaveDone.In(lang), cur.Name)
	if next != nil {
		return text + " " + fmt.Sprintf(dialogs.UIWaveNext.In(lang), next.Name, day(lang, next.StartsAt))
	}
	return text + " " + dialogs.UIWaveNextUnplanned.In(lang)
}

// day writes a date the way the respondent's language does.
func day(lang dialogs.Lang, t time.Time) string {
	t = t.In(berlin())
	if lang == dialogs.English {
		return t.Format("2 January 2006")
	}
	return t.Format("02.01.2006")
}

// berlin is the time zone dates are shown in; UTC where the system has
// no zone database.
func berlin() *time.Location {
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return loc
	}
	return time.UTC
}

// ownChange puts this wave's scores beside the respondent's previous
// wave's, one line per field both have. It is the respondent's own data,
// so no disclosure rule applies; "" where there is no previous wave.
func (s *Service) ownChange(ctx context.Context, q *dialogs.Questionnaire, responseID string, lang dialogs.Lang, sc dialogs.Scores) (string, error) {
	resp, err := s.store.Response(ctx, responseID)
	if err != nil || resp.RespondentID == "" || resp.WaveID == "" {
		return "", err
	}
	past, err := s.store.PreviousScores(ctx, resp.RespondentID, resp.WaveID)
	if errors.Is(err, survey.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	lines := []string{fmt.Sprintf(dialogs.UIOwnChangeHead.In(lang), past.Wave)}
	line := func(label string, now, before float64) {
		lines = append(lines, fmt.Sprintf(dialogs.UIOwnChangeLine.In(lang), label, round(now), past.Wave, round(before), round(now)-round(before)))
	}
	for _, f := range q.Fields {
		now, ok1 := sc.Fields[f.ID]
		before, ok2 := past.Fields[f.ID]
		if ok1 && ok2 {
			line(f.Title.In(lang), now, before)
		}
	}
	if sc.Composite != nil && past.Composite != nil {
		line(compositeLabel(lang), *sc.Composite, *past.Composite)
	}
	if len(lines) == 1 {
		return "", nil
	}
	return strings.Join(lines, "\n"), nil
}

// prefill is what a new response in a wave is offered as its screening:
// the answers of the firm's latest completed earlier wave, or else what
// its chamber's member list says. Failing to read them only costs the
// respondent a few questions, so it is logged, not returned.
func (s *Service) prefill(ctx context.Context, respondentID, waveID string) map[string]string {
	prev, err := s.store.PreviousAnswers(ctx, respondentID, waveID)
	if err == nil {
		out := map[string]string{}
		for item, a := range prev {
			if a.Given() {
				out[item] = a.Value
			}
		}
		return out
	}
	if !errors.Is(err, survey.ErrNotFound) {
		s.log.Warn("previous wave's answers", slog.Any("error", err))
		return nil
	}
	member, err := s.store.MemberAnswers(ctx, respondentID)
	if err != nil {
		s.log.Warn("member's screening", slog.Any("error", err))
	}
	return member
}
