package survey

import (
	"errors"
	"fmt"
	"time"

	"github.com/surveybot/surveybot/dialogs"
)

// Status is where a response stands.
type Status string

// The statuses of a response.
const (
	StatusStarted   Status = "started"   // privacy notice shown
	StatusConsented Status = "consented" // answering
	StatusCompleted Status = "completed" // scored
	StatusDeclined  Status = "declined"  // consent declined; nothing else kept
	StatusErased    Status = "erased"    // the respondent had their data erased
)

// StatusOf maps a dialog phase to the status stored for it.
func StatusOf(p dialogs.Phase) Status {
	switch p {
	case dialogs.PhaseConsent:
		return StatusStarted
	case dialogs.PhaseDone:
		return StatusCompleted
	case dialogs.PhaseDeclined:
		return StatusDeclined
	}
	return StatusConsented
}

// Response is one respondent's run through one questionnaire version.
type Response struct {
	ID            string
	RespondentID  string // "" once erased
	Questionnaire dialogs.Ref
	Status        Status
	Lang          dialogs.Lang
	Seq           int64 // bumped by every accepted step
	StartedAt     time.Time
	CompletedAt   *time.Time
	Composite     *float64
	TechCount     *int
	WaveID        string
}

// NewResponse describes a response to create.
type NewResponse struct {
	RespondentID  string
	Questionnaire dialogs.Ref
	Lang          dialogs.Lang
	Channel       Channel
	Fixed         map[string]dialogs.Answer // answers known beforehand, such as the chamber
	WaveID        string                    // "" for the current wave
	// Prefill are answers carried over from a previous wave (dialogs.Prefill),
	// stored as proposals the respondent has yet to confirm; an item in
	// Fixed is never prefilled.
	Prefill map[string]dialogs.Answer
}

// Step is what one accepted dialog step changes in a response.
type Step struct {
	ResponseID string
	Seq        int64 // the response's seq when its state was read
	Channel    Channel
	Lang       dialogs.Lang
	Phase      dialogs.Phase
	Changes    []dialogs.Change
	Scores     *dialogs.Scores // set when the step completes the response
	// InputKey, if set, names the input (such as "telegram:update:123"); it
	// is recorded with the step, and a step with a key already recorded
	// fails with ErrDuplicate, so a redelivered input is never applied twice.
	InputKey string
	// Dims are the screening answers the completed response is counted
	// under, by dimension (chamber, sector, size, region); set with Scores.
	Dims map[Dimension]string
}

// ErrDuplicate is returned by ApplyStep for an input already applied.
var ErrDuplicate = errors.New("input already applied")

// AnswerRecord is a stored answer with when and on which channel it was given.
type AnswerRecord struct {
	Item    string
	Answer  dialogs.Answer
	Channel Channel
	At      time.Time
}

// ISOWeek names the ISO 8601 week of t, such as "2026-W48".
func ISOWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}
