package dialogstest

import (
	"strconv"

	"github.com/surveybot/surveybot/dialogs"
)

// Question returns the question, the consent or the confirmation of last
// wave's screening among prompts, if any.
func Question(prompts []dialogs.Prompt) (dialogs.Prompt, bool) {
	for _, p := range prompts {
		if p.Kind == dialogs.PromptQuestion || p.Kind == dialogs.PromptConsent || p.Item == dialogs.PrefillPrompt {
			return p, true
		}
	}
	return dialogs.Prompt{}, false
}

// AnswerFor picks a valid answer to a prompt, as a button press that names
// the prompt it belongs to; consent is given. choice picks which option
// (wrapping around).
func AnswerFor(p dialogs.Prompt, choice int) dialogs.Input {
	switch p.Type {
	case dialogs.Postcode:
		return dialogs.Input{Text: "30159", Item: p.Item}
	case dialogs.Integer:
		return dialogs.Input{Text: "12", Item: p.Item}
	case dialogs.FreeText:
		return dialogs.Input{Text: "Testantwort", Item: p.Item}
	case dialogs.Multi:
		// One option toggled and done in one typed line.
		n := choice%(len(p.Options)-1) + 1
		return dialogs.Input{Text: strconv.Itoa(n) + " fertig", Item: p.Item}
	}
	if p.Kind == dialogs.PromptConsent || p.Item == dialogs.PrefillPrompt {
		return dialogs.Input{Choice: dialogs.CodeYes, Item: p.Item} // consent given, last wave's screening confirmed
	}
	opts := p.Options[:len(p.Options)-1] // without "keine Angabe"
	return dialogs.Input{Choice: opts[choice%len(opts)].Code, Item: p.Item}
}
