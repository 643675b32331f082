package dialogs

import (
	"maps"
	"slices"
	"strings"
)

// Phase is where a dialog stands.
type Phase string

// The phases of a dialog.
const (
	PhaseConsent        Phase = "consent"         // privacy notice shown, waiting for yes or no
	PhaseAsking         Phase = "asking"          // asking State.Current
	PhasePaused         Phase = "paused"          // paused by the respondent
	PhaseConfirmRestart Phase = "confirm_restart" // asked whether to discard all answers
	PhaseConfirmPrefill Phase = "confirm_prefill" // asked whether the prefilled answers still hold (State.Current: the first of them)
	PhaseDone           Phase = "done"            // completed and scored
	PhaseDeclined       Phase = "declined"        // consent declined; nothing kept
)

// Answer is the answer to one item. Value is an option code, several codes
// joined by commas (multi), a scale point, a number, a postcode or text.
type Answer struct {
	Value   string `json:"v,omitempty"`
	NA      bool   `json:"na,omitempty"` // "keine Angabe": missing, never zero
	Skipped bool   `json:"sk,omitempty"` // an optional item the respondent skipped
	Fixed   bool   `json:"fx,omitempty"` // known beforehand (e.g. the chamber of an invitation); never asked

	// Prefilled marks a value carried over from a firm's previous survey
	// wave (or its member record) that the respondent has not confirmed
	// yet (Prefill). It is a proposal: it routes the dialog, so that the
	// confirmation lists the path it implies, but it is never scored,
	// counted under a dimension or exported until confirmed; the engine
	// cannot complete while one is on the path.
	Prefilled bool `json:"pf,omitempty"`
}

// Given reports whether the answer carries a value that scoring, the
// dimensions and exports can use: not missing, and not an unconfirmed
// proposal (Prefilled).
func (a Answer) Given() bool { return !a.NA && !a.Skipped && !a.Prefilled }

// routes reports whether the answer's value decides the path: a given
// answer, or a proposal awaiting confirmation, whose path is the one the
// respondent is asked to confirm.
func (a Answer) routes() bool { return !a.NA && !a.Skipped }

// Codes splits a multiple choice answer into its option codes.
func (a Answer) Codes() []string {
	if !a.Given() || a.Value == "" {
		return nil
	}
	return strings.Split(a.Value, ",")
}

// State is everything the engine needs to continue a dialog. It is plain
// data, safe to serialise as JSON and to keep in Redis.
type State struct {
	Questionnaire Ref               `json:"q"`
	Lang          Lang              `json:"lang"`
	Phase         Phase             `json:"phase"`
	Prev          Phase             `json:"prev,omitempty"` // phase to return to after a pause or a restart question
	Current       string            `json:"cur,omitempty"`  // item being asked
	Draft         []string          `json:"draft,omitempty"`
	Answers       map[string]Answer `json:"answers,omitempty"`
}

func (s State) clone() State {
	s.Answers = maps.Clone(s.Answers)
	s.Draft = slices.Clone(s.Draft)
	if s.Answers == nil {
		s.Answers = map[string]Answer{}
	}
	return s
}

// Change is an answer the engine accepted or dropped in one step, for the
// store to persist.
type Change struct {
	Item    string
	Answer  Answer
	Dropped bool // the item left the respondent's path, or the dialog restarted
}

// Changes lists the answers that differ between two states of one dialog,
// in questionnaire order.
func Changes(q *Questionnaire, before, after State) []Change {
	var out []Change
	for _, it := range q.items {
		a, inAfter := after.Answers[it.ID]
		b, inBefore := before.Answers[it.ID]
		switch {
		case inAfter && (!inBefore || a != b):
			out = append(out, Change{Item: it.ID, Answer: a})
		case inBefore && !inAfter:
			out = append(out, Change{Item: it.ID, Dropped: true})
		}
	}
	return out
}

// Restore rebuilds a dialog's state from what the store kept: the language,
// the phase the response reached and its accepted answers. A dialog that was
// answering continues at the first question on the path not yet answered,
// so nothing is asked twice and nothing accepted is lost; if a prefilled
// answer comes first, at the question whether the prefilled answers hold.
func Restore(q *Questionnaire, lang Lang, phase Phase, answers map[string]Answer) State {
	st := State{Questionnaire: q.Ref(), Lang: lang, Phase: phase, Answers: maps.Clone(answers)}
	if st.Lang != English {
		st.Lang = German
	}
	if st.Answers == nil {
		st.Answers = map[string]Answer{}
	}
	switch phase {
	case PhaseConsent, PhaseDone, PhaseDeclined:
		return st
	}
	st.Phase = PhaseAsking
	prune(q, st.Answers)
	st, _, _ = advance(q, st, -1)
	return st
}

// Equal reports whether two states are the same, so that a step that
// changed nothing (help, status, a stale tap) need not be stored.
func (s State) Equal(o State) bool {
	return s.Questionnaire == o.Questionnaire && s.Lang == o.Lang && s.Phase == o.Phase &&
		s.Prev == o.Prev && s.Current == o.Current && slices.Equal(s.Draft, o.Draft) &&
		maps.Equal(s.Answers, o.Answers)
}
