package dialogs

import (
	"slices"
	"strings"
)

// toggle handles input to a multiple choice item: buttons toggle one option,
// typed numbers toggle several, and a trailing "fertig" ends the item.
func toggle(q *Questionnaire, st State, it *Item, in Input) (State, []Prompt, error) {
	var codes []string
	done := false
	if in.Choice != "" {
		if _, ok := it.option(in.Choice); !ok {
			return st, reject(q, st, it, in.Text), nil
		}
		codes = []string{in.Choice}
	} else {
		words := strings.FieldsFunc(normalise(in.Text), func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
		if n := len(words); n > 1 && commandWord(words[n-1]) == CmdDone {
			done, words = true, words[:n-1]
		}
		for _, w := range words {
			code, ok := optionByWord(it, w)
			if !ok {
				if code, ok = optionByLabel(it, in.Text); ok && !done {
					codes = []string{code}
					break
				}
				return st, reject(q, st, it, in.Text), nil
			}
			codes = append(codes, code)
		}
		if len(codes) == 0 {
			return st, reject(q, st, it, in.Text), nil
		}
	}
	for _, c := range codes {
		st.Draft = toggled(it, st.Draft, c)
	}
	if done {
		return asking(q, st, Input{Command: CmdDone})
	}
	return st, current(q, st, true), nil
}

// selectAll answers a multiple choice item with a whole selection. An
// exclusive option ("keine") cannot be chosen together with others.
func selectAll(q *Questionnaire, st State, it *Item, codes []string) (State, []Prompt, error) {
	var draft []string
	for _, c := range codes {
		o, ok := it.option(c)
		if !ok {
			return st, reject(q, st, it, ""), nil
		}
		if o.Exclusive && len(codes) > 1 {
			st.Draft = nil
			return st, append([]Prompt{errPrompt(msgErrExclusive.in(st.Lang, o.Label.In(st.Lang)))}, current(q, st, true)...), nil
		}
		if !slices.Contains(draft, c) {
			draft = toggled(it, draft, c)
		}
	}
	if len(draft) == 0 {
		return st, append([]Prompt{errPrompt(msgErrMultiEmpty.in(st.Lang))}, current(q, st, true)...), nil
	}
	return accept(q, st, it, Answer{Value: strings.Join(draft, ",")})
}

// toggled switches one option of a multiple choice draft, keeping the
// options in questionnaire order; an exclusive option clears the others.
func toggled(it *Item, draft []string, code string) []string {
	if slices.Contains(draft, code) {
		return slices.DeleteFunc(slices.Clone(draft), func(c string) bool { return c == code })
	}
	opt, _ := it.option(code)
	on := map[string]bool{code: true}
	for _, c := range draft {
		o, _ := it.option(c)
		if !opt.Exclusive && !o.Exclusive {
			on[c] = true
		}
	}
	out := make([]string, 0, len(on))
	for _, o := range it.Options {
		if on[o.Code] {
			out = append(out, o.Code)
		}
	}
	return out
}
