package dialogs

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// cachedCore resolves `extends` against the core loaded once, which also
// checks that building a chamber questionnaire never changes the core.
func cachedCore(ref Ref) (*Questionnaire, error) {
	core, err := coreOnce()
	if err != nil {
		return nil, err
	}
	if core.Ref() != ref {
		return nil, fmt.Errorf("unknown shared questionnaire %s", ref)
	}
	return core, nil
}

func FuzzParse(f *testing.F) {
	f.Add(CoreSource())
	for _, name := range []string{"testdata/alltypes.yaml", "testdata/chamber.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, snippet := range []string{
		"      - id: b\n        type: scale\n        points: -3\n        text: {de: B, en: B}\n      - {id: c, type: yesno, text: {de: C, en: C}, when: [{item: b, in: [\"1\"]}]}\n",
		"      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        colour: red\n",
		"      - {id: a, type: yesno, text: {de: Nochmal, en: Again}}\n",
		"      - id: b\n        type: @yesno\n",
		"      - &b {id: b, type: yesno, text: {de: B, en: B}}\n      - *b\n",
	} {
		f.Add([]byte(header + snippet))
	}
	coreItems := len(coreQ(f).Items())

	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := Parse("fuzz.yaml", data, cachedCore)
		if core, _ := coreOnce(); len(core.Items()) != coreItems {
			t.Fatalf("Parse changed the shared core: %d items", len(core.Items()))
		}
		if err != nil {
			var ie *InvalidError
			if !errors.As(err, &ie) || len(ie.Problems) == 0 || q != nil {
				t.Fatalf("Parse error %v (%T) with questionnaire %v", err, err, q != nil)
			}
			for _, p := range ie.Problems {
				if p.File != "fuzz.yaml" || p.Msg == "" || p.Line < 0 {
					t.Fatalf("malformed problem %+v", p)
				}
			}
			return
		}
		// Whatever the validator accepts, the engine must be able to run:
		// answering "keine Angabe" to everything completes the dialog.
		if len(q.Items()) == 0 {
			t.Fatal("valid questionnaire without items")
		}
		for _, it := range q.Items() {
			if got, ok := q.Item(it.ID); !ok || got != it {
				t.Fatalf("Item(%q) does not find it", it.ID)
			}
		}
		st, ps, err := Start(q, German, nil)
		if err != nil || len(ps) != 1 {
			t.Fatalf("Start: %v, %d prompts", err, len(ps))
		}
		st = checkedStep(t, q, st, Input{Choice: CodeYes})
		for i := 0; st.Phase == PhaseAsking; i++ {
			if i > len(q.Items()) {
				t.Fatalf("answering keine Angabe never ends (at %s)", st.Current)
			}
			st = checkedStep(t, q, st, Input{Choice: CodeNA})
		}
		if st.Phase != PhaseDone {
			t.Fatalf("dialog ended in phase %s", st.Phase)
		}
	})
}

// fuzzInputs decodes fuzz bytes into inputs: one per line; "#code" presses
// a button, "!cmd arg" sends a command as a channel would, anything else is
// typed text.
func fuzzInputs(data []byte) []Input {
	lines := strings.Split(string(data), "\n")
	if len(lines) > 300 {
		lines = lines[:300]
	}
	out := make([]Input, len(lines))
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "#"):
			out[i] = Input{Choice: l[1:]}
		case strings.HasPrefix(l, "!"):
			cmd, arg, _ := strings.Cut(l[1:], " ")
			out[i] = Input{Command: Command(cmd), Text: arg}
		default:
			out[i] = TextInput(l)
		}
	}
	return out
}

func FuzzStep(f *testing.F) {
	var persona []string
	for _, s := range businessPersona {
		switch {
		case s.in.Choice != "":
			persona = append(persona, "#"+s.in.Choice)
		case s.in.Command != CmdNone:
			persona = append(persona, "!"+string(s.in.Command))
		default:
			persona = append(persona, s.in.Text)
		}
	}
	f.Add([]byte(strings.Join(persona, "\n")))
	f.Add([]byte("2\nhilfe\n1\n30159\n#hwk_h\nzurück\nzurück\nzurück\nzurück\n1\nsprache\n3\nstatus\npause\nweiter\n-"))
	f.Add([]byte("#shop\n#cloud\n#none\n#erp\n2 3 fertig\nja\n5\n6\n0\n12\nskip\n30 159\n#yes"))
	f.Add([]byte("neustart\nnein\nneustart\nja\n!language en\n#na\n!done\nkeine Angabe\n!skip\n?\n/back"))

	core, at := coreQ(f), allTypesQ(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		inputs := fuzzInputs(data)
		for i, q := range []*Questionnaire{core, at, core} {
			st, _, err := Start(q, German, nil)
			if err != nil {
				t.Fatal(err)
			}
			if i == 2 { // a later wave: the screening answers are proposed
				st = Prefill(q, st, map[string]string{"org_type": "business", "sector": "handwerk", "size": "s10_49", "postcode": "30159"})
			}
			st = checkedStep(t, q, st, Input{Choice: CodeYes})
			for _, in := range inputs {
				st = checkedStep(t, q, st, in)
			}
		}
	})
}

// checkedStep runs one step and checks everything that must hold after any
// input: no error, some prompt, the input state untouched, and a new state
// that makes sense.
func checkedStep(t *testing.T, q *Questionnaire, st State, in Input) State {
	t.Helper()
	before := snapshot(st)
	next, ps, err := Step(q, st, in)
	if err != nil {
		t.Fatalf("Step(%+v) at %s/%s: %v", in, st.Phase, st.Current, err)
	}
	if len(ps) == 0 {
		t.Fatalf("Step(%+v) at %s/%s: no prompts", in, st.Phase, st.Current)
	}
	if !reflect.DeepEqual(st, before) {
		t.Fatalf("Step(%+v) changed its input state", in)
	}
	if why := stateProblem(q, next); why != "" {
		t.Fatalf("after Step(%+v) from %s/%s: %s\nstate %+v", in, st.Phase, st.Current, why, next)
	}
	if ps, err := Resume(q, next); err != nil || len(ps) == 0 {
		t.Fatalf("Resume after Step(%+v): %v, %d prompts", in, err, len(ps))
	}
	return next
}

// stateProblem says what is wrong with a state, or "".
func stateProblem(q *Questionnaire, st State) string {
	if st.Questionnaire != q.Ref() {
		return "questionnaire changed"
	}
	if st.Lang != German && st.Lang != English {
		return fmt.Sprintf("language %q", st.Lang)
	}
	for id, a := range st.Answers {
		it, ok := q.Item(id)
		if !ok {
			return "answer to unknown item " + id
		}
		if !shown(it, st.Answers) {
			return "answer kept for " + id + ", which is not on the path"
		}
		if why := answerProblem(it, a); why != "" {
			return id + ": " + why
		}
	}
	asking := st.Phase
	switch st.Phase {
	case PhasePaused, PhaseConfirmRestart:
		asking = st.Prev
		if asking != PhaseAsking && asking != PhaseConsent && asking != PhaseConfirmPrefill {
			return fmt.Sprintf("phase %s returns to %q", st.Phase, st.Prev)
		}
	case PhaseDone:
		for id, a := range st.Answers {
			if a.Prefilled {
				return "done, but the prefilled answer to " + id + " is unconfirmed"
			}
		}
		for _, it := range q.Items() {
			if _, ok := st.Answers[it.ID]; !ok && shown(it, st.Answers) {
				return "done, but " + it.ID + " is on the path and unanswered"
			}
		}
	case PhaseDeclined:
		if len(st.Answers) > 0 {
			return "declined, but answers kept"
		}
	case PhaseConsent, PhaseAsking, PhaseConfirmPrefill:
	default:
		return fmt.Sprintf("unknown phase %q", st.Phase)
	}
	if asking != PhaseAsking {
		if len(st.Draft) > 0 {
			return fmt.Sprintf("draft %v while not asking", st.Draft)
		}
		return ""
	}
	it, ok := q.Item(st.Current)
	if !ok {
		return fmt.Sprintf("asking unknown item %q", st.Current)
	}
	if !shown(it, st.Answers) {
		return "asking " + it.ID + ", which is not on the path"
	}
	if len(st.Draft) > 0 {
		if it.Type != Multi {
			return fmt.Sprintf("draft %v for %s item", st.Draft, it.Type)
		}
		if why := answerProblem(it, Answer{Value: strings.Join(st.Draft, ",")}); why != "" {
			return "draft: " + why
		}
	}
	return ""
}

// answerProblem checks an answer against its item, by the rules of
// docs/questionnaire-format.md, or returns "".
func answerProblem(it *Item, a Answer) string {
	switch {
	case a.Fixed:
		return ""
	case a.NA || a.Skipped:
		if a.Value != "" || (a.NA && a.Skipped) {
			return fmt.Sprintf("odd missing answer %+v", a)
		}
		if a.Skipped && !it.Optional {
			return "required item skipped"
		}
		return ""
	}
	v := a.Value
	switch it.Type {
	case Single:
		if _, ok := it.option(v); !ok {
			return fmt.Sprintf("%q is not an option", v)
		}
	case Multi:
		codes := strings.Split(v, ",")
		var pos []int
		for _, c := range codes {
			i := slices.IndexFunc(it.Options, func(o Option) bool { return o.Code == c })
			if i < 0 {
				return fmt.Sprintf("%q is not an option", c)
			}
			if it.Options[i].Exclusive && len(codes) > 1 {
				return fmt.Sprintf("exclusive %q selected with others: %q", c, v)
			}
			pos = append(pos, i)
		}
		if !slices.IsSorted(pos) || len(slices.Compact(slices.Clone(pos))) != len(pos) {
			return fmt.Sprintf("options %q repeated or out of order", v)
		}
	case Scale:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > it.Points || strconv.Itoa(n) != v {
			return fmt.Sprintf("%q is not a point of 1..%d", v, it.Points)
		}
	case YesNo:
		if v != CodeYes && v != CodeNo {
			return fmt.Sprintf("%q is not yes or no", v)
		}
	case Integer:
		n, err := strconv.Atoi(v)
		if err != nil || strconv.Itoa(n) != v || (it.Min != nil && n < *it.Min) || (it.Max != nil && n > *it.Max) {
			return fmt.Sprintf("%q is not a whole number in range", v)
		}
	case FreeText:
		if v == "" || v != strings.TrimSpace(v) || !utf8.ValidString(v) || utf8.RuneCountInString(v) > it.MaxLen {
			return fmt.Sprintf("text %q not trimmed, empty, invalid or longer than %d", v, it.MaxLen)
		}
	case Postcode:
		if len(v) != 5 || strings.Trim(v, "0123456789") != "" || v == "00000" {
			return fmt.Sprintf("%q is not a postcode", v)
		}
	default:
		return "unknown type"
	}
	return ""
}
