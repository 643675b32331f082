package dialogs

import "strings"

// Prefill offers a firm's answers from its previous survey wave (or from
// its member record) as proposals, so that they are confirmed in one
// question instead of being asked again. prev maps item ids to the values
// given then, as Start's fixed answers do: option codes, several joined by
// commas, a number or a postcode.
//
// Only items of modules marked `prefill: true` take a value, and only
// while they have no answer: an answer the invitation fixed (the chamber)
// or one already given stays as it is. A value the item no longer accepts,
// such as an option code since removed or a postcode outside the survey's
// area, is dropped, as are "keine Angabe" (nothing to confirm) and values
// for items the other proposals keep off the path; those items are then
// asked as usual. Prefill is meant for the state Start returns; it never
// changes st and returns the new state.
func Prefill(q *Questionnaire, st State, prev map[string]string) State {
	st = st.clone()
	for _, it := range q.items {
		v, ok := prev[it.ID]
		if !ok || !it.module.Prefill {
			continue
		}
		if _, answered := st.Answers[it.ID]; answered {
			continue
		}
		a, ok := parseAnswer(it, v)
		if !ok || a.NA || a.Skipped {
			continue
		}
		if _, in := q.District(a.Value); it.Type == Postcode && !in {
			continue
		}
		a.Prefilled = true
		st.Answers[it.ID] = a
	}
	prune(q, st.Answers)
	return st
}

// prefillPrompt asks whether the prefilled answers on the path still
// hold, listing them in the respondent's language.
func prefillPrompt(q *Questionnaire, st State) Prompt {
	lang := st.Lang
	var parts []string
	for _, it := range q.items {
		a, ok := st.Answers[it.ID]
		if !ok || !a.Prefilled || !visible(it, st.Answers) {
			continue
		}
		d := Describe(it, a, lang)
		if it.Type == Postcode {
			d = msgPrefillPostcode.in(lang, d)
		}
		parts = append(parts, d)
	}
	return Prompt{
		Kind: PromptConfirm,
		Item: PrefillPrompt,
		Text: msgPrefillAsk.in(lang, strings.Join(parts, " · ")),
		Options: []Choice{
			{Code: CodeYes, Label: msgPrefillYes.in(lang)},
			{Code: CodeNo, Label: msgPrefillChange.in(lang)},
		},
	}
}

// confirmPrefill handles the answer to the prefill question. Yes makes
// every proposal an answer and goes on to the first question not
// answered; change drops the proposals and asks their items one by one.
func confirmPrefill(q *Questionnaire, st State, in Input) (State, []Prompt, error) {
	lang := st.Lang
	switch in.Command {
	case CmdBack:
		it, _ := q.Item(st.Current)
		prev := previousItem(q, st, it.pos)
		if prev == nil {
			return st, append([]Prompt{info(msgFirstQuestion.in(lang))}, current(q, st, true)...), nil
		}
		st.Phase, st.Current = PhaseAsking, prev.ID
		st.Draft = draftFor(prev, st.Answers[prev.ID])
		return st, current(q, st, false), nil
	case CmdPause:
		st.Prev, st.Phase = st.Phase, PhasePaused
		return st, []Prompt{info(msgPaused.in(lang))}, nil
	case CmdRestart:
		st.Prev, st.Phase = st.Phase, PhaseConfirmRestart
		return st, []Prompt{restartPrompt(lang)}, nil
	case CmdResume:
		return st, current(q, st, true), nil
	}
	code := in.Choice
	if code == "" && in.Command == CmdNone {
		code = prefillWord(in.Text)
	}
	switch code {
	case CodeYes, CodeNo:
		for id, a := range st.Answers {
			switch {
			case !a.Prefilled:
			case code == CodeYes:
				a.Prefilled = false
				st.Answers[id] = a
			default:
				delete(st.Answers, id)
			}
		}
		st.Phase = PhaseAsking
		prune(q, st.Answers)
		return advance(q, st, -1)
	}
	return st, []Prompt{errPrompt(msgPrefillInvalid.in(lang)), prefillPrompt(q, st)}, nil
}

// prefillWord reads a typed answer to the prefill question: yes, 1, or
// the words of its buttons confirm; no, 2 or "ändern" change.
func prefillWord(text string) string {
	switch normalise(text) {
	case "ja, stimmt", "stimmt", "passt", "yes, correct", "correct":
		return CodeYes
	case "ändern", "aendern", "andern", "korrigieren", "change", "edit":
		return CodeNo
	}
	return yesNoOrNumber(text)
}
