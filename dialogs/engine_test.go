package dialogs

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// ---- shared helpers (used by all test files of the package) ----

var (
	coreOnce     = sync.OnceValues(LoadCore)
	allTypesOnce = sync.OnceValues(func() (*Questionnaire, error) {
		return parseFile("testdata/alltypes.yaml", nil)
	})
	chamberOnce = sync.OnceValues(func() (*Questionnaire, error) {
		return parseFile("testdata/chamber.yaml", CoreResolver)
	})
)

func parseFile(name string, resolve Resolver) (*Questionnaire, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return Parse(name, data, resolve)
}

func mustQ(tb testing.TB, f func() (*Questionnaire, error)) *Questionnaire {
	tb.Helper()
	q, err := f()
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

func coreQ(tb testing.TB) *Questionnaire     { tb.Helper(); return mustQ(tb, coreOnce) }
func allTypesQ(tb testing.TB) *Questionnaire { tb.Helper(); return mustQ(tb, allTypesOnce) }
func chamberQ(tb testing.TB) *Questionnaire  { tb.Helper(); return mustQ(tb, chamberOnce) }

// snapshot deep-copies a state, independently of State.clone.
func snapshot(st State) State {
	c := st
	if st.Answers != nil {
		c.Answers = maps.Clone(st.Answers)
	}
	if st.Draft != nil {
		c.Draft = slices.Clone(st.Draft)
	}
	return c
}

// step runs Step and fails on an error, on no prompts, or if Step changed
// the state it was handed.
func step(tb testing.TB, q *Questionnaire, st State, in Input) (State, []Prompt) {
	tb.Helper()
	before := snapshot(st)
	next, ps, err := Step(q, st, in)
	if err != nil {
		tb.Fatalf("Step(%+v) at %s/%s: %v", in, st.Phase, st.Current, err)
	}
	if !reflect.DeepEqual(st, before) {
		tb.Fatalf("Step(%+v) changed its input state:\nbefore %+v\nafter  %+v", in, before, st)
	}
	if len(ps) == 0 {
		tb.Fatalf("Step(%+v) at %s/%s returned no prompts", in, st.Phase, st.Current)
	}
	return next, ps
}

// begin starts a dialog and gives consent.
func begin(tb testing.TB, q *Questionnaire, lang Lang, fixed map[string]string) State {
	tb.Helper()
	st, ps, err := Start(q, lang, fixed)
	if err != nil {
		tb.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Kind != PromptConsent {
		tb.Fatalf("Start prompts = %v, want one consent prompt", kinds(ps))
	}
	st, ps = step(tb, q, st, Input{Choice: CodeYes})
	if st.Phase != PhaseAsking || ps[len(ps)-1].Kind != PromptQuestion {
		tb.Fatalf("after consent: phase %s, prompts %v", st.Phase, kinds(ps))
	}
	return st
}

// walk answers the current question from script until target is asked.
func walk(tb testing.TB, q *Questionnaire, st State, script map[string]Input, target string) State {
	tb.Helper()
	for i := 0; st.Phase == PhaseAsking && st.Current != target; i++ {
		in, ok := script[st.Current]
		if !ok || i > 200 {
			tb.Fatalf("walking to %s: no scripted answer for %s", target, st.Current)
		}
		st, _ = step(tb, q, st, in)
	}
	if st.Phase != PhaseAsking || st.Current != target {
		tb.Fatalf("walking to %s: ended at %s/%s", target, st.Phase, st.Current)
	}
	return st
}

func typed(ss ...string) []Input {
	out := make([]Input, len(ss))
	for i, s := range ss {
		out[i] = TextInput(s)
	}
	return out
}

func kinds(ps []Prompt) []PromptKind {
	out := make([]PromptKind, len(ps))
	for i, p := range ps {
		out[i] = p.Kind
	}
	return out
}

// words joins everything a respondent reads in the prompts.
func words(ps []Prompt) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s\n%s\n%s\n%s\n", p.Text, p.Hint, p.Help, p.Previous)
		for _, o := range p.Options {
			b.WriteString(o.Label + "\n")
		}
	}
	return b.String()
}

func lastQuestion(tb testing.TB, ps []Prompt) Prompt {
	tb.Helper()
	p := ps[len(ps)-1]
	if p.Kind != PromptQuestion {
		tb.Fatalf("last prompt is %s, want a question (prompts %v)", p.Kind, kinds(ps))
	}
	return p
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// allTypesScript answers every item of testdata/alltypes.yaml.
var allTypesScript = map[string]Input{
	"kind":    {Choice: "shop"},
	"tools":   TextInput("2 3 fertig"),
	"trouble": TextInput("nein"),
	"agree":   TextInput("4"),
	"grade":   TextInput("2"),
	"staff":   TextInput("12"),
	"remark":  TextInput("alles gut"),
	"plz":     TextInput("30159"),
	"online":  {Choice: CodeYes},
}

// scripted is one input of a persona, with the item it answers.
type scripted struct {
	item string
	in   Input
}

// businessPersona walks a craft business through the whole core
// questionnaire: 29 questions, buttons and typed text mixed.
var businessPersona = []scripted{
	{"org_type", Input{Choice: "business"}},
	{"sector", TextInput("Handwerk")},
	{"size", TextInput("2")},
	{"postcode", TextInput("30159")},
	{"chamber", Input{Choice: "hwk_h"}},
	{"cons_used", Input{Choice: "chamber"}},
	{"cons_used", Input{Choice: "mdz"}},
	{"cons_used", Input{Command: CmdDone}},
	{"cons_useful", TextInput("4")},
	{"cons_project", TextInput("ja")},
	{"cons_plan", Input{Choice: CodeNo}},
	{"proj_done", TextInput("p2_3")},
	{"proj_planned", Input{Choice: CodeYes}},
	{"proj_areas", TextInput("2 3 5 fertig")},
	{"proj_funding", Input{Choice: "digitalbonus"}},
	{"proj_funding", TextInput("fertig")},
	{"mat_tech", TextInput("2 3 4 7 fertig")},
	{"mat_grade", TextInput("2")},
	{"mat_strategy", Input{Choice: "3"}},
	{"mat_readiness", TextInput("4")},
	{"mat_people", TextInput("-")},
	{"mat_data", Input{Choice: "5"}},
	{"mat_automation", TextInput("1")},
	{"mat_green", TextInput("2")},
	{"bb_needs", TextInput("Ja")},
	{"bb_download", TextInput("weiß nicht")},
	{"bb_tech", TextInput("Glasfaser")},
	{"bb_satisfaction", TextInput("4")},
	{"sk_vacancies", TextInput("1")},
	{"sk_lack", TextInput("ja")},
	{"sk_trained", TextInput("3")},
	{"sk_apprentices", TextInput("keine")},
}

// educationPersona walks a chamber training centre through the core.
var educationPersona = []scripted{
	{"org_type", TextInput("Bildungseinrichtung")},
	{"size", TextInput("1")},
	{"postcode", TextInput("26121")},
	{"chamber", Input{Choice: "hwk_ol"}},
	{"edu_courses", TextInput("3")},
	{"edu_participants", TextInput("2")},
	{"edu_online", Input{Choice: "some"}},
	{"edu_platform", TextInput("ja")},
	{"edu_equipment", TextInput("4")},
	{"edu_grade", TextInput("3")},
	{"bbe_gigabit", TextInput("ja")},
	{"bbe_wifi", TextInput("teilweise")},
	{"bbe_devices", TextInput("5")},
	{"bbe_satisfaction", TextInput("überspringen")},
	{"sk_vacancies", TextInput("2")},
	{"sk_lack", TextInput("nein")},
	{"sk_trained", TextInput("1")},
	{"sk_it_graduates", TextInput("2")},
}

// runPersona plays a persona from consent on, checking before every input
// that the engine asks the scripted item. It returns the final state, the
// last prompts and the items asked, in order, once each.
func runPersona(tb testing.TB, q *Questionnaire, fixed map[string]string, persona []scripted) (State, []Prompt, []string) {
	tb.Helper()
	st := begin(tb, q, German, fixed)
	var ps []Prompt
	var asked []string
	for i, s := range persona {
		if st.Phase != PhaseAsking || st.Current != s.item {
			tb.Fatalf("input %d: engine asks %s/%s, persona expects %s", i, st.Phase, st.Current, s.item)
		}
		if len(asked) == 0 || asked[len(asked)-1] != s.item {
			asked = append(asked, s.item)
		}
		st, ps = step(tb, q, st, s.in)
	}
	return st, ps, asked
}

// ---- the engine ----

func TestValidAnswers(t *testing.T) {
	q := allTypesQ(t)
	tests := []struct {
		item string
		lang Lang
		in   Input
		want string
	}{
		{"kind", German, TextInput("1"), "shop"},
		{"kind", German, TextInput(" 2 "), "school"},
		{"kind", German, TextInput("3"), "unsure"},
		{"kind", German, TextInput("shop"), "shop"},
		{"kind", German, TextInput("SCHOOL"), "school"},
		{"kind", German, TextInput("Laden"), "shop"},
		{"kind", German, TextInput("weiß  nicht"), "unsure"},
		{"kind", English, TextInput("Don't know"), "unsure"},
		{"kind", English, TextInput("schule"), "school"}, // German labels work in English too
		{"kind", German, Input{Choice: "school"}, "school"},

		{"tools", German, TextInput("2 3 fertig"), "cloud,erp"},
		{"tools", English, TextInput("4, 2 done"), "cloud,ai"},
		{"tools", German, TextInput("1 fertig"), "none"},

		{"trouble", German, TextInput("ja"), CodeYes},
		{"trouble", German, TextInput("Nein"), CodeNo},
		{"trouble", English, TextInput("yes"), CodeYes},
		{"trouble", English, TextInput("No"), CodeNo},
		{"trouble", German, TextInput("1"), CodeYes},
		{"trouble", German, TextInput("2"), CodeNo},
		{"trouble", German, Input{Choice: CodeYes}, CodeYes},
		{"trouble", German, Input{Choice: CodeNo}, CodeNo},

		{"agree", German, TextInput("1"), "1"},
		{"agree", German, TextInput("5"), "5"},
		{"agree", German, TextInput(" 03 "), "3"},
		{"agree", German, Input{Choice: "4"}, "4"},
		{"grade", German, TextInput("6"), "6"},
		{"grade", English, Input{Choice: "1"}, "1"},

		{"staff", German, TextInput("12"), "12"},
		{"staff", German, TextInput("1"), "1"},
		{"staff", German, TextInput("500"), "500"},
		{"staff", German, TextInput(" 42 "), "42"},
		{"staff", German, Input{Choice: "7"}, "7"},

		{"remark", German, TextInput("Alles gut"), "Alles gut"},
		{"remark", German, TextInput("  getrimmt  "), "getrimmt"},
		{"remark", German, TextInput(strings.Repeat("ä", 20)), strings.Repeat("ä", 20)}, // 20 characters, 40 bytes

		{"plz", German, TextInput("30159"), "30159"},
		{"plz", German, TextInput("30 159"), "30159"},
		{"plz", English, TextInput("26121"), "26121"},
		{"plz", German, TextInput("19273"), "19273"}, // Amt Neuhaus: Lower Saxony, though its postcode is shared

		{"online", German, TextInput("ja"), CodeYes},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%q%q", tt.item, tt.lang, tt.in.Text, tt.in.Choice), func(t *testing.T) {
			st := walk(t, q, begin(t, q, tt.lang, nil), allTypesScript, tt.item)
			next, ps := step(t, q, st, tt.in)
			want := Answer{Value: tt.want}
			if got := next.Answers[tt.item]; got != want {
				t.Fatalf("answer = %+v, want %+v", got, want)
			}
			if next.Current == tt.item {
				t.Errorf("still asking %s after a valid answer", tt.item)
			}
			if last := ps[len(ps)-1]; last.Kind != PromptQuestion && last.Kind != PromptSummary {
				t.Errorf("prompts %v, want the next question or the summary", kinds(ps))
			}
			if ch := Changes(q, st, next); !reflect.DeepEqual(ch, []Change{{Item: tt.item, Answer: want}}) {
				t.Errorf("Changes = %+v", ch)
			}
		})
	}
}

func TestInvalidAnswers(t *testing.T) {
	q := allTypesQ(t)
	tests := []struct {
		item string
		lang Lang
		in   Input
		want []string // in the error prompt
	}{
		{"kind", German, TextInput("4"), []string{"nicht verstanden", "Optionen 1 bis 3"}},
		{"kind", German, TextInput("0"), []string{"Optionen 1 bis 3"}},
		{"kind", German, TextInput("Bäckerei"), []string{"Optionen 1 bis 3"}},
		{"kind", German, Input{Choice: "bakery"}, []string{"Optionen 1 bis 3"}},
		{"kind", English, TextInput("4"), []string{"did not understand", "options 1 to 3"}},

		{"tools", German, TextInput("9"), []string{"Nummern 1 bis 5", "„fertig“"}},
		{"tools", German, TextInput("2 9"), []string{"Nummern 1 bis 5"}},
		{"tools", German, Input{Choice: "typewriter"}, []string{"Nummern 1 bis 5"}},
		{"tools", English, TextInput("fax"), []string{"numbers 1 to 5", "“done”"}},
		{"tools", German, TextInput("fertig"), []string{"mindestens eine Option", "„keine Angabe“"}},
		{"tools", English, TextInput("done"), []string{"at least one option", "“prefer not to say”"}},

		{"trouble", German, TextInput("vielleicht"), []string{"„ja“ oder „nein“"}},
		{"trouble", German, TextInput("3"), []string{"„ja“ oder „nein“"}},
		{"trouble", English, TextInput("maybe"), []string{"“yes” or “no”"}},

		{"agree", German, TextInput("0"), []string{"Zahl von 1 bis 5"}},
		{"agree", German, TextInput("6"), []string{"Zahl von 1 bis 5"}},
		{"agree", German, Input{Choice: "9"}, []string{"Zahl von 1 bis 5"}},
		{"agree", English, TextInput("six"), []string{"number from 1 to 5"}},
		{"grade", German, TextInput("7"), []string{"Zahl von 1 bis 6"}},

		{"staff", German, TextInput("0"), []string{"keine gültige Zahl", "ganze Zahl von 1 bis 500"}},
		{"staff", German, TextInput("501"), []string{"ganze Zahl von 1 bis 500"}},
		{"staff", German, TextInput("zwölf"), []string{"keine gültige Zahl"}},
		{"staff", German, TextInput("1,5"), []string{"keine gültige Zahl"}},
		{"staff", German, TextInput("fertig"), []string{"keine gültige Zahl"}}, // "done" is for multiple choice only
		{"staff", English, TextInput("12.5"), []string{"not a valid number", "whole number from 1 to 500"}},

		{"remark", German, TextInput("   "), []string{"Bitte schreiben Sie eine Antwort"}},
		{"remark", German, TextInput(strings.Repeat("x", 21)), []string{"21 Zeichen lang", "höchstens 20"}},
		{"remark", English, TextInput(strings.Repeat("ü", 25)), []string{"25 characters long", "at most 20 are allowed"}},

		{"plz", German, TextInput("3015"), []string{"keine gültige Postleitzahl", "fünf Ziffern"}},
		// Five digits, but not a postcode of Lower Saxony: said so, not "five digits".
		{"plz", German, TextInput("00000"), []string{"00000 liegt nicht in Niedersachsen"}},
		{"plz", German, TextInput("80331"), []string{"80331 liegt nicht in Niedersachsen", "Betrieben in Niedersachsen"}},
		{"plz", English, TextInput("01067"), []string{"01067 is not in Lower Saxony"}},
		{"plz", German, TextInput("3015a"), []string{"fünf Ziffern"}},
		{"plz", English, TextInput("SW1A 1AA"), []string{"not a valid postcode", "five digits"}},

		// What SQL or a messenger cannot store is refused before anything is kept.
		{"remark", German, TextInput("Glasfaser\x00bitte"), []string{"Zeichen, das wir nicht speichern können"}},
		{"remark", English, TextInput("Glas\x07faser"), []string{"character we cannot store"}},
		{"remark", German, TextInput("Glas\xfffaser"), []string{"nicht speichern"}},
		{"remark", German, TextInput("Glas\uFFFDfaser"), []string{"nicht speichern"}},
		{"kind", German, Input{Choice: "1\x00"}, []string{"nicht speichern"}},
		{"tools", German, Input{Selection: []string{"a\x00"}}, []string{"nicht speichern"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%q%q", tt.item, tt.lang, tt.in.Text, tt.in.Choice), func(t *testing.T) {
			st := walk(t, q, begin(t, q, tt.lang, nil), allTypesScript, tt.item)
			next, ps := step(t, q, st, tt.in)
			if !reflect.DeepEqual(kinds(ps), []PromptKind{PromptError, PromptQuestion}) {
				t.Fatalf("prompts %v, want error and question", kinds(ps))
			}
			for _, w := range tt.want {
				if !strings.Contains(ps[0].Text, w) {
					t.Errorf("error %q does not say %q", ps[0].Text, w)
				}
			}
			if tt.lang == English && strings.Contains(ps[0].Text, "Bitte") {
				t.Errorf("English respondent got German error %q", ps[0].Text)
			}
			if q := ps[1]; q.Item != tt.item || !q.Repeat {
				t.Errorf("question after error: item %s repeat %v, want %s repeated", q.Item, q.Repeat, tt.item)
			}
			if !reflect.DeepEqual(next, st) {
				t.Errorf("invalid input changed the state:\nbefore %+v\nafter  %+v", st, next)
			}
		})
	}
}

func TestNotAnswered(t *testing.T) {
	q := allTypesQ(t)
	inputs := []Input{
		TextInput("-"),
		TextInput("keine Angabe"),
		TextInput(" Keine  Angabe "),
		TextInput("prefer not to say"),
		{Choice: CodeNA},
		{Command: CmdNA},
	}
	for _, it := range q.Items() {
		for _, in := range inputs {
			t.Run(fmt.Sprintf("%s/%q%q%q", it.ID, in.Text, in.Choice, in.Command), func(t *testing.T) {
				st := walk(t, q, begin(t, q, German, nil), allTypesScript, it.ID)
				next, ps := step(t, q, st, in)
				if got := next.Answers[it.ID]; got != (Answer{NA: true}) {
					t.Fatalf("answer = %+v, want NA", got)
				}
				if next.Current == it.ID {
					t.Errorf("still asking %s", it.ID)
				}
				if last := ps[len(ps)-1]; last.Kind != PromptQuestion && last.Kind != PromptSummary {
					t.Errorf("prompts %v", kinds(ps))
				}
			})
		}
	}
	t.Run("every question offers keine Angabe", func(t *testing.T) {
		for _, lang := range []Lang{German, English} {
			st := begin(t, q, lang, nil)
			ps, _ := Resume(q, st)
			opts := lastQuestion(t, ps).Options
			want := map[Lang]string{German: "keine Angabe", English: "prefer not to say"}[lang]
			if last := opts[len(opts)-1]; last.Code != CodeNA || last.Label != want {
				t.Errorf("%s: last option %+v, want na %q", lang, last, want)
			}
		}
	})
}

func TestCommands(t *testing.T) {
	q := allTypesQ(t)
	unchanged := func(t *testing.T, at, got State) {
		t.Helper()
		if !reflect.DeepEqual(at.Answers, got.Answers) {
			t.Errorf("answers changed: %v -> %v", at.Answers, got.Answers)
		}
	}
	tests := []struct {
		name  string
		lang  Lang
		at    string   // walk alltypes to this item first
		pre   []Input  // sent before the command
		words []string // the command, typed each of these ways
		post  []Input  // sent after the command; the checks are on the last step

		phase Phase
		cur   string
		lang2 Lang // language afterwards, if it should change
		kinds []PromptKind
		texts []string
		check func(t *testing.T, at, got State)
	}{
		{
			name: "back", at: "agree",
			words: []string{"zurück", "/zurück", "Zurück", "zurueck", "back", "/back"},
			phase: PhaseAsking, cur: "trouble", kinds: []PromptKind{PromptQuestion},
			texts: []string{"Hatten Sie Probleme", "Ihre bisherige Antwort: Nein"},
			check: unchanged,
		},
		{
			name: "back english", lang: English, at: "agree",
			words: []string{"back", "/back", "zurück"},
			phase: PhaseAsking, cur: "trouble", kinds: []PromptKind{PromptQuestion},
			texts: []string{"Did you have trouble", "Your answer so far: No"},
		},
		{
			name: "back at the first question", at: "kind",
			words: []string{"zurück", "/back"},
			phase: PhaseAsking, cur: "kind", kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"bereits die erste Frage"},
		},
		{
			name: "back to a multiple choice restores its selection", at: "trouble",
			words: []string{"zurück", "back"},
			phase: PhaseAsking, cur: "tools", kinds: []PromptKind{PromptQuestion},
			texts: []string{"Ihre bisherige Antwort: Cloud-Dienste, ERP-System"},
			check: func(t *testing.T, at, got State) {
				if !slices.Equal(got.Draft, []string{"cloud", "erp"}) {
					t.Errorf("draft = %v, want [cloud erp]", got.Draft)
				}
			},
		},
		{
			name: "skip an optional question", at: "remark",
			words: []string{"überspringen", "/überspringen", "ueberspringen", "skip", "/skip", "Skip"},
			phase: PhaseAsking, cur: "plz", kinds: []PromptKind{PromptQuestion},
			check: func(t *testing.T, at, got State) {
				if a := got.Answers["remark"]; a != (Answer{Skipped: true}) {
					t.Errorf("remark = %+v, want skipped", a)
				}
			},
		},
		{
			name: "skip a required question", at: "staff",
			words: []string{"überspringen", "/überspringen", "skip", "/skip"},
			phase: PhaseAsking, cur: "staff", kinds: []PromptKind{PromptError, PromptQuestion},
			texts: []string{"kann nicht übersprungen werden", "„keine Angabe“"},
			check: unchanged,
		},
		{
			name: "skip a required question in English", lang: English, at: "staff",
			words: []string{"skip", "/überspringen"},
			phase: PhaseAsking, cur: "staff", kinds: []PromptKind{PromptError, PromptQuestion},
			texts: []string{"cannot be skipped", "“prefer not to say”"},
		},
		{
			name: "help", at: "kind",
			words: []string{"hilfe", "/hilfe", "Hilfe", "help", "/help", "?"},
			phase: PhaseAsking, cur: "kind", kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"Wählen Sie, was am ehesten passt.", "Befehle:", "„zurück“", "„sprache en“"},
			check: unchanged,
		},
		{
			name: "help in English", lang: English, at: "kind",
			words: []string{"help", "/hilfe"},
			phase: PhaseAsking, cur: "kind", kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"Choose what fits best.", "Commands:", "“back”"},
		},
		{
			name: "help on an item without help text", at: "tools",
			words: []string{"hilfe"},
			phase: PhaseAsking, cur: "tools", kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"Antworten Sie so, wie es für Ihre Organisation am ehesten zutrifft."},
		},
		{
			name: "pause", at: "agree",
			words: []string{"pause", "/pause", "Pause", "später", "later"},
			phase: PhasePaused, cur: "agree", kinds: []PromptKind{PromptInfo},
			texts: []string{"pausiert", "„weiter“"},
			check: func(t *testing.T, at, got State) {
				unchanged(t, at, got)
				if got.Prev != PhaseAsking {
					t.Errorf("Prev = %q, want asking", got.Prev)
				}
			},
		},
		{
			name: "pause in English", lang: English, at: "agree",
			words: []string{"pause", "/pause"},
			phase: PhasePaused, cur: "agree", kinds: []PromptKind{PromptInfo},
			texts: []string{"paused", "“resume”"},
		},
		{
			name: "answers are not taken while paused", at: "agree",
			pre:   typed("pause"),
			words: []string{"3", "ja"},
			phase: PhasePaused, cur: "agree", kinds: []PromptKind{PromptInfo},
			texts: []string{"pausiert"},
			check: unchanged,
		},
		{
			name: "resume", at: "agree",
			pre:   typed("pause"),
			words: []string{"weiter", "/weiter", "fortsetzen", "resume", "/resume", "continue"},
			phase: PhaseAsking, cur: "agree", kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"Willkommen zurück", "Digitalisierung ist uns wichtig"},
			check: unchanged,
		},
		{
			name: "resume in English", lang: English, at: "agree",
			pre:   typed("/pause"),
			words: []string{"resume", "weiter"},
			phase: PhaseAsking, cur: "agree", kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"Welcome back", "Digitalisation matters to us"},
		},
		{
			name: "restart asks for confirmation", at: "agree",
			words: []string{"neustart", "/neustart", "von vorn", "restart", "/restart"},
			phase: PhaseConfirmRestart, cur: "agree", kinds: []PromptKind{PromptConfirm},
			texts: []string{"wirklich von vorn", "Ja, neu beginnen", "Nein, weiter wie bisher"},
			check: unchanged,
		},
		{
			name: "restart confirmed", at: "agree",
			words: []string{"neustart", "/restart"},
			post:  typed("ja"),
			phase: PhaseAsking, cur: "kind", kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"Ihre Antworten wurden verworfen"},
			check: func(t *testing.T, at, got State) {
				if len(got.Answers) != 0 {
					t.Errorf("answers after restart: %v", got.Answers)
				}
			},
		},
		{
			name: "restart confirmed by button, in English", lang: English, at: "agree",
			words: []string{"restart"},
			post:  []Input{{Choice: CodeYes}},
			phase: PhaseAsking, cur: "kind", kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"Your answers have been discarded"},
		},
		{
			name: "restart declined", at: "agree",
			words: []string{"neustart", "restart"},
			post:  typed("nein"),
			phase: PhaseAsking, cur: "agree", kinds: []PromptKind{PromptQuestion},
			check: unchanged,
		},
		{
			name: "restart confirmation needs yes or no", at: "agree",
			words: []string{"neustart"},
			post:  typed("vielleicht"),
			phase: PhaseConfirmRestart, cur: "agree", kinds: []PromptKind{PromptError, PromptConfirm},
			texts: []string{"„ja“ (neu beginnen) oder „nein“"},
			check: unchanged,
		},
		{
			name: "language toggles", at: "kind",
			words: []string{"sprache", "/sprache", "Sprache", "language", "/language"},
			phase: PhaseAsking, cur: "kind", lang2: English, kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"The language is now English.", "What kind of organisation are you?", "Shop", "prefer not to say"},
			check: unchanged,
		},
		{
			name: "language set to English", at: "kind",
			words: []string{"sprache en", "/sprache en", "Sprache EN", "language en", "english"},
			phase: PhaseAsking, cur: "kind", lang2: English, kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"The language is now English.", "What kind of organisation are you?"},
		},
		{
			name: "language set to German", lang: English, at: "kind",
			words: []string{"sprache de", "/language de", "deutsch", "language"},
			phase: PhaseAsking, cur: "kind", lang2: German, kinds: []PromptKind{PromptInfo, PromptQuestion},
			texts: []string{"Die Sprache ist jetzt Deutsch.", "Welche Art von Organisation", "Laden"},
		},
		{
			name: "naming the current language keeps it", lang: English, at: "kind",
			words: []string{"language en", "/sprache english"},
			phase: PhaseAsking, cur: "kind", lang2: English, kinds: []PromptKind{PromptInfo, PromptQuestion},
		},
		{
			name: "an unknown language keeps the language", at: "kind",
			words: []string{"sprache fr", "/sprache französisch", "language fr"},
			phase: PhaseAsking, cur: "kind", kinds: []PromptKind{PromptError, PromptQuestion},
			texts: []string{"Verfügbar sind nur Deutsch und English.", "Welche Art von Organisation"},
			check: unchanged,
		},
		{
			name: "an unknown language keeps English", lang: English, at: "kind",
			words: []string{"language fr", "sprache es"},
			phase: PhaseAsking, cur: "kind", kinds: []PromptKind{PromptError, PromptQuestion},
			texts: []string{"Only Deutsch and English are available.", "What kind of organisation are you?"},
		},
		{
			name: "status", at: "agree",
			words: []string{"status", "/status", "Status", "fortschritt", "progress"},
			phase: PhaseAsking, cur: "agree", kinds: []PromptKind{PromptInfo},
			texts: []string{"Sie sind bei Frage 4 von ca. 9; 3 Antworten sind gespeichert."},
			check: unchanged,
		},
		{
			name: "status in English, paused", lang: English, at: "agree",
			pre:   typed("pause"),
			words: []string{"status", "/status"},
			phase: PhasePaused, cur: "agree", kinds: []PromptKind{PromptInfo},
			texts: []string{"You are at question 4 of about 9; 3 answers are saved.", "paused"},
		},
		{
			name: "done ends a multiple choice", at: "tools",
			pre:   []Input{{Choice: "cloud"}, {Choice: "ai"}},
			words: []string{"fertig", "/fertig", "Fertig", "done", "/done", "finished"},
			phase: PhaseAsking, cur: "trouble", kinds: []PromptKind{PromptQuestion},
			check: func(t *testing.T, at, got State) {
				if a := got.Answers["tools"]; a != (Answer{Value: "cloud,ai"}) {
					t.Errorf("tools = %+v, want cloud,ai", a)
				}
				if len(got.Draft) != 0 {
					t.Errorf("draft left over: %v", got.Draft)
				}
			},
		},
	}
	for _, tt := range tests {
		for _, w := range tt.words {
			t.Run(tt.name+"/"+w, func(t *testing.T) {
				lang := cmp.Or(tt.lang, German)
				at := walk(t, q, begin(t, q, lang, nil), allTypesScript, tt.at)
				st := at
				for _, in := range tt.pre {
					st, _ = step(t, q, st, in)
				}
				st, ps := step(t, q, st, TextInput(w))
				for _, in := range tt.post {
					st, ps = step(t, q, st, in)
				}
				if st.Phase != tt.phase || st.Current != tt.cur {
					t.Errorf("now at %s/%s, want %s/%s", st.Phase, st.Current, tt.phase, tt.cur)
				}
				if want := cmp.Or(tt.lang2, lang); st.Lang != want {
					t.Errorf("language %s, want %s", st.Lang, want)
				}
				if !reflect.DeepEqual(kinds(ps), tt.kinds) {
					t.Errorf("prompts %v, want %v", kinds(ps), tt.kinds)
				}
				text := words(ps)
				for _, want := range tt.texts {
					if !strings.Contains(text, want) {
						t.Errorf("prompts do not say %q:\n%s", want, text)
					}
				}
				if tt.check != nil {
					tt.check(t, at, st)
				}
			})
		}
	}
}

func TestMultipleChoice(t *testing.T) {
	q := allTypesQ(t)
	tests := []struct {
		name   string
		inputs []Input
		draft  []string // still asking, with these options selected
		answer string   // or: the item is answered with this
	}{
		{name: "one button", inputs: []Input{{Choice: "cloud"}}, draft: []string{"cloud"}},
		{name: "buttons keep questionnaire order", inputs: []Input{{Choice: "erp"}, {Choice: "cloud"}}, draft: []string{"cloud", "erp"}},
		{name: "a second press toggles off", inputs: []Input{{Choice: "cloud"}, {Choice: "erp"}, {Choice: "cloud"}}, draft: []string{"erp"}},
		{name: "exclusive option clears the others", inputs: []Input{{Choice: "cloud"}, {Choice: "erp"}, {Choice: "none"}}, draft: []string{"none"}},
		{name: "another option clears the exclusive one", inputs: []Input{{Choice: "none"}, {Choice: "ai"}}, draft: []string{"ai"}},
		{name: "typed numbers", inputs: typed("4 2"), draft: []string{"cloud", "ai"}},
		{name: "typed numbers with commas", inputs: typed("2,3"), draft: []string{"cloud", "erp"}},
		{name: "typed numbers toggle", inputs: typed("2 3", "3 4"), draft: []string{"cloud", "ai"}},
		{name: "typed none then an option", inputs: typed("1 2"), draft: []string{"cloud"}},
		{name: "typed German label", inputs: typed("Cloud-Dienste"), draft: []string{"cloud"}},
		{name: "typed English label", inputs: typed("AI tools"), draft: []string{"ai"}},
		{name: "typed code", inputs: typed("erp"), draft: []string{"erp"}},
		{name: "typed label of the exclusive option", inputs: typed("2", "keine"), draft: []string{"none"}},
		{name: "invalid input keeps the selection", inputs: []Input{{Choice: "erp"}, TextInput("7")}, draft: []string{"erp"}},
		{name: "numbers then fertig", inputs: typed("2", "3 fertig"), answer: "cloud,erp"},
		{name: "buttons then done command", inputs: []Input{{Choice: "paper"}, {Choice: "cloud"}, {Command: CmdDone}}, answer: "cloud,paper"},
		{name: "everything", inputs: typed("2 3 4 5 fertig"), answer: "cloud,erp,ai,paper"},
		{name: "exclusive only", inputs: []Input{{Choice: "none"}, TextInput("done")}, answer: "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := walk(t, q, begin(t, q, German, nil), allTypesScript, "tools")
			var ps []Prompt
			for _, in := range tt.inputs {
				st, ps = step(t, q, st, in)
			}
			if tt.answer != "" {
				if a := st.Answers["tools"]; a != (Answer{Value: tt.answer}) {
					t.Fatalf("answer %+v, want %q", a, tt.answer)
				}
				if st.Current == "tools" || len(st.Draft) != 0 {
					t.Errorf("still at %s with draft %v", st.Current, st.Draft)
				}
				return
			}
			if st.Current != "tools" {
				t.Fatalf("moved on to %s before fertig", st.Current)
			}
			if _, ok := st.Answers["tools"]; ok {
				t.Errorf("answer stored before fertig: %+v", st.Answers["tools"])
			}
			if !slices.Equal(st.Draft, tt.draft) && len(st.Draft)+len(tt.draft) > 0 {
				t.Errorf("draft %v, want %v", st.Draft, tt.draft)
			}
			p := lastQuestion(t, ps)
			var selected []string
			for _, o := range p.Options {
				if o.Selected {
					selected = append(selected, o.Code)
				}
			}
			if !slices.Equal(selected, tt.draft) && len(selected)+len(tt.draft) > 0 {
				t.Errorf("buttons shown selected: %v, want %v", selected, tt.draft)
			}
		})
	}
}

func TestQuestionPrompts(t *testing.T) {
	q := allTypesQ(t)
	tests := []struct {
		item    string
		lang    Lang
		typ     ItemType
		options []string // codes of the buttons, "na" last
		texts   []string
		canSkip bool
	}{
		{"kind", German, Single, []string{"shop", "school", "unsure", "na"}, []string{"Welche Art von Organisation", "Laden", "eine Option (Nummer oder Text)", "„-“ bedeutet keine Angabe"}, false},
		{"tools", German, Multi, []string{"none", "cloud", "erp", "ai", "paper", "na"}, []string{"Mehrfachauswahl", "„fertig“"}, false},
		{"tools", English, Multi, []string{"none", "cloud", "erp", "ai", "paper", "na"}, []string{"Which tools", "Cloud services", "then “done”"}, false},
		{"trouble", German, YesNo, []string{"yes", "no", "na"}, []string{"Ja", "Nein", "„ja“ oder „nein“"}, false},
		{"agree", German, Scale, []string{"1", "2", "3", "4", "5", "na"}, []string{"von 1 (trifft gar nicht zu) bis 5 (trifft voll zu)"}, false},
		{"grade", English, Scale, []string{"1", "2", "3", "4", "5", "6", "na"}, []string{"from 1 (very good) to 6 (insufficient)"}, false},
		{"staff", German, Integer, []string{"na"}, []string{"ganze Zahl von 1 bis 500"}, false},
		{"remark", German, FreeText, []string{"na"}, []string{"höchstens 20 Zeichen"}, true},
		{"plz", English, Postcode, []string{"na"}, []string{"five-digit German postcode"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.item+"/"+string(tt.lang), func(t *testing.T) {
			st := walk(t, q, begin(t, q, tt.lang, nil), allTypesScript, tt.item)
			ps, err := Resume(q, st)
			if err != nil {
				t.Fatal(err)
			}
			p := lastQuestion(t, ps)
			if p.Item != tt.item || p.Type != tt.typ || p.CanSkip != tt.canSkip || p.Repeat {
				t.Errorf("prompt %s/%s skip=%v repeat=%v", p.Item, p.Type, p.CanSkip, p.Repeat)
			}
			if p.CanBack != (tt.item != "kind") {
				t.Errorf("CanBack = %v", p.CanBack)
			}
			var codes []string
			for _, o := range p.Options {
				codes = append(codes, o.Code)
			}
			if !slices.Equal(codes, tt.options) {
				t.Errorf("buttons %v, want %v", codes, tt.options)
			}
			text := words(ps)
			for _, w := range tt.texts {
				if !strings.Contains(text, w) {
					t.Errorf("prompt does not say %q:\n%s", w, text)
				}
			}
		})
	}
}

// ---- routing on the shared core ----

func modulesOf(q *Questionnaire, items []string) map[string]bool {
	out := map[string]bool{}
	for _, id := range items {
		it, _ := q.Item(id)
		out[it.Module().ID] = true
	}
	return out
}

func TestRoutingBusiness(t *testing.T) {
	q := coreQ(t)
	st, ps, asked := runPersona(t, q, nil, businessPersona)
	if st.Phase != PhaseDone {
		t.Fatalf("phase %s after the persona, want done", st.Phase)
	}
	if len(asked) != 29 {
		t.Errorf("asked %d questions, want 29: %v", len(asked), asked)
	}
	mods := modulesOf(q, asked)
	for _, m := range []string{"screening", "consulting", "projects", "maturity", "broadband_business", "skills"} {
		if !mods[m] {
			t.Errorf("business never asked module %s", m)
		}
	}
	for _, m := range []string{"education", "broadband_education"} {
		if mods[m] {
			t.Errorf("business was asked module %s", m)
		}
	}
	if slices.Contains(asked, "sk_it_graduates") {
		t.Error("business was asked the education-only skills item")
	}
	if ps[len(ps)-1].Kind != PromptSummary {
		t.Errorf("last prompts %v, want a summary", kinds(ps))
	}
}

func TestRoutingEducation(t *testing.T) {
	q := coreQ(t)
	st, ps, asked := runPersona(t, q, nil, educationPersona)
	if st.Phase != PhaseDone {
		t.Fatalf("phase %s after the persona, want done", st.Phase)
	}
	mods := modulesOf(q, asked)
	for _, m := range []string{"screening", "education", "broadband_education", "skills"} {
		if !mods[m] {
			t.Errorf("education provider never asked module %s", m)
		}
	}
	for _, m := range []string{"consulting", "projects", "maturity", "broadband_business"} {
		if mods[m] {
			t.Errorf("education provider was asked module %s", m)
		}
	}
	for _, id := range []string{"sector", "sk_apprentices"} {
		if slices.Contains(asked, id) {
			t.Errorf("education provider was asked %s", id)
		}
	}
	if a := st.Answers["bbe_satisfaction"]; a != (Answer{Skipped: true}) {
		t.Errorf("skipped optional item stored as %+v", a)
	}
	sum := ps[len(ps)-1]
	if sum.Kind != PromptSummary || sum.Scores == nil {
		t.Fatalf("last prompt %+v, want a summary with scores", sum)
	}
	// By hand: education (50+50+50+100+75+60)/6, broadband_education
	// (100+50+100)/3 (satisfaction skipped), skills (67+100+0+33)/4.
	want := map[string]float64{"education": 385.0 / 6, "broadband_education": 250.0 / 3, "skills": 50}
	if !reflect.DeepEqual(keys(sum.Scores.Fields), keys(want)) {
		t.Errorf("fields %v, want %v", sum.Scores.Fields, want)
	}
	for f, w := range want {
		if !near(sum.Scores.Fields[f], w) {
			t.Errorf("%s = %v, want %v", f, sum.Scores.Fields[f], w)
		}
	}
	if c := sum.Scores.Composite; c == nil || !near(*c, (385.0/6+250.0/3+50)/3) {
		t.Errorf("composite %v", c)
	}
	if sum.Scores.TechCount != nil {
		t.Errorf("education provider has a technology count %d", *sum.Scores.TechCount)
	}
	if strings.Contains(sum.Text, "Technologien") {
		t.Errorf("summary mentions technologies:\n%s", sum.Text)
	}
}

func keys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func TestCompletionSummary(t *testing.T) {
	q := coreQ(t)
	st, ps, _ := runPersona(t, q, nil, businessPersona)
	if !reflect.DeepEqual(kinds(ps), []PromptKind{PromptSummary}) {
		t.Fatalf("last prompts %v, want the summary", kinds(ps))
	}
	if st.Current != "" || len(st.Draft) != 0 {
		t.Errorf("done state still has current %q / draft %v", st.Current, st.Draft)
	}
	// By hand, from the persona's answers.
	consulting := (100 + 75 + 100 + 0) / 4.0                // 2 of max 2 consultants, scale 4, yes, no
	projects := (70 + 100 + 75) / 3.0                       // 2–3 projects, planned, 3 of max 4 areas
	maturity := (100.0/3 + 80 + 50 + 75 + 100 + 0 + 25) / 7 // 4/12 tech, grade 2 reversed, people NA
	broadband := (100 + 100 + 75) / 3.0                     // download "weiß nicht" is missing
	skills := (100 + 0 + 50 + 0) / 4.0                      // lack of IT staff "ja" is reversed
	want := map[string]float64{"consulting": consulting, "projects": projects, "maturity": maturity, "broadband_business": broadband, "skills": skills}
	sc := ps[0].Scores
	if sc == nil {
		t.Fatal("summary without scores")
	}
	if !reflect.DeepEqual(keys(sc.Fields), keys(want)) {
		t.Errorf("fields %v, want %v", sc.Fields, want)
	}
	for f, w := range want {
		if !near(sc.Fields[f], w) {
			t.Errorf("%s = %v, want %v", f, sc.Fields[f], w)
		}
	}
	composite := (consulting + projects + maturity + broadband + skills) / 5
	if sc.Composite == nil || !near(*sc.Composite, composite) {
		t.Errorf("composite %v, want %v", sc.Composite, composite)
	}
	if sc.TechCount == nil || *sc.TechCount != 4 {
		t.Errorf("technology count %v, want 4", sc.TechCount)
	}
	for _, w := range []string{"Vielen Dank", "Digitalberatung: 69", "Umsetzungsprojekte der Digitalisierung: 82",
		"Digitaler Reifegrad: 52", "Breitbandinfrastruktur gewerblich: 92", "Fachkräftepotenzial: 38",
		"Gesamtindex: 66", "Eingesetzte Technologien: 4 von 12"} {
		if !strings.Contains(ps[0].Text, w) {
			t.Errorf("summary does not say %q:\n%s", w, ps[0].Text)
		}
	}
	if strings.Contains(ps[0].Text, "Bildungseinrichtungen") {
		t.Errorf("summary lists a field the business has no answers for:\n%s", ps[0].Text)
	}

	// Anything after completion shows the summary again and changes nothing.
	for _, in := range []Input{TextInput("3"), TextInput("zurück"), TextInput("neustart")} {
		next, ps := step(t, q, st, in)
		if !reflect.DeepEqual(kinds(ps), []PromptKind{PromptInfo, PromptSummary}) || !strings.Contains(ps[0].Text, "bereits abgeschlossen") {
			t.Errorf("%+v after completion: %v %q", in, kinds(ps), ps[0].Text)
		}
		if !reflect.DeepEqual(next, st) {
			t.Errorf("%+v after completion changed the state", in)
		}
	}
	en, ps := step(t, q, st, TextInput("english"))
	if en.Lang != English || !strings.Contains(words(ps), "Composite index: 66") {
		t.Errorf("summary in English:\n%s", words(ps))
	}
	if ps, err := Resume(q, st); err != nil || len(ps) != 1 || ps[0].Kind != PromptSummary {
		t.Errorf("Resume after completion: %v %v", kinds(ps), err)
	}
}

func TestBackEditChangesPath(t *testing.T) {
	q := coreQ(t)
	st := begin(t, q, German, nil)
	for _, s := range businessPersona[:6] { // org_type … cons_used (chamber selected)
		st, _ = step(t, q, st, s.in)
	}
	st, _ = step(t, q, st, Input{Command: CmdDone})
	if st.Current != "cons_useful" {
		t.Fatalf("at %s, want cons_useful", st.Current)
	}
	var ps []Prompt
	for range 6 { // cons_used, chamber, postcode, size, sector, org_type
		st, ps = step(t, q, st, TextInput("zurück"))
	}
	p := lastQuestion(t, ps)
	if st.Current != "org_type" || p.Item != "org_type" || p.Previous != "Ihre bisherige Antwort: Unternehmen / Betrieb" {
		t.Fatalf("after going back: at %s, prompt %s %q", st.Current, p.Item, p.Previous)
	}
	if len(st.Answers) != 6 {
		t.Fatalf("going back dropped answers: %v", st.Answers)
	}

	before := st
	after, ps := step(t, q, st, TextInput("Bildungseinrichtung"))
	if a := after.Answers["org_type"]; a.Value != "education" {
		t.Errorf("org_type = %+v", a)
	}
	for _, id := range []string{"sector", "cons_used"} {
		if _, ok := after.Answers[id]; ok {
			t.Errorf("business answer %s kept after switching to education", id)
		}
	}
	for _, id := range []string{"size", "postcode", "chamber"} {
		if after.Answers[id] != before.Answers[id] {
			t.Errorf("answer %s changed: %+v -> %+v", id, before.Answers[id], after.Answers[id])
		}
	}
	p = lastQuestion(t, ps)
	if after.Current != "edu_courses" || p.Item != "edu_courses" {
		t.Fatalf("next question %s, want edu_courses", after.Current)
	}
	if it, _ := q.Item(after.Current); it.Module().ID != "education" {
		t.Errorf("next question from module %s", it.Module().ID)
	}
	// org_type, size, postcode, chamber, edu_courses; the path is the 18
	// questions of an education provider.
	if p.Progress != (Progress{Pos: 5, Total: 18}) {
		t.Errorf("progress %+v, want 5/18", p.Progress)
	}
	want := []Change{
		{Item: "org_type", Answer: Answer{Value: "education"}},
		{Item: "sector", Dropped: true},
		{Item: "cons_used", Dropped: true},
	}
	if got := Changes(q, before, after); !reflect.DeepEqual(got, want) {
		t.Errorf("Changes = %+v\nwant      %+v", got, want)
	}
}

func TestConsent(t *testing.T) {
	q := coreQ(t)
	fixed := map[string]string{"chamber": "hwk_h"}
	t.Run("prompt", func(t *testing.T) {
		for _, lang := range []Lang{German, English} {
			_, ps, err := Start(q, lang, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := map[Lang][]string{
				German:  {"Digitalisierung im Mittelstand", "pseudonymisiert", "Möchten Sie an der Umfrage teilnehmen?", "Ja, ich bin einverstanden"},
				English: {"Digitalisation of SMEs", "pseudonymously", "Would you like to take part", "Yes, I agree"},
			}[lang]
			for _, w := range want {
				if !strings.Contains(words(ps), w) {
					t.Errorf("%s consent prompt does not say %q", lang, w)
				}
			}
			if codes := []string{ps[0].Options[0].Code, ps[0].Options[1].Code}; !slices.Equal(codes, []string{CodeYes, CodeNo}) {
				t.Errorf("consent buttons %v", codes)
			}
		}
	})
	for _, in := range []Input{TextInput("ja"), TextInput("Ja, ich bin einverstanden"), TextInput("1"), TextInput("yes"), TextInput("ok"), {Choice: CodeYes}} {
		t.Run(fmt.Sprintf("accept %q%q", in.Text, in.Choice), func(t *testing.T) {
			st, _, _ := Start(q, German, fixed)
			st, ps := step(t, q, st, in)
			if st.Phase != PhaseAsking || st.Current != "org_type" || lastQuestion(t, ps).Item != "org_type" {
				t.Errorf("after accepting: %s/%s", st.Phase, st.Current)
			}
		})
	}
	for _, tt := range []struct {
		lang Lang
		in   Input
		want string
	}{
		{German, TextInput("nein"), "keine weiteren Daten"},
		{German, TextInput("Nein, danke"), "keine weiteren Daten"},
		{German, TextInput("2"), "keine weiteren Daten"},
		{German, Input{Choice: CodeNo}, "keine weiteren Daten"},
		{English, TextInput("no"), "stored only that you declined"},
	} {
		t.Run(fmt.Sprintf("decline %s %q%q", tt.lang, tt.in.Text, tt.in.Choice), func(t *testing.T) {
			st, _, _ := Start(q, tt.lang, fixed)
			next, ps := step(t, q, st, tt.in)
			if next.Phase != PhaseDeclined {
				t.Fatalf("phase %s, want declined", next.Phase)
			}
			// Only what the invitation fixed stays, none of the respondent's own.
			if len(next.Answers) != 1 || !next.Answers["chamber"].Fixed || len(next.Draft) != 0 || next.Current != "" {
				t.Errorf("declined state keeps data: %+v", next)
			}
			if !reflect.DeepEqual(kinds(ps), []PromptKind{PromptGoodbye}) || !strings.Contains(ps[0].Text, tt.want) {
				t.Errorf("prompts %v %q, want goodbye saying %q", kinds(ps), ps[0].Text, tt.want)
			}
			if ch := Changes(q, st, next); len(ch) != 0 {
				t.Errorf("Changes = %+v, want none (nothing was answered)", ch)
			}
			// Afterwards nothing is asked until the respondent restarts.
			again, ps := step(t, q, next, TextInput("1"))
			if again.Phase != PhaseDeclined || ps[0].Kind != PromptInfo || len(again.Answers) != 1 {
				t.Errorf("input after declining: %s %v", again.Phase, kinds(ps))
			}
			re, ps := step(t, q, next, TextInput("neustart"))
			if re.Phase != PhaseConsent || ps[0].Kind != PromptConsent || re.Answers["chamber"].Value != "hwk_h" {
				t.Errorf("restart after declining: %s %v %v; want the consent again with the invitation's chamber kept", re.Phase, kinds(ps), re.Answers)
			}
		})
	}
	t.Run("neither yes nor no", func(t *testing.T) {
		st, _, _ := Start(q, German, nil)
		next, ps := step(t, q, st, TextInput("vielleicht"))
		if next.Phase != PhaseConsent || !reflect.DeepEqual(kinds(ps), []PromptKind{PromptError, PromptConsent}) {
			t.Errorf("%s %v", next.Phase, kinds(ps))
		}
		if !strings.Contains(ps[0].Text, "„ja“ oder „nein“") {
			t.Errorf("error %q", ps[0].Text)
		}
		next, ps = step(t, q, st, TextInput("status"))
		if next.Phase != PhaseConsent || !strings.Contains(ps[0].Text, "noch nicht begonnen") {
			t.Errorf("status before consent: %q", ps[0].Text)
		}
	})
}

func TestFixedAnswers(t *testing.T) {
	q := coreQ(t)
	fixed := map[string]string{"chamber": "hwk_h"}
	st := begin(t, q, German, fixed)
	if a := st.Answers["chamber"]; a != (Answer{Value: "hwk_h", Fixed: true}) {
		t.Fatalf("fixed answer stored as %+v", a)
	}
	ps, _ := Resume(q, st)
	// The estimate before the first answer is the business path, 29 (see
	// TestProgress); the fixed chamber is not counted.
	if p := lastQuestion(t, ps).Progress; p != (Progress{Pos: 1, Total: 28}) {
		t.Errorf("progress at the first question %+v, want 1/28", p)
	}
	var persona []scripted
	for _, s := range businessPersona {
		if s.item != "chamber" {
			persona = append(persona, s)
		}
	}
	done, _, asked := runPersona(t, q, fixed, persona)
	if slices.Contains(asked, "chamber") {
		t.Error("fixed item was asked")
	}
	if done.Phase != PhaseDone || done.Answers["chamber"] != (Answer{Value: "hwk_h", Fixed: true}) {
		t.Errorf("after completion: %s, chamber %+v", done.Phase, done.Answers["chamber"])
	}

	// Back from the question after the postcode skips the fixed chamber.
	st = walk(t, q, st, map[string]Input{"org_type": {Choice: "business"}, "sector": TextInput("1"), "size": TextInput("1"), "postcode": TextInput("30159")}, "cons_used")
	ps, _ = Resume(q, st)
	// org_type, sector, size, postcode, cons_used: 5 of the business's 29 questions less the chamber
	if p := lastQuestion(t, ps).Progress; p != (Progress{Pos: 5, Total: 28}) {
		t.Errorf("progress at cons_used %+v, want 5/28", p)
	}
	back, ps := step(t, q, st, TextInput("zurück"))
	if back.Current != "postcode" {
		t.Errorf("back went to %s, want postcode", back.Current)
	}
	_, ps = step(t, q, st, TextInput("status"))
	if !strings.Contains(ps[0].Text, "Frage 5 von ca. 28; 4 Antworten") {
		t.Errorf("status counts the fixed answer: %q", ps[0].Text)
	}
	// Restarting keeps what was known beforehand.
	st, _ = step(t, q, st, TextInput("neustart"))
	st, _ = step(t, q, st, TextInput("ja"))
	if len(st.Answers) != 1 || st.Answers["chamber"] != (Answer{Value: "hwk_h", Fixed: true}) {
		t.Errorf("answers after restart: %v", st.Answers)
	}

	for _, tt := range []struct {
		name  string
		fixed map[string]string
		want  string
	}{
		{"unknown item", map[string]string{"guild": "x"}, "unknown item"},
		{"invalid code", map[string]string{"chamber": "hwk_xx"}, "not valid"},
		{"invalid postcode", map[string]string{"postcode": "123"}, "not valid"},
		{"empty multi", map[string]string{"cons_used": ""}, "not valid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := Start(q, German, tt.fixed); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start error %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("multi fixed answers are normalised", func(t *testing.T) {
		for v, want := range map[string]string{
			"mdz,chamber":       "chamber,mdz", // questionnaire order
			"mdz,none":          "none",        // like pressing the buttons in turn
			"none,edih,chamber": "chamber,edih",
			"mdz,mdz":           "mdz",
		} {
			st, _, err := Start(q, German, map[string]string{"cons_used": v})
			if err != nil {
				t.Fatal(err)
			}
			if a := st.Answers["cons_used"]; a != (Answer{Value: want, Fixed: true}) {
				t.Errorf("fixed cons_used %q stored as %+v, want %q", v, a, want)
			}
		}
	})
}

func TestProgress(t *testing.T) {
	at := allTypesQ(t)
	core := coreQ(t)
	tests := []struct {
		name   string
		q      *Questionnaire
		inputs []Input
		want   Progress
	}{
		// Before an answer, a module condition follows the first option (kind
		// shop shows module shopmod) and a follow-up question counts as asked
		// (trouble, until tools is answered).
		{"alltypes first question", at, nil, Progress{1, 9}},
		{"alltypes school", at, []Input{{Choice: "school"}}, Progress{2, 8}},
		{"alltypes shop with tools", at, typed("1", "2 fertig"), Progress{3, 9}},
		{"alltypes school without tools", at, typed("2", "1 fertig"), Progress{3, 7}},
		{"alltypes skipped and NA count", at, typed("2", "1 fertig", "-", "3", "12", "skip"), Progress{7, 7}},
		{"alltypes back", at, typed("1", "2 fertig", "zurück"), Progress{2, 9}},
		// 29 business questions, plus the education provider's sk_it_graduates
		// until org_type is answered.
		{"core first question", core, nil, Progress{1, 29}},
		{"core education", core, typed("2"), Progress{2, 18}},
		{"core education with courses", core, typed("2", "1", "30159", "1", "3"), Progress{6, 18}},
		{"core business with consulting", core, typed("1", "1", "1", "30159", "1", "2 fertig"), Progress{7, 29}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := begin(t, tt.q, German, nil)
			for _, in := range tt.inputs {
				st, _ = step(t, tt.q, st, in)
			}
			ps, _ := Resume(tt.q, st)
			if p := lastQuestion(t, ps).Progress; p != tt.want {
				t.Errorf("progress %+v, want %+v", p, tt.want)
			}
		})
	}
	t.Run("the last business question is the last of the path", func(t *testing.T) {
		st := begin(t, core, German, nil)
		for _, s := range businessPersona[:len(businessPersona)-1] {
			st, _ = step(t, core, st, s.in)
		}
		ps, _ := Resume(core, st)
		if p := lastQuestion(t, ps).Progress; p != (Progress{29, 29}) {
			t.Errorf("progress %+v, want 29/29", p)
		}
	})
}

func TestStepDoesNotMutateInput(t *testing.T) {
	q := coreQ(t)
	probes := []Input{
		TextInput("zurück"), TextInput("skip"), TextInput("-"), {Choice: CodeNA}, TextInput("hilfe"),
		TextInput("pause"), TextInput("weiter"), TextInput("neustart"), TextInput("sprache"), TextInput("status"),
		TextInput("fertig"), TextInput("1"), TextInput("2 3"), TextInput("banana"), {Choice: "none"}, {Choice: "chamber"},
		{Choice: CodeYes}, {Choice: CodeNo}, {Command: CmdDone}, TextInput("30159"),
	}
	st, _, _ := Start(q, German, map[string]string{"chamber": "hwk_h"})
	states := []State{st}
	st = begin(t, q, German, map[string]string{"chamber": "hwk_h"})
	for _, s := range businessPersona {
		if s.item == "chamber" {
			continue
		}
		states = append(states, st)
		st, _ = step(t, q, st, s.in)
	}
	states = append(states, st)
	for _, st := range states {
		for _, in := range probes {
			before := snapshot(st)
			next, _, err := Step(q, st, in)
			if err != nil {
				t.Fatalf("Step(%+v) at %s: %v", in, st.Current, err)
			}
			if !reflect.DeepEqual(st, before) {
				t.Fatalf("Step(%+v) at %s/%s changed its input:\nbefore %+v\nafter  %+v", in, st.Phase, st.Current, before, st)
			}
			// The new state must not share memory with the old one either.
			next.Answers["zz_probe"] = Answer{Value: "x"}
			if len(next.Draft) > 0 {
				next.Draft[0] = "zz_probe"
			}
			if !reflect.DeepEqual(st, before) {
				t.Fatalf("Step(%+v) at %s/%s returned a state sharing memory with its input", in, st.Phase, st.Current)
			}
		}
	}
}

func TestWrongQuestionnaire(t *testing.T) {
	core, at := coreQ(t), allTypesQ(t)
	st := begin(t, at, German, nil)
	if _, _, err := Step(core, st, TextInput("1")); !errors.Is(err, ErrWrongQuestionnaire) {
		t.Errorf("Step with another questionnaire's state: %v", err)
	}
	if _, err := Resume(core, st); !errors.Is(err, ErrWrongQuestionnaire) {
		t.Errorf("Resume with another questionnaire's state: %v", err)
	}
	st = begin(t, core, German, nil)
	st.Questionnaire.Version = 2
	if _, _, err := Step(core, st, TextInput("1")); !errors.Is(err, ErrWrongQuestionnaire) {
		t.Errorf("Step with another version's state: %v", err)
	}
	st = begin(t, core, German, nil)
	st.Current = "no_such_item"
	if _, _, err := Step(core, st, TextInput("1")); err == nil || errors.Is(err, ErrWrongQuestionnaire) {
		t.Errorf("Step asking an unknown item: %v", err)
	}
}

func TestResume(t *testing.T) {
	q := allTypesQ(t)
	start, _, _ := Start(q, English, nil)
	asking := walk(t, q, begin(t, q, German, nil), allTypesScript, "agree")
	paused, _ := step(t, q, asking, TextInput("pause"))
	confirm, _ := step(t, q, asking, TextInput("neustart"))
	tests := []struct {
		name string
		st   State
		kind PromptKind
		text string
	}{
		{"consent", start, PromptConsent, "Would you like to take part"},
		{"asking", asking, PromptQuestion, "Digitalisierung ist uns wichtig"},
		{"paused", paused, PromptInfo, "pausiert"},
		{"confirm restart", confirm, PromptConfirm, "wirklich von vorn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := Resume(q, tt.st)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 1 || ps[0].Kind != tt.kind || !strings.Contains(ps[0].Text, tt.text) || ps[0].Repeat {
				t.Errorf("Resume = %v %q", kinds(ps), words(ps))
			}
		})
	}
}
