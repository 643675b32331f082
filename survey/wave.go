package survey

import (
	"errors"
	"time"

	"github.com/surveybot/surveybot/dialogs"
)

// Wave is a named survey period shared by all chambers, such as "2027-1":
// a respondent has at most one response per wave, and a campaign invites
// to one wave. The current wave is the one that started last; its end is
// the planned end of fieldwork, shown to respondents and used as a
// campaign's default end.
type Wave struct {
	ID            string      `json:"id"`
	Name          string      `json:"name"`
	StartsAt      time.Time   `json:"starts_at"`
	EndsAt        time.Time   `json:"ends_at"`
	Questionnaire dialogs.Ref `json:"questionnaire"` // the shared questionnaire the wave serves
	CreatedAt     time.Time   `json:"created_at"`
}

// ErrWaveExists is returned for a wave whose name is taken.
var ErrWaveExists = errors.New("a wave of that name exists")

// ErrNoWave is returned when no wave has started yet.
var ErrNoWave = errors.New("no wave has started")

// ErrWaveResponse is returned for a second response of a respondent in
// one wave.
var ErrWaveResponse = errors.New("the respondent has a response in this wave")

// PastScores are the scores of a respondent's latest completed response
// in an earlier wave, for showing them their own change.
type PastScores struct {
	Wave      string             // the earlier wave's name
	Fields    map[string]float64 // field scores
	Composite *float64
}
