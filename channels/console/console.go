// Package console runs a dialog in a terminal: numbered options, typed
// commands, the same engine as every other channel. `surveybot chat` uses
// it, and tests drive whole dialogs through it with scripted input.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// Dialog is the conversation the console talks to.
type Dialog interface {
	Start(ctx context.Context) (bot.Reply, error)
	Send(ctx context.Context, in dialogs.Input) (bot.Reply, error)
	// Erase erases the respondent's data on every channel; survey.ErrNotFound
	// wrapped if nothing is kept of them.
	Erase(ctx context.Context) error
}

// Option sets up a part of Run that has a default.
type Option func(*settings)

type settings struct {
	resume func(dialogs.Lang) string
}

// WithResume has Run say, when input ends mid-dialog, how to carry on:
// resume returns that in the respondent's language.
func WithResume(resume func(dialogs.Lang) string) Option {
	return func(s *settings) { s.resume = resume }
}

// maxLine bounds one typed line.
const maxLine = 64 * 1024

// Run starts the dialog and feeds it one line of in at a time until the
// dialog is completed, in is exhausted or ctx is done. It returns the last
// reply. A declined dialog keeps reading: its goodbye invites "neustart".
func Run(ctx context.Context, d Dialog, in io.Reader, out io.Writer, opts ...Option) (bot.Reply, error) {
	var set settings
	for _, o := range opts {
		o(&set)
	}
	r, err := d.Start(ctx)
	if err != nil {
		return r, err
	}
	w := bufio.NewWriter(out)
	defer w.Flush()
	Render(w, r)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 4096), maxLine)
	for r.Phase != dialogs.PhaseDone {
		fmt.Fprint(w, "> ")
		if err := w.Flush(); err != nil {
			return r, fmt.Errorf("write prompt: %w", err)
		}
		if !sc.Scan() {
			break
		}
		if err := ctx.Err(); err != nil {
			return r, err
		}
		if dialogs.IsErase(sc.Text()) {
			erased, err := erase(ctx, d, sc, w, r.Lang)
			if err != nil || erased {
				return r, err
			}
			continue
		}
		next, err := d.Send(ctx, dialogs.TextInput(sc.Text()))
		if err != nil {
			return r, err
		}
		r = next
		Render(w, r)
	}
	if err := sc.Err(); err != nil {
		return r, fmt.Errorf("read input: %w", err)
	}
	if !r.Finished() {
		// Input ended mid-dialog; a declined one has nothing to resume.
		fmt.Fprintln(w)
		fmt.Fprintln(w, dialogs.InputEnded(r.Lang))
		if set.resume != nil {
			fmt.Fprintln(w, set.resume(r.Lang))
		}
	}
	return r, w.Flush()
}

// erase asks whether to erase everything and does it after a yes. It
// reports whether the data is gone, which ends the dialog.
func erase(ctx context.Context, d Dialog, sc *bufio.Scanner, w *bufio.Writer, lang dialogs.Lang) (bool, error) {
	fmt.Fprintf(w, "%s\n  1) %s\n  2) %s\n> ", dialogs.UIDeleteAsk.In(lang), dialogs.UIDeleteYes.In(lang), dialogs.UIDeleteNo.In(lang))
	if err := w.Flush(); err != nil {
		return false, fmt.Errorf("write prompt: %w", err)
	}
	if !sc.Scan() || !dialogs.IsYes(sc.Text()) {
		fmt.Fprintf(w, "%s\n\n", dialogs.UIDeleteCancelled.In(lang))
		return false, nil
	}
	err := d.Erase(ctx)
	switch {
	case errors.Is(err, survey.ErrNotFound):
		fmt.Fprintf(w, "%s\n", dialogs.UINothingToDelete.In(lang))
	case err != nil:
		return false, err
	default:
		fmt.Fprintf(w, "%s\n", dialogs.UIDeleted.In(lang))
	}
	return true, nil
}

// Render writes a reply's prompts as plain text.
func Render(w io.Writer, r bot.Reply) {
	for _, p := range r.Prompts {
		renderPrompt(w, r.Lang, p)
	}
}

func renderPrompt(w io.Writer, lang dialogs.Lang, p dialogs.Prompt) {
	switch p.Kind {
	case dialogs.PromptError:
		fmt.Fprintf(w, "! %s\n", p.Text)
		return
	case dialogs.PromptInfo, dialogs.PromptGoodbye, dialogs.PromptSummary:
		fmt.Fprintf(w, "%s\n\n", p.Text)
		return
	case dialogs.PromptConsent, dialogs.PromptConfirm:
		fmt.Fprintf(w, "%s\n", p.Text)
		for i, o := range p.Options {
			fmt.Fprintf(w, "  %d) %s\n", i+1, o.Label)
		}
		fmt.Fprintln(w)
		return
	}

	fmt.Fprintf(w, "\n── %s ──\n%s\n", p.Progress.Text(lang), p.Text)
	if p.Previous != "" {
		fmt.Fprintf(w, "(%s)\n", p.Previous)
	}
	switch p.Type {
	case dialogs.Scale:
		var pts []string
		for _, o := range p.Options {
			if o.Code != dialogs.CodeNA {
				pts = append(pts, o.Label)
			}
		}
		fmt.Fprintf(w, "  %s\n", strings.Join(pts, "   "))
	default:
		for i, o := range p.Options {
			if o.Code == dialogs.CodeNA {
				continue
			}
			box := ""
			if p.Type == dialogs.Multi {
				box = "[ ] "
				if o.Selected {
					box = "[x] "
				}
			}
			fmt.Fprintf(w, "  %s%d) %s\n", box, i+1, o.Label)
		}
	}
	fmt.Fprintf(w, "  -) %s\n", dialogs.ButtonLabel(lang, dialogs.CmdNA))
	fmt.Fprintf(w, "%s\n", p.Hint)
	cmds := []string{}
	if p.CanBack {
		cmds = append(cmds, dialogs.ButtonLabel(lang, dialogs.CmdBack))
	}
	if p.CanSkip {
		cmds = append(cmds, dialogs.ButtonLabel(lang, dialogs.CmdSkip))
	}
	cmds = append(cmds, dialogs.ButtonLabel(lang, dialogs.CmdHelp))
	fmt.Fprintf(w, "[%s]\n", strings.Join(cmds, "] ["))
}
