package dialogs

import (
	"math"
	"slices"
	"strings"
)

func info(text string) Prompt      { return Prompt{Kind: PromptInfo, Text: text} }
func errPrompt(text string) Prompt { return Prompt{Kind: PromptError, Text: text} }

func consentPrompt(q *Questionnaire, lang Lang) Prompt {
	return Prompt{
		Kind:  PromptConsent,
		Item:  ConsentPrompt,
		Text:  consentText(q, lang, Terminal),
		words: &wording{lang: lang, consent: q},
		Options: []Choice{
			{Code: CodeYes, Label: msgConsentYes.in(lang)},
			{Code: CodeNo, Label: msgConsentNo.in(lang)},
		},
	}
}

func restartPrompt(lang Lang) Prompt {
	return Prompt{
		Kind: PromptConfirm,
		Item: RestartPrompt,
		Text: msgRestartAsk.in(lang),
		Options: []Choice{
			{Code: CodeYes, Label: msgRestartYes.in(lang)},
			{Code: CodeNo, Label: msgRestartNo.in(lang)},
		},
	}
}

// current returns the prompt for where the dialog stands.
func current(q *Questionnaire, st State, repeat bool) []Prompt {
	lang := st.Lang
	switch st.Phase {
	case PhaseConsent:
		return []Prompt{consentPrompt(q, lang)}
	case PhaseAsking:
		it, ok := q.Item(st.Current)
		if !ok {
			return nil
		}
		return []Prompt{question(q, st, it, repeat)}
	case PhasePaused:
		return []Prompt{info(msgStillPaused.in(lang))}
	case PhaseConfirmRestart:
		return []Prompt{restartPrompt(lang)}
	case PhaseConfirmPrefill:
		return []Prompt{prefillPrompt(q, st)}
	case PhaseDone:
		return []Prompt{summary(q, st)}
	case PhaseDeclined:
		return []Prompt{info(msgDeclinedAgain.in(lang))}
	}
	return nil
}

func question(q *Questionnaire, st State, it *Item, repeat bool) Prompt {
	lang := st.Lang
	p := Prompt{
		Kind:     PromptQuestion,
		Item:     it.ID,
		Type:     it.Type,
		Text:     it.Text.In(lang),
		Help:     it.Help.In(lang),
		Hint:     hintOn(it, lang, Terminal),
		words:    &wording{lang: lang, item: it},
		Progress: progress(q, st),
		CanBack:  previousItem(q, st, it.pos) != nil,
		CanSkip:  it.Optional,
		Repeat:   repeat,
	}
	p.Options = make([]Choice, 0, max(len(it.Options), it.Points, 2)+1)
	if it.Type == Scale {
		p.Low, p.High = it.Low.In(lang), it.High.In(lang)
	}
	if it.Type == FreeText {
		p.MaxLen = it.MaxLen
	}
	switch it.Type {
	case Single, Multi:
		for _, o := range it.Options {
			p.Options = append(p.Options, Choice{Code: o.Code, Label: o.Label.In(lang), Selected: it.Type == Multi && slices.Contains(st.Draft, o.Code)})
		}
	case YesNo:
		p.Options = []Choice{{Code: CodeYes, Label: msgYes.in(lang)}, {Code: CodeNo, Label: msgNo.in(lang)}}
	case Scale:
		for _, c := range it.codes() {
			p.Options = append(p.Options, Choice{Code: c, Label: c})
		}
	}
	p.Options = append(p.Options, Choice{Code: CodeNA, Label: msgButtonNA.in(lang)})
	if a, ok := st.Answers[it.ID]; ok {
		p.Previous = msgPrevious.in(lang, Describe(it, a, lang))
	}
	return p
}

// Describe puts an answer into words, for showing it back to the respondent.
func Describe(it *Item, a Answer, lang Lang) string {
	switch {
	case a.NA:
		return msgButtonNA.in(lang)
	case a.Skipped:
		return msgButtonSkip.in(lang)
	}
	switch it.Type {
	case Single, Multi:
		var labels []string
		// Split here, not a.Codes(): a proposal (Prefilled) is shown too.
		for _, c := range strings.Split(a.Value, ",") {
			if o, ok := it.option(c); ok {
				labels = append(labels, o.Label.In(lang))
			}
		}
		return strings.Join(labels, ", ")
	case YesNo:
		if a.Value == CodeYes {
			return msgYes.in(lang)
		}
		return msgNo.in(lang)
	}
	return a.Value
}

// reject answers invalid input with what is accepted, and the question again.
func reject(q *Questionnaire, st State, it *Item, typed string) []Prompt {
	lang := st.Lang
	e := errPrompt(rejectText(it, lang, typed, Terminal))
	e.words = &wording{lang: lang, item: it, typed: typed, reject: true}
	return []Prompt{e, question(q, st, it, true)}
}

// rejectTyped says what an item accepts when it is answered by typing.
func rejectTyped(it *Item, lang Lang, typed string) string {
	var msg string
	switch it.Type {
	case Single:
		msg = msgErrSingle.in(lang, len(it.Options))
	case Multi:
		msg = msgErrMulti.in(lang, len(it.Options))
	case Scale:
		msg = msgErrScale.in(lang, it.Points)
	case YesNo:
		msg = msgErrYesNo.in(lang)
	case FreeText:
		msg = msgErrTextEmpty.in(lang)
		if n := len([]rune(strings.TrimSpace(typed))); n > it.MaxLen {
			msg = msgErrTextLong.in(lang, n, it.MaxLen)
		}
	case Postcode:
		msg = msgErrPostcode.in(lang)
	}
	return msg
}

func help(q *Questionnaire, st State) []Prompt {
	lang := st.Lang
	out := []Prompt{}
	if st.Phase == PhaseAsking {
		it, _ := q.Item(st.Current)
		h := it.Help.In(lang)
		if h == "" {
			h = msgHelpNoItemHelp.in(lang)
		}
		out = append(out, info(h+"\n\n"+msgHelpCommands.in(lang)))
		return append(out, question(q, st, it, true))
	}
	out = append(out, info(msgHelpCommands.in(lang)))
	return append(out, current(q, st, true)...)
}

func status(q *Questionnaire, st State) Prompt {
	lang := st.Lang
	switch st.Phase {
	case PhaseConsent:
		return info(msgStatusConsent.in(lang))
	case PhaseDone:
		return info(msgStatusDone.in(lang))
	case PhaseDeclined:
		return info(msgStatusDeclined.in(lang))
	}
	p := progress(q, st)
	answered := 0
	for _, a := range st.Answers {
		if !a.Fixed && !a.Prefilled { // a proposal is not saved as an answer until confirmed
			answered++
		}
	}
	text := msgStatusAsking.in(lang, p.Pos, p.Total, answered)
	if st.Phase == PhasePaused {
		text += "\n" + msgStillPaused.in(lang)
	}
	return info(text)
}

func summary(q *Questionnaire, st State) Prompt {
	lang := st.Lang
	sc := Score(q, st.Answers)
	lines := []string{msgSummaryHead.in(lang)}
	var results []ScoreLine
	for _, f := range q.Fields {
		if v, ok := sc.Fields[f.ID]; ok {
			lines = append(lines, msgSummaryField.in(lang, f.Title.In(lang), round(v)))
			results = append(results, ScoreLine{Label: f.Title.In(lang), Value: round(v), Of: 100})
		}
	}
	if sc.Composite == nil {
		lines = append(lines, msgSummaryNone.in(lang))
	} else {
		lines = append(lines, msgSummaryComposite.in(lang, round(*sc.Composite)))
		results = append(results, ScoreLine{Label: msgSummaryCompositeLabel.in(lang), Value: round(*sc.Composite), Of: 100})
	}
	if sc.TechCount != nil {
		lines = append(lines, msgSummaryTech.in(lang, *sc.TechCount))
		results = append(results, ScoreLine{Label: msgSummaryTechLabel.in(lang), Value: *sc.TechCount, Of: 12})
	}
	return Prompt{Kind: PromptSummary, Text: strings.Join(lines, "\n"), Scores: &sc, ScoreLines: results}
}

func round(v float64) int { return int(math.Round(v)) }
