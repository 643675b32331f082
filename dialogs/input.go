package dialogs

import (
	"strings"
	"unicode"
)

// Command is something the respondent asks of the dialog rather than an answer.
type Command string

// The commands. Each can be typed in German or English, with or without a
// leading slash; channels with buttons send them directly.
const (
	CmdNone     Command = ""
	CmdBack     Command = "back"     // zurück
	CmdSkip     Command = "skip"     // überspringen (optional items only)
	CmdHelp     Command = "help"     // hilfe
	CmdPause    Command = "pause"    // pause
	CmdResume   Command = "resume"   // weiter
	CmdRestart  Command = "restart"  // neustart (asks for confirmation)
	CmdLanguage Command = "language" // sprache [de|en]
	CmdStatus   Command = "status"   // status
	CmdDone     Command = "done"     // fertig (ends a multiple choice)
	CmdNA       Command = "na"       // keine Angabe
)

// Input is one thing a respondent sent: a command, a pressed option button or
// typed text. Channels fill in whichever they have; the engine parses text.
type Input struct {
	Command Command
	Choice  string // code of a pressed option button (or "yes"/"no" at consent and confirmation)
	Text    string // typed text; for CmdLanguage, the wanted language, if any

	// Selection is the whole answer to a multiple choice item at once, as a
	// web form's checkboxes send it; it ends the item like "fertig".
	Selection []string

	// Item is the prompt the input answers (Prompt.Item), as buttons carry
	// it. Input for a prompt that is no longer current, such as a second
	// tap on an answered question, changes nothing.
	Item string
}

// Text returns an Input for typed text.
func TextInput(s string) Input { return Input{Text: s} }

// commandWords maps typed words to commands.
func commandWord(w string) Command {
	switch w {
	case "zurück", "zurueck", "zuruck", "back", "previous":
		return CmdBack
	case "überspringen", "ueberspringen", "skip":
		return CmdSkip
	case "hilfe", "help", "?":
		return CmdHelp
	case "pause", "pausieren", "später", "spaeter", "later":
		return CmdPause
	case "weiter", "fortsetzen", "resume", "continue":
		return CmdResume
	case "neustart", "neu starten", "von vorn", "restart", "start over":
		return CmdRestart
	case "sprache", "language", "lang":
		return CmdLanguage
	case "status", "fortschritt", "progress":
		return CmdStatus
	case "fertig", "done", "finished", "ok fertig":
		return CmdDone
	case "-", "keine angabe", "k.a.", "k. a.", "ka", "n/a", "prefer not to say", "no answer", "weiß nicht sagen":
		return CmdNA
	}
	return CmdNone
}

// parseCommand recognises a typed command, such as "/zurück", "Sprache en"
// or "english". It returns the command and its argument.
func parseCommand(text string) (Command, string) {
	s := normalise(text)
	s = strings.TrimPrefix(s, "/")
	if c := commandWord(s); c != CmdNone {
		return c, ""
	}
	if head, arg, ok := strings.Cut(s, " "); ok && commandWord(head) == CmdLanguage {
		return CmdLanguage, strings.TrimSpace(arg)
	}
	switch s {
	case "english", "englisch", "deutsch", "german":
		return CmdLanguage, s
	}
	return CmdNone, ""
}

// normalise lower-cases, trims and collapses the spaces of typed text.
func normalise(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), unicode.IsSpace), " ")
}

// yesNoWord recognises a typed yes or no.
func yesNoWord(s string) (string, bool) {
	switch normalise(s) {
	case "ja", "j", "yes", "y", "jo", "klar", "einverstanden", "ja, ich bin einverstanden", "yes, i agree", "ok", "okay":
		return CodeYes, true
	case "nein", "n", "no", "nope", "nein, danke", "no, thank you":
		return CodeNo, true
	}
	return "", false
}

// yesNoOrNumber reads a typed answer to a yes/no prompt whose options are
// numbered 1 (yes) and 2 (no).
func yesNoOrNumber(text string) string {
	switch strings.TrimSpace(text) {
	case "1":
		return CodeYes
	case "2":
		return CodeNo
	}
	code, _ := yesNoWord(text)
	return code
}
