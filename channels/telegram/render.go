package telegram

import (
	"fmt"
	"html"
	"strings"

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/dialogs"
)

// Callback data is "<kind>|<prompt>|<value>": kind o (an option, or "na"),
// c (a command button) or d (the erasure confirmation). Item ids are at most
// 40 bytes and option codes 20, so it stays within Telegram's 64 bytes.
const (
	cbOption  = "o"
	cbCommand = "c"
	cbDelete  = "d"
	maxCBData = 64
)

func callbackData(kind, prompt, value string) string {
	return kind + "|" + prompt + "|" + value
}

func parseCallback(data string) (kind, prompt, value string, ok bool) {
	parts := strings.SplitN(data, "|", 3)
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// questionText renders a question, consent or confirmation prompt as HTML.
func questionText(lang dialogs.Lang, p dialogs.Prompt) string {
	var b strings.Builder
	if p.Kind == dialogs.PromptQuestion {
		fmt.Fprintf(&b, "<i>%s</i>\n", html.EscapeString(p.Progress.Text(lang)))
		fmt.Fprintf(&b, "<b>%s</b>", html.EscapeString(p.Text))
		if p.Previous != "" {
			fmt.Fprintf(&b, "\n(%s)", html.EscapeString(p.Previous))
		}
		switch p.Type {
		case dialogs.Single, dialogs.YesNo:
		default: // scales, multiple choice and typed answers need a word on how
			fmt.Fprintf(&b, "\n\n%s", html.EscapeString(p.Hint))
		}
		return b.String()
	}
	return html.EscapeString(p.Text)
}

// keyboard renders the buttons of a prompt: options (a scale in one row,
// yes/no in one row, multiple choice with ✓ and a "fertig" button), then
// "keine Angabe", then back, skip and help.
func keyboard(lang dialogs.Lang, p dialogs.Prompt) *models.InlineKeyboardMarkup {
	var rows [][]models.InlineKeyboardButton
	button := func(label, data string) models.InlineKeyboardButton {
		return models.InlineKeyboardButton{Text: label, CallbackData: data}
	}
	var na *models.InlineKeyboardButton
	var row []models.InlineKeyboardButton
	for _, o := range p.Options {
		b := button(o.Label, callbackData(cbOption, p.Item, o.Code))
		switch {
		case o.Code == dialogs.CodeNA:
			na = &b
		case p.Type == dialogs.Scale || p.Type == dialogs.YesNo:
			row = append(row, b)
		default:
			if o.Selected {
				b.Text = "✓ " + b.Text
			}
			rows = append(rows, []models.InlineKeyboardButton{b})
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if p.Kind != dialogs.PromptQuestion {
		return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
	}
	if p.Type == dialogs.Multi {
		rows = append(rows, []models.InlineKeyboardButton{button(dialogs.ButtonLabel(lang, dialogs.CmdDone), callbackData(cbCommand, p.Item, string(dialogs.CmdDone)))})
	}
	if na != nil {
		rows = append(rows, []models.InlineKeyboardButton{*na})
	}
	var nav []models.InlineKeyboardButton
	if p.CanBack {
		nav = append(nav, button(dialogs.ButtonLabel(lang, dialogs.CmdBack), callbackData(cbCommand, p.Item, string(dialogs.CmdBack))))
	}
	if p.CanSkip {
		nav = append(nav, button(dialogs.ButtonLabel(lang, dialogs.CmdSkip), callbackData(cbCommand, p.Item, string(dialogs.CmdSkip))))
	}
	nav = append(nav, button(dialogs.ButtonLabel(lang, dialogs.CmdHelp), callbackData(cbCommand, p.Item, string(dialogs.CmdHelp))))
	return &models.InlineKeyboardMarkup{InlineKeyboard: append(rows, nav)}
}

// answeredText is a question message once answered: the question, then
// the answer in place of the buttons.
func answeredText(questionHTML, answer string) string {
	if answer == "" {
		return questionHTML
	}
	return questionHTML + "\n\n✓ " + html.EscapeString(answer)
}

// commandInput maps a command button to engine input.
func commandInput(item, cmd string) (dialogs.Input, bool) {
	switch c := dialogs.Command(cmd); c {
	case dialogs.CmdBack, dialogs.CmdSkip, dialogs.CmdHelp, dialogs.CmdDone:
		return dialogs.Input{Command: c, Item: item}, true
	}
	return dialogs.Input{}, false
}
