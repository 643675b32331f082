package loadtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/survey"
)

// Screen is what a respondent expects to see after an input: the prompt
// the dialog waits on (dialogs.ConsentPrompt, an item id, or "" once the
// dialog is over), with the options ticked so far on a multiple choice.
type Screen struct {
	Phase dialogs.Phase
	Item  string
	Draft []string
}

// Action is one thing a respondent does: press a button or type a text on
// Telegram, or send one form on the web.
type Action struct {
	// Input is what the engine gets from it, for the harness's own replay.
	Input dialogs.Input
	// Telegram: the callback data of the button to press, or Text to type.
	Callback string
	// Web: the form fields besides csrf and item.
	Form map[string][]string
	// Text is typed text (Telegram) or the input the action stands for.
	Text string
	// Answers tells whether the action ends an item (counts as an answer).
	Answers bool
	// Before is the screen the action is done on; After what it leads to.
	Before, After Screen
}

// Script is a respondent's whole dialog on one channel, worked out in
// advance with the engine, and the answers it must leave in SQL.
type Script struct {
	Inputs  []string
	Actions []Action
	Answers map[string]dialogs.Answer
}

// channel kinds a script is compiled for.
const (
	kindTelegram = string(survey.Telegram)
	kindWeb      = string(survey.Web)
)

// Compile turns console-style inputs (as dialogstest.Persona has them) into
// the actions of the channel kind ("telegram" or "web"), replaying them on
// the engine to know every screen and the answers the dialog must store.
// It fails if the engine rejects an input or the dialog does not end with
// the last one.
func Compile(q *dialogs.Questionnaire, kind string, inputs []string) (Script, error) {
	st, _, err := dialogs.Start(q, dialogs.German, nil)
	if err != nil {
		return Script{}, err
	}
	sc := Script{Inputs: inputs}
	apply := func(a Action) error {
		a.Before = screenOf(st)
		next, prompts, err := dialogs.Step(q, st, a.Input)
		if err != nil {
			return err
		}
		for _, p := range prompts {
			if p.Kind == dialogs.PromptError || p.Kind == dialogs.PromptStale {
				return fmt.Errorf("input %q rejected on %s: %s", a.Text, a.Before.Item, p.Text)
			}
		}
		a.Answers = next.Phase != st.Phase || next.Current != st.Current
		st = next
		a.After = screenOf(st)
		sc.Actions = append(sc.Actions, a)
		return nil
	}
	for i, in := range inputs {
		if st.Phase == dialogs.PhaseDone {
			return Script{}, fmt.Errorf("the dialog ended before input %d (%q)", i, in)
		}
		prompts, err := dialogs.Resume(q, st)
		if err != nil {
			return Script{}, err
		}
		p, ok := mainPrompt(prompts)
		if !ok {
			return Script{}, fmt.Errorf("no question before input %d (%q)", i, in)
		}
		var acts []Action
		if kind == kindWeb {
			acts, err = webActions(p, in)
		} else {
			acts, err = telegramActions(p, in)
		}
		if err != nil {
			return Script{}, fmt.Errorf("input %d (%q): %w", i, in, err)
		}
		for _, a := range acts {
			if err := apply(a); err != nil {
				return Script{}, fmt.Errorf("input %d: %w", i, err)
			}
		}
	}
	if st.Phase != dialogs.PhaseDone {
		return Script{}, fmt.Errorf("the dialog is not over after %d inputs (waits on %s)", len(inputs), st.Current)
	}
	sc.Answers = st.Answers
	return sc, nil
}

func screenOf(st dialogs.State) Screen {
	s := Screen{Phase: st.Phase}
	switch st.Phase {
	case dialogs.PhaseConsent:
		s.Item = dialogs.ConsentPrompt
	case dialogs.PhaseAsking:
		s.Item = st.Current
		s.Draft = slices.Clone(st.Draft)
		slices.Sort(s.Draft)
	}
	return s
}

func mainPrompt(ps []dialogs.Prompt) (dialogs.Prompt, bool) {
	for _, p := range ps {
		switch p.Kind {
		case dialogs.PromptConsent, dialogs.PromptQuestion, dialogs.PromptConfirm:
			return p, true
		}
	}
	return dialogs.Prompt{}, false
}

// options are the prompt's answer options without "keine Angabe".
func options(p dialogs.Prompt) []dialogs.Choice {
	var out []dialogs.Choice
	for _, o := range p.Options {
		if o.Code != dialogs.CodeNA {
			out = append(out, o)
		}
	}
	return out
}

func hasOption(p dialogs.Prompt, code string) bool {
	return slices.ContainsFunc(p.Options, func(o dialogs.Choice) bool { return o.Code == code })
}

func pick(p dialogs.Prompt, w string) (string, error) {
	n, err := strconv.Atoi(w)
	opts := options(p)
	if err != nil || n < 1 || n > len(opts) {
		return "", fmt.Errorf("no option %q on %s", w, p.Item)
	}
	return opts[n-1].Code, nil
}

var yesNo = map[string]string{"ja": dialogs.CodeYes, "nein": dialogs.CodeNo}

// telegramActions are the button presses and texts of one input, as the
// channel's tests press them (channels/telegram).
func telegramActions(p dialogs.Prompt, in string) ([]Action, error) {
	option := func(code string) Action {
		return Action{Input: dialogs.Input{Choice: code, Item: p.Item}, Callback: "o|" + p.Item + "|" + code, Text: in}
	}
	command := func(c dialogs.Command) Action {
		return Action{Input: dialogs.Input{Command: c, Item: p.Item}, Callback: "c|" + p.Item + "|" + string(c), Text: in}
	}
	words := strings.Fields(in)
	switch {
	case in == "-" && hasOption(p, dialogs.CodeNA):
		return []Action{option(dialogs.CodeNA)}, nil
	case in == "fertig" && p.Type == dialogs.Multi:
		return []Action{command(dialogs.CmdDone)}, nil
	case in == "überspringen" && p.CanSkip:
		return []Action{command(dialogs.CmdSkip)}, nil
	case yesNo[in] != "" && hasOption(p, yesNo[in]):
		return []Action{option(yesNo[in])}, nil
	case len(options(p)) > 0 && dialogstest.Numbers(words):
		var acts []Action
		for _, w := range words {
			if w == "fertig" {
				acts = append(acts, command(dialogs.CmdDone))
				continue
			}
			code, err := pick(p, w)
			if err != nil {
				return nil, err
			}
			acts = append(acts, option(code))
		}
		return acts, nil
	}
	return []Action{{Input: dialogs.TextInput(in), Text: in}}, nil
}

// webActions is the one form a respondent sends for an input, filled in as
// the web channel's tests fill it (channels/web).
func webActions(p dialogs.Prompt, in string) ([]Action, error) {
	words := strings.Fields(strings.TrimSuffix(in, " fertig"))
	a := Action{Text: in, Input: dialogs.Input{Item: p.Item}, Form: map[string][]string{}}
	set := func(k string, v ...string) { a.Form[k] = v }
	switch {
	case in == "-":
		set("cmd", string(dialogs.CmdNA))
		a.Input.Command = dialogs.CmdNA
	case in == "überspringen":
		set("cmd", string(dialogs.CmdSkip))
		a.Input.Command = dialogs.CmdSkip
	case yesNo[in] != "" && hasOption(p, yesNo[in]):
		set("choice", yesNo[in])
		a.Input.Choice = yesNo[in]
	case p.Type == dialogs.Multi && dialogstest.Numbers(words):
		codes := []string{}
		for _, w := range words {
			code, err := pick(p, w)
			if err != nil {
				return nil, err
			}
			codes = append(codes, code)
		}
		set("choices", codes...)
		a.Input.Selection = codes
	case len(options(p)) > 0 && len(words) == 1 && dialogstest.Numbers(words):
		code, err := pick(p, words[0])
		if err != nil {
			return nil, err
		}
		set("choice", code)
		a.Input.Choice = code
	default:
		set("text", in)
		a.Input.Text = in
	}
	return []Action{a}, nil
}

// Variant returns the persona's inputs with some single-choice and scale
// answers changed at random, such that the engine still takes every input
// and the dialog ends with the last one, so that respondents differ.
func Variant(q *dialogs.Questionnaire, base []string, rng *rand.Rand) []string {
	for range 20 {
		in := slices.Clone(base)
		st, _, err := dialogs.Start(q, dialogs.German, nil)
		if err != nil {
			return base
		}
		ok := true
		for i := range in {
			prompts, err := dialogs.Resume(q, st)
			p, found := mainPrompt(prompts)
			if err != nil || !found {
				ok = false
				break
			}
			opts := options(p)
			words := strings.Fields(in[i])
			// The screening block (first items) decides the path: keep it.
			if i > 6 && (p.Type == dialogs.Single || p.Type == dialogs.Scale) && len(words) == 1 && dialogstest.Numbers(words) && rng.IntN(3) == 0 {
				in[i] = strconv.Itoa(1 + rng.IntN(len(opts)))
			}
			next, ps, err := dialogs.Step(q, st, dialogs.TextInput(in[i]))
			if err != nil || slices.ContainsFunc(ps, func(p dialogs.Prompt) bool { return p.Kind == dialogs.PromptError }) {
				ok = false
				break
			}
			st = next
			if st.Phase == dialogs.PhaseDone && i != len(in)-1 {
				ok = false
				break
			}
		}
		if ok && st.Phase == dialogs.PhaseDone {
			return in
		}
	}
	return base
}
