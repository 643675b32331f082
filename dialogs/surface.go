package dialogs

import "strings"

// Surface is the kind of channel a prompt is shown on. Hints, the errors
// about an answer and the privacy notice's way to erase one's data name
// what the respondent there sees and presses: typed numbers and words in
// the terminal, buttons in Telegram and Slack, a form on the web. Its
// values are the channels' names (survey.Channel).
type Surface string

// The surfaces.
const (
	Terminal Surface = "console"
	Telegram Surface = "telegram"
	Slack    Surface = "slack"
	Web      Surface = "web"
)

// wording is what a prompt's texts are made of, so that On can word them
// again for a surface.
type wording struct {
	lang   Lang
	item   *Item  // question or rejected answer: the item
	typed  string // rejected answer: what was sent
	reject bool   // an error about an answer to item

	consent *Questionnaire // privacy notice: the questionnaire
}

// On returns the prompt worded for surface s. Prompts come worded for the
// terminal; a surface that is none of the known ones keeps that wording.
func (p Prompt) On(s Surface) Prompt {
	w := p.words
	if w == nil {
		return p
	}
	switch {
	case w.consent != nil:
		p.Text = consentText(w.consent, w.lang, s)
	case w.reject:
		p.Text = rejectText(w.item, w.lang, w.typed, s)
	case w.item != nil:
		p.Hint = hintOn(w.item, w.lang, s)
	}
	return p
}

// On words every prompt for surface s (Prompt.On).
func On(ps []Prompt, s Surface) []Prompt {
	for i := range ps {
		ps[i] = ps[i].On(s)
	}
	return ps
}

// buttons reports whether s answers choices with buttons under a message.
func (s Surface) buttons() bool { return s == Telegram || s == Slack }

// consentText is the privacy notice with the way to erase one's data that
// s offers, and the question whether to take part.
func consentText(q *Questionnaire, lang Lang, s Surface) string {
	erase := msgEraseTerminal
	switch s {
	case Telegram:
		erase = msgEraseTelegram
	case Slack:
		erase = msgEraseSlack
	case Web:
		erase = msgEraseWeb
	}
	return q.Title.In(lang) + "\n\n" + q.Privacy.In(lang) + "\n\n" + erase.in(lang) + "\n\n" + msgConsentAsk.in(lang)
}

// IsErase reports whether typed text asks to erase one's data ("löschen",
// "delete"), for channels that take it as typed text.
func IsErase(text string) bool {
	switch strings.TrimPrefix(normalise(text), "/") {
	case "löschen", "loeschen", "delete", "daten löschen", "meine daten löschen", "delete my data":
		return true
	}
	return false
}

// IsYes reports whether typed text answers a yes/no question with yes
// ("ja", "yes" or 1, the first of the two options).
func IsYes(text string) bool { return yesNoOrNumber(text) == CodeYes }

// hintOn says how to answer an item on s.
func hintOn(it *Item, lang Lang, s Surface) string {
	var h string
	switch it.Type {
	case Single:
		h = msgHintSingle.in(lang)
		if s.buttons() {
			h = msgHintSingleButtons.in(lang)
		}
	case Multi:
		h = msgHintMulti.in(lang)
		if s.buttons() {
			h = msgHintMultiButtons.in(lang, msgButtonDone.in(lang))
		}
	case Scale:
		h = msgHintScale.in(lang, it.Low.In(lang), it.Points, it.High.In(lang))
		if s.buttons() {
			h = msgHintScaleButtons.in(lang, it.Low.In(lang), it.Points, it.High.In(lang))
		}
	case YesNo:
		h = msgHintYesNo.in(lang)
		if s.buttons() {
			h = msgHintYesNoButtons.in(lang, msgYes.in(lang), msgNo.in(lang))
		}
	case Integer:
		switch {
		case it.Min != nil && it.Max != nil:
			h = msgHintInteger.in(lang, *it.Min, *it.Max)
		case it.Min != nil:
			h = msgHintIntegerMin.in(lang, *it.Min)
		case it.Max != nil:
			h = msgHintIntegerMax.in(lang, *it.Max)
		default:
			h = msgHintIntegerAny.in(lang)
		}
	case FreeText:
		h = msgHintText.in(lang, it.MaxLen)
	case Postcode:
		h = msgHintPostcode.in(lang)
	}
	switch {
	case s == Web && it.Type == Multi:
		// The form shows the options as checkboxes and its own buttons.
		return msgHintMultiForm.in(lang, UIWebNext.In(lang))
	case s == Web && it.Type.choiceLike():
		return "" // radio buttons need no word on how
	case s == Web:
		return h + " " + msgHintNAButton.in(lang, UIWebNA.In(lang))
	case s.buttons():
		return h + " " + msgHintNAButton.in(lang, msgButtonNA.in(lang))
	}
	return h + " " + msgHintNA.in(lang)
}

// rejectText says what an item accepts, after an answer it did not.
func rejectText(it *Item, lang Lang, typed string, s Surface) string {
	na, done := msgButtonNA.in(lang), msgButtonDone.in(lang)
	if s == Web {
		na, done = UIWebNA.In(lang), UIWebNext.In(lang)
	}
	switch {
	case s == Web && it.Type == Multi, s.buttons() && it.Type == Multi:
		return msgErrMultiButtons.in(lang, done, na)
	case s == Web && it.Type.choiceLike(), s.buttons() && it.Type.choiceLike():
		return msgErrChoiceButtons.in(lang, na)
	case it.Type == Integer:
		return msgErrInteger.in(lang) + hintOn(it, lang, s)
	}
	return rejectTyped(it, lang, typed)
}
