package dialogs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// PromptKind says what a prompt is, so a channel can render it.
type PromptKind string

// The kinds of prompt.
const (
	PromptConsent  PromptKind = "consent"  // privacy notice; options yes/no
	PromptQuestion PromptKind = "question" // the current item
	PromptConfirm  PromptKind = "confirm"  // restart confirmation; options yes/no
	PromptInfo     PromptKind = "info"     // a plain message
	PromptError    PromptKind = "error"    // invalid input; says what is accepted
	PromptSummary  PromptKind = "summary"  // the respondent's scores at the end
	PromptGoodbye  PromptKind = "goodbye"  // consent declined
	PromptStale    PromptKind = "stale"    // input for a question no longer current; nothing changed
)

// Choice is a button a channel can show.
type Choice struct {
	Code     string
	Label    string
	Selected bool // multi: toggled on
}

// Progress is the respondent's position on their own path.
type Progress struct {
	Pos, Total int
}

// Prompt is one message for the respondent, already in their language.
type Prompt struct {
	Kind     PromptKind
	Item     string   // question: the item id
	Type     ItemType // question: the item type
	Text     string   // the message or question text
	Help     string   // question: the item's help text
	Hint     string   // question: how to answer
	Previous string   // question asked again: the answer given before, in words
	Options  []Choice // question, consent, confirm: the buttons; questions end with "keine Angabe"
	Progress Progress
	CanBack  bool
	CanSkip  bool
	Repeat   bool    // the same question again after an error, a help or a language switch
	Low      string  // scale: what 1 means
	High     string  // scale: what the top point means
	MaxLen   int     // free text: the most characters accepted
	Scores   *Scores // summary
	// ScoreLines are the summary's results in words, in field order, then
	// the composite and the technology count, for channels that lay them out.
	ScoreLines []ScoreLine

	words *wording // what On words again for a surface
}

// ScoreLine is one result of a summary: a label and its value.
type ScoreLine struct {
	Label string
	Value int
	Of    int // the largest possible value: 100, or 12 for the technology count
}

// Prompt ids of the consent and restart questions, which are not items.
const (
	ConsentPrompt = "@consent"
	RestartPrompt = "@restart"
	PrefillPrompt = "@prefill"
)

// promptItem is the Prompt.Item of the question the dialog waits on.
func promptItem(st State) string {
	switch st.Phase {
	case PhaseConsent:
		return ConsentPrompt
	case PhaseAsking:
		return st.Current
	case PhaseConfirmRestart:
		return RestartPrompt
	case PhaseConfirmPrefill:
		return PrefillPrompt
	}
	return ""
}

// ErrWrongQuestionnaire is returned when a state belongs to another questionnaire.
var ErrWrongQuestionnaire = errors.New("state belongs to another questionnaire")

// Start begins a dialog: it returns the first state and the consent prompt.
// fixed holds answers known beforehand (such as the chamber of an
// invitation), which are never asked.
func Start(q *Questionnaire, lang Lang, fixed map[string]string) (State, []Prompt, error) {
	if lang != English {
		lang = German
	}
	st := State{Questionnaire: q.Ref(), Lang: lang, Phase: PhaseConsent, Answers: map[string]Answer{}}
	for id, v := range fixed {
		it, ok := q.Item(id)
		if !ok {
			return State{}, nil, fmt.Errorf("fixed answer for unknown item %q", id)
		}
		ans, ok := parseAnswer(it, v)
		if !ok {
			return State{}, nil, fmt.Errorf("fixed answer %q is not valid for item %q", v, id)
		}
		ans.Fixed = true
		st.Answers[id] = ans
	}
	return st, []Prompt{consentPrompt(q, lang)}, nil
}

// Resume returns the prompt that shows where a dialog stands, for a
// respondent who comes back, possibly on another channel.
func Resume(q *Questionnaire, st State) ([]Prompt, error) {
	if st.Questionnaire != q.Ref() {
		return nil, ErrWrongQuestionnaire
	}
	return current(q, st, false), nil
}

// Step applies one input to a dialog. It never changes st; it returns the
// new state and the prompts to show. Invalid input is not an error: it gets
// a prompt that says what is accepted. The error is for a state that does
// not fit the questionnaire.
func Step(q *Questionnaire, st State, in Input) (State, []Prompt, error) {
	if st.Questionnaire != q.Ref() {
		return st, nil, ErrWrongQuestionnaire
	}
	if st.Phase == PhaseAsking || st.Phase == PhaseConfirmPrefill {
		if _, ok := q.Item(st.Current); !ok {
			return st, nil, fmt.Errorf("state asks unknown item %q", st.Current)
		}
	}
	if !storable(in) {
		// Nothing of it is kept: a NUL or an invalid byte would fail in
		// SQL, and the channel would deliver it again and again.
		return st, append([]Prompt{errPrompt(msgUnstorable.in(st.Lang))}, current(q, st, true)...), nil
	}
	if in.Item != "" && in.Item != promptItem(st) {
		return st, []Prompt{{Kind: PromptStale, Text: msgStale.in(st.Lang)}}, nil
	}
	st = st.clone()
	if in.Command == CmdNone && in.Choice == "" && in.Selection == nil {
		in.Command, in.Text = parseCommandOrText(in.Text)
	}
	lang := st.Lang

	switch in.Command {
	case CmdLanguage:
		if in.Text != "" {
			if _, err := ParseLang(in.Text); err != nil {
				return st, append([]Prompt{errPrompt(msgLanguageUnknown.in(st.Lang))}, current(q, st, true)...), nil
			}
		}
		st.Lang = switchLang(st.Lang, in.Text)
		return st, append([]Prompt{info(msgLanguageSet.in(st.Lang))}, current(q, st, true)...), nil
	case CmdStatus:
		return st, []Prompt{status(q, st)}, nil
	case CmdHelp:
		return st, help(q, st), nil
	}

	switch st.Phase {
	case PhaseConsent:
		return consent(q, st, in)
	case PhaseAsking:
		return asking(q, st, in)
	case PhasePaused:
		if in.Command == CmdResume {
			st.Phase, st.Prev = st.Prev, ""
			return st, append([]Prompt{info(msgResumed.in(lang))}, current(q, st, false)...), nil
		}
		return st, []Prompt{info(msgStillPaused.in(lang))}, nil
	case PhaseConfirmRestart:
		return confirmRestart(q, st, in)
	case PhaseConfirmPrefill:
		return confirmPrefill(q, st, in)
	case PhaseDone:
		return st, []Prompt{info(msgAlreadyDone.in(lang)), summary(q, st)}, nil
	case PhaseDeclined:
		if in.Command == CmdRestart {
			st.Phase = PhaseConsent
			return st, []Prompt{consentPrompt(q, lang)}, nil
		}
		return st, []Prompt{info(msgDeclinedAgain.in(lang))}, nil
	}
	return st, nil, fmt.Errorf("unknown phase %q", st.Phase)
}

// parseCommandOrText recognises commands in typed text.
func parseCommandOrText(text string) (Command, string) {
	if c, arg := parseCommand(text); c != CmdNone {
		return c, arg
	}
	return CmdNone, text
}

func switchLang(cur Lang, want string) Lang {
	if l, err := ParseLang(want); err == nil {
		return l
	}
	if cur == German {
		return English
	}
	return German
}

func consent(q *Questionnaire, st State, in Input) (State, []Prompt, error) {
	lang := st.Lang
	code := in.Choice
	if code == "" && in.Command == CmdNone {
		code = yesNoOrNumber(in.Text)
	}
	switch {
	case code == CodeYes:
		st.Phase = PhaseAsking
		return advance(q, st, -1)
	case code == CodeNo:
		// Declining keeps nothing of the respondent's but the decline; what
		// the invitation fixed stays, for a change of mind.
		st.Phase = PhaseDeclined
		for id, a := range st.Answers {
			if !a.Fixed {
				delete(st.Answers, id)
			}
		}
		st.Draft = nil
		return st, []Prompt{{Kind: PromptGoodbye, Text: msgDeclined.in(lang)}}, nil
	case in.Command == CmdPause:
		st.Prev, st.Phase = st.Phase, PhasePaused
		return st, []Prompt{info(msgPaused.in(lang))}, nil
	}
	return st, []Prompt{errPrompt(msgConsentInvalid.in(lang)), consentPrompt(q, lang)}, nil
}

func confirmRestart(q *Questionnaire, st State, in Input) (State, []Prompt, error) {
	lang := st.Lang
	code := in.Choice
	if code == "" && in.Command == CmdNone {
		code = yesNoOrNumber(in.Text)
	}
	switch code {
	case CodeYes:
		for id, a := range st.Answers {
			if !a.Fixed {
				delete(st.Answers, id)
			}
		}
		st.Phase, st.Prev, st.Draft = PhaseAsking, "", nil
		st2, ps, err := advance(q, st, -1)
		return st2, append([]Prompt{info(msgRestarted.in(lang))}, ps...), err
	case CodeNo:
		st.Phase, st.Prev = st.Prev, ""
		return st, current(q, st, false), nil
	}
	return st, []Prompt{errPrompt(msgRestartInvalid.in(lang)), restartPrompt(lang)}, nil
}

func asking(q *Questionnaire, st State, in Input) (State, []Prompt, error) {
	lang := st.Lang
	it, _ := q.Item(st.Current)
	switch in.Command {
	case CmdBack:
		prev := previousItem(q, st, it.pos)
		if prev == nil {
			return st, append([]Prompt{info(msgFirstQuestion.in(lang))}, current(q, st, true)...), nil
		}
		st.Current = prev.ID
		st.Draft = draftFor(prev, st.Answers[prev.ID])
		return st, current(q, st, false), nil
	case CmdSkip:
		if !it.Optional {
			return st, append([]Prompt{errPrompt(msgNotSkippable.in(lang))}, current(q, st, true)...), nil
		}
		return accept(q, st, it, Answer{Skipped: true})
	case CmdPause:
		st.Prev, st.Phase = st.Phase, PhasePaused
		return st, []Prompt{info(msgPaused.in(lang))}, nil
	case CmdResume:
		return st, current(q, st, true), nil
	case CmdRestart:
		st.Prev, st.Phase = st.Phase, PhaseConfirmRestart
		return st, []Prompt{restartPrompt(lang)}, nil
	case CmdNA:
		return accept(q, st, it, Answer{NA: true})
	case CmdDone:
		if it.Type != Multi {
			return st, reject(q, st, it, in.Text), nil
		}
		if len(st.Draft) == 0 {
			return st, append([]Prompt{errPrompt(msgErrMultiEmpty.in(lang))}, current(q, st, true)...), nil
		}
		return accept(q, st, it, Answer{Value: strings.Join(st.Draft, ",")})
	}

	if in.Choice == CodeNA {
		return accept(q, st, it, Answer{NA: true})
	}
	if it.Type == Multi && in.Selection != nil {
		return selectAll(q, st, it, in.Selection)
	}
	if it.Type == Multi {
		return toggle(q, st, it, in)
	}
	value := in.Choice
	if value == "" {
		value = in.Text
	}
	var ans Answer
	var ok bool
	if in.Choice != "" {
		ans, ok = parseAnswer(it, in.Choice)
	} else {
		ans, ok = parseTyped(it, value)
	}
	if !ok {
		return st, reject(q, st, it, value), nil
	}
	if _, in := q.District(ans.Value); it.Type == Postcode && !in {
		return st, []Prompt{errPrompt(msgErrPostcodeArea.in(lang, ans.Value)), question(q, st, it, true)}, nil
	}
	return accept(q, st, it, ans)
}

// accept stores an answer, drops answers that left the path and moves on.
func accept(q *Questionnaire, st State, it *Item, ans Answer) (State, []Prompt, error) {
	st.Answers[it.ID] = ans
	st.Draft = nil
	prune(q, st.Answers)
	return advance(q, st, it.pos)
}

// prune drops answers to items that are no longer on the path. Conditions
// only look back, so one pass in order settles every item.
func prune(q *Questionnaire, answers map[string]Answer) {
	for _, it := range q.items {
		if _, ok := answers[it.ID]; ok && !visible(it, answers) {
			delete(answers, it.ID)
		}
	}
}

// advance moves to the first unanswered item on the path after position
// from, or completes the dialog. A prefilled answer on the way stops it at
// the question whether the prefilled answers hold, so the dialog never
// completes with a proposal unconfirmed.
func advance(q *Questionnaire, st State, from int) (State, []Prompt, error) {
	for _, it := range q.items[from+1:] {
		a, answered := st.Answers[it.ID]
		if !visible(it, st.Answers) || (answered && !a.Prefilled) {
			continue
		}
		st.Phase, st.Current, st.Draft = PhaseAsking, it.ID, nil
		if answered {
			st.Phase = PhaseConfirmPrefill
		}
		return st, current(q, st, false), nil
	}
	st.Phase, st.Current, st.Draft = PhaseDone, "", nil
	return st, []Prompt{summary(q, st)}, nil
}

func previousItem(q *Questionnaire, st State, pos int) *Item {
	for i := pos - 1; i >= 0; i-- {
		it := q.items[i]
		if a, ok := st.Answers[it.ID]; ok && a.Fixed {
			continue
		}
		if visible(it, st.Answers) {
			return it
		}
	}
	return nil
}

func draftFor(it *Item, a Answer) []string {
	if it.Type != Multi {
		return nil
	}
	return a.Codes()
}

// visible reports whether all the item's conditions hold.
func visible(it *Item, answers map[string]Answer) bool {
	for _, c := range it.conds {
		if !c.holds(answers[c.Item]) {
			return false
		}
	}
	return true
}

func (c Condition) holds(a Answer) bool {
	if len(c.In) > 0 {
		return anyCodeIn(a, c.In)
	}
	return !anyCodeIn(a, c.NotIn)
}

// anyCodeIn reports whether one of the answer's codes is in list, like
// ranging over a.Codes() but without allocating: conditions are checked for
// every item on every step.
func anyCodeIn(a Answer, list []string) bool {
	if !a.routes() || a.Value == "" {
		return false
	}
	for rest := a.Value; ; {
		code, more, found := strings.Cut(rest, ",")
		if slices.Contains(list, code) {
			return true
		}
		if !found {
			return false
		}
		rest = more
	}
}

// progress counts the respondent's path: their position and an estimate of
// its length. For what is not answered yet, the estimate follows the first
// route of each module condition (a business, for the organisation type)
// and counts follow-up questions as if they will be asked, so that the
// total rarely grows as the respondent goes on.
func progress(q *Questionnaire, st State) Progress {
	var p Progress
	// Only the items module conditions test are ever looked up in guess.
	var buf [8]string
	routing := buf[:0]
	for i := range q.Modules {
		for _, c := range q.Modules[i].When {
			routing = append(routing, c.Item)
		}
	}
	guess := make(map[string]Answer, len(routing))
	cur, _ := q.Item(st.Current)
	for _, it := range q.items {
		a, answered := st.Answers[it.ID]
		if !likelyVisible(it, st.Answers, guess) {
			continue
		}
		if slices.Contains(routing, it.ID) {
			if answered {
				guess[it.ID] = a
			} else if it.Type.choiceLike() {
				guess[it.ID] = Answer{Value: it.firstCode()}
			}
		}
		if a.Fixed {
			continue
		}
		p.Total++
		if cur != nil && it.pos <= cur.pos {
			p.Pos = p.Total
		}
	}
	return p
}

func likelyVisible(it *Item, answers, guess map[string]Answer) bool {
	for _, c := range it.module.When {
		if !c.holds(guess[c.Item]) {
			return false
		}
	}
	for _, c := range it.When {
		a, ok := answers[c.Item]
		if !ok {
			a, ok = guess[c.Item] // a routing item not answered yet: its first route
		}
		if ok && !c.holds(a) {
			return false
		}
	}
	return true
}
