package slack

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/surveybot/surveybot/dialogs"
)

// An action_id is "<kind>|<prompt>|<value>", like Telegram's callback
// data: kind o (an option, or "na"; value the option code), c (a command
// button; value the command) or m (a group of checkboxes; value its
// number). Every press thus names the prompt it answers, and a press on a
// question no longer current changes nothing.
const (
	actOption  = "o"
	actCommand = "c"
	actDelete  = "d" // the erasure confirmation
	actMulti   = "m"
)

// Block Kit limits.
const (
	maxButtonText    = 75
	maxOptionText    = 75
	maxSectionText   = 3000
	maxActionButtons = 25 // elements of one actions block
	maxCheckboxes    = 10 // options of one checkboxes element
)

func actionID(kind, prompt, value string) string { return kind + "|" + prompt + "|" + value }

func parseAction(id string) (kind, prompt, value string, ok bool) {
	parts := strings.SplitN(id, "|", 3)
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// escape makes text safe for Slack's mrkdwn, which gives &, < and > a meaning.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// unescape undoes Slack's escaping of the text it delivers, which writes
// a typed &, < and > (and only those) as &amp;, &lt; and &gt;. In one pass,
// so a typed "&lt;" (sent as "&amp;lt;") comes back as typed.
func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// clip shortens s to n characters, ending in "…" if it had to.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// head is the part of a question message that stays once it is answered.
type head struct {
	Progress string `json:"progress,omitempty"` // plain text
	Text     string `json:"text"`               // mrkdwn
	Fallback string `json:"fallback"`           // plain text for notifications
}

// headOf renders the text of a question, consent or confirmation prompt:
// the progress, the question in bold, the answer given before and a word
// on how to answer where the buttons do not say it.
func headOf(lang dialogs.Lang, p dialogs.Prompt) head {
	if p.Kind != dialogs.PromptQuestion {
		return head{Text: clip(escape(p.Text), maxSectionText), Fallback: p.Text}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%s*", escape(p.Text))
	if p.Previous != "" {
		fmt.Fprintf(&b, "\n(%s)", escape(p.Previous))
	}
	switch p.Type {
	case dialogs.Single, dialogs.YesNo:
	case dialogs.Multi:
		fmt.Fprintf(&b, "\n\n%s", escape(dialogs.UISlackMultiHint.In(lang)))
	default: // scales and typed answers need a word on how
		fmt.Fprintf(&b, "\n\n%s", escape(p.Hint))
	}
	return head{Progress: p.Progress.Text(lang), Text: clip(b.String(), maxSectionText), Fallback: p.Text}
}

// blocks renders the head, then, if answer is not "", "✓ answer" in
// place of the buttons.
func (h head) blocks(answer string) []slack.Block {
	var bs []slack.Block
	if h.Progress != "" {
		bs = append(bs, slack.NewContextBlock("", slack.NewTextBlockObject(slack.PlainTextType, h.Progress, false, false)))
	}
	bs = append(bs, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, h.Text, false, false), nil, nil))
	if answer != "" {
		bs = append(bs, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, clip("✓ "+escape(answer), maxSectionText), false, false), nil, nil))
	}
	return bs
}

func button(label, id, value string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(id, value, slack.NewTextBlockObject(slack.PlainTextType, clip(label, maxButtonText), true, false))
}

// controls renders the inputs of a prompt: options as buttons (a scale or
// yes/no in one row; single choice in actions blocks of at most 25), or a
// multiple choice as checkboxes with a "fertig ✓" button; then "keine
// Angabe", back, skip and help.
func controls(lang dialogs.Lang, p dialogs.Prompt) []slack.Block {
	var (
		buttons []slack.BlockElement
		boxes   []*slack.OptionBlockObject
		ticked  []*slack.OptionBlockObject
		na      *slack.ButtonBlockElement
	)
	multi := p.Kind == dialogs.PromptQuestion && p.Type == dialogs.Multi
	for _, o := range p.Options {
		switch {
		case o.Code == dialogs.CodeNA:
			na = button(o.Label, actionID(actOption, p.Item, o.Code), o.Code)
		case multi:
			opt := slack.NewOptionBlockObject(o.Code, slack.NewTextBlockObject(slack.PlainTextType, clip(o.Label, maxOptionText), false, false), nil)
			boxes = append(boxes, opt)
			if o.Selected {
				ticked = append(ticked, opt)
			}
		default:
			buttons = append(buttons, button(o.Label, actionID(actOption, p.Item, o.Code), o.Code))
		}
	}
	var bs []slack.Block
	for i := 0; i < len(buttons); i += maxActionButtons {
		part := buttons[i:min(i+maxActionButtons, len(buttons))]
		bs = append(bs, slack.NewActionBlock(fmt.Sprintf("o|%s|%d", p.Item, i/maxActionButtons), part...))
	}
	for i := 0; i < len(boxes); i += maxCheckboxes {
		n := strconv.Itoa(i / maxCheckboxes)
		el := slack.NewCheckboxGroupsBlockElement(actionID(actMulti, p.Item, n), boxes[i:min(i+maxCheckboxes, len(boxes))]...)
		for _, t := range ticked {
			for _, o := range el.Options {
				if o == t {
					el.InitialOptions = append(el.InitialOptions, t)
				}
			}
		}
		bs = append(bs, slack.NewActionBlock(actionID(actMulti, p.Item, n), el))
	}
	if p.Kind != dialogs.PromptQuestion {
		return bs
	}
	command := func(c dialogs.Command) *slack.ButtonBlockElement {
		return button(dialogs.ButtonLabel(lang, c), actionID(actCommand, p.Item, string(c)), string(c))
	}
	if multi {
		bs = append(bs, slack.NewActionBlock("d|"+p.Item, command(dialogs.CmdDone).WithStyle(slack.StylePrimary)))
	}
	var nav []slack.BlockElement
	if na != nil {
		nav = append(nav, na)
	}
	if p.CanBack {
		nav = append(nav, command(dialogs.CmdBack))
	}
	if p.CanSkip {
		nav = append(nav, command(dialogs.CmdSkip))
	}
	nav = append(nav, command(dialogs.CmdHelp))
	return append(bs, slack.NewActionBlock("n|"+p.Item, nav...))
}

// selection reads the ticked boxes of a multiple choice from the state of
// the message the "fertig" button was pressed on.
func selection(state *slack.BlockActionStates, item string) []string {
	sel := []string{} // not nil: an empty selection is an answer, and an error
	if state == nil {
		return sel
	}
	prefix := actMulti + "|" + item + "|"
	for blockID, actions := range state.Values {
		if !strings.HasPrefix(blockID, prefix) {
			continue
		}
		for id, a := range actions {
			if !strings.HasPrefix(id, prefix) {
				continue
			}
			for _, o := range a.SelectedOptions {
				sel = append(sel, o.Value)
			}
		}
	}
	return sel
}

// commandInput maps a command button to engine input.
func commandInput(item, cmd string) (dialogs.Input, bool) {
	switch c := dialogs.Command(cmd); c {
	case dialogs.CmdBack, dialogs.CmdSkip, dialogs.CmdHelp, dialogs.CmdDone:
		return dialogs.Input{Command: c, Item: item}, true
	}
	return dialogs.Input{}, false
}

// helpText is the answer to /umfrage help, for the response body.
func helpText(lang dialogs.Lang) string { return escape(dialogs.UISlackCommandHelp.In(lang)) }

// moment is the answer to a /umfrage command whose work goes on in the DM.
func moment(lang dialogs.Lang) string { return dialogs.UISlackMoment.In(lang) }
