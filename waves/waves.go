// Package waves plans the survey's waves: it checks a new wave as the
// operator describes it (CLI flags, API JSON) and stores it. A wave is a
// named survey period shared by all chambers; the one that started last
// is current, and every respondent has one response in it.
package waves

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// ErrInvalid wraps what is wrong with a wave; Field says which field.
var ErrInvalid = errors.New("invalid wave")

// Invalid is a wave refused for one of its fields.
type Invalid struct {
	Field string // name, start, end or questionnaire
	Msg   string
}

func (e *Invalid) Error() string { return e.Field + ": " + e.Msg }
func (e *Invalid) Unwrap() error { return ErrInvalid }

// Spec is a wave as the operator describes it.
type Spec struct {
	Name          string `json:"name"`                    // such as 2027-1
	Start         string `json:"start"`                   // YYYY-MM-DD (the day's start in Europe/Berlin) or RFC 3339
	End           string `json:"end"`                     // YYYY-MM-DD (the whole day) or RFC 3339
	Questionnaire string `json:"questionnaire,omitempty"` // id@version; default the one served
}

// Store is where waves are kept; *store.DB has it.
type Store interface {
	CreateWave(ctx context.Context, w survey.Wave) (survey.Wave, error)
	Waves(ctx context.Context) ([]survey.Wave, error)
}

// Add checks spec and stores the wave. A wave starts after every other
// wave and not in the past: moving the current wave backwards would move
// dialogs under way into another wave.
func Add(ctx context.Context, db Store, q *dialogs.Questionnaire, spec Spec, now time.Time) (survey.Wave, error) {
	bad := func(field, format string, a ...any) (survey.Wave, error) {
		return survey.Wave{}, &Invalid{Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	// Names stay short and plain: they appear in exports, file names and
	// respondents' messages.
	name := strings.TrimSpace(spec.Name)
	if !regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`).MatchString(name) {
		return bad("name", "give the wave a name of letters, digits, '.', '-' or '_', at most 40, such as 2027-1")
	}
	if spec.Questionnaire != "" && spec.Questionnaire != q.Ref().String() {
		return bad("questionnaire", "%s: this service asks %s", spec.Questionnaire, q.Ref())
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	if strings.TrimSpace(spec.Start) == "" {
		return bad("start", "give the first day as YYYY-MM-DD")
	}
	if strings.TrimSpace(spec.End) == "" {
		return bad("end", "give the last day as YYYY-MM-DD")
	}
	start, err := survey.ParseDay(strings.TrimSpace(spec.Start), loc, false)
	if err != nil {
		return bad("start", "%v", err)
	}
	end, err := survey.ParseDay(strings.TrimSpace(spec.End), loc, true)
	if err != nil {
		return bad("end", "%v", err)
	}
	if !end.After(start) {
		return bad("end", "%s is not after the start %s", spec.End, spec.Start)
	}
	if start.Before(now.Add(-time.Minute)) {
		return bad("start", "%s is in the past; a new wave starts now or later", spec.Start)
	}
	existing, err := db.Waves(ctx)
	if err != nil {
		return survey.Wave{}, err
	}
	for _, w := range existing {
		if w.Name == name {
			return bad("name", "wave %s exists", name)
		}
		if !start.After(w.StartsAt) {
			return bad("start", "%s is not after the start of wave %s (%s); waves follow each other", spec.Start, w.Name, w.StartsAt.In(loc).Format(time.DateOnly))
		}
	}
	w, err := db.CreateWave(ctx, survey.Wave{Name: name, StartsAt: start, EndsAt: end, Questionnaire: q.Ref()})
	if errors.Is(err, survey.ErrWaveExists) {
		return bad("name", "wave %s exists", name)
	}
	return w, err
}
