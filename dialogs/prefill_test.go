package dialogs

import (
	"strings"
	"testing"
)

// lastWave is what a craft business answered in its previous wave.
var lastWave = map[string]string{"org_type": "business", "sector": "handwerk", "size": "s10_49", "postcode": "30159", "chamber": "hwk_h"}

// prefilled starts a dialog with fixed answers, proposes prev and gives
// consent, which brings up the prefill question (or the first question,
// if nothing was proposed).
func prefilled(tb testing.TB, q *Questionnaire, lang Lang, fixed, prev map[string]string) (State, []Prompt) {
	tb.Helper()
	st, _, err := Start(q, lang, fixed)
	if err != nil {
		tb.Fatal(err)
	}
	st = Prefill(q, st, prev)
	return step(tb, q, st, Input{Choice: CodeYes})
}

func prefilledItems(st State) []string {
	var out []string
	for id, a := range st.Answers {
		if a.Prefilled {
			out = append(out, id)
		}
	}
	return out
}

func TestPrefillProposes(t *testing.T) {
	q := coreQ(t)
	hwk := map[string]string{"chamber": "hwk_h"}
	tests := []struct {
		name     string
		lang     Lang
		fixed    map[string]string
		prev     map[string]string
		wantText string            // the prefill question, "" if none is asked
		wantAsk  string            // the first question, if there is no prefill question
		want     map[string]Answer // answers of the screening items after Prefill
	}{
		{
			name: "every screening answer", lang: German, prev: lastWave,
			wantText: "Noch aktuell? Unternehmen / Betrieb · Handwerk · 10–49 Beschäftigte · PLZ 30159 · HWK Hannover",
		},
		{
			name: "in English", lang: English, prev: lastWave,
			wantText: "Still correct? Business · Crafts · 10–49 employees · postcode 30159 · HWK Hannover",
		},
		{
			name: "the fixed chamber is not prefilled", lang: German, fixed: map[string]string{"chamber": "ihk_h"}, prev: lastWave,
			wantText: "Noch aktuell? Unternehmen / Betrieb · Handwerk · 10–49 Beschäftigte · PLZ 30159",
			want: map[string]Answer{
				"org_type": {Value: "business", Prefilled: true}, "sector": {Value: "handwerk", Prefilled: true},
				"size": {Value: "s10_49", Prefilled: true}, "postcode": {Value: "30159", Prefilled: true},
				"chamber": {Value: "ihk_h", Fixed: true},
			},
		},
		{
			name: "an option code that no longer exists is dropped", lang: German, fixed: hwk,
			prev:     map[string]string{"org_type": "business", "sector": "bergbau", "size": "s10_49"},
			wantText: "Noch aktuell? Unternehmen / Betrieb · 10–49 Beschäftigte",
			want:     map[string]Answer{"org_type": {Value: "business", Prefilled: true}, "size": {Value: "s10_49", Prefilled: true}, "chamber": {Value: "hwk_h", Fixed: true}},
		},
		{
			name: "a postcode outside the area is dropped", lang: German, fixed: hwk,
			prev:     map[string]string{"size": "s1_9", "postcode": "80331"},
			wantAsk:  "org_type", // the proposal comes when the dialog reaches size
			want:     map[string]Answer{"size": {Value: "s1_9", Prefilled: true}, "chamber": {Value: "hwk_h", Fixed: true}},
			wantText: "",
		},
		{
			name: "an answer the proposal keeps off the path is dropped", lang: German, fixed: hwk,
			prev:     map[string]string{"org_type": "education", "sector": "handwerk", "size": "s1_9"},
			wantText: "Noch aktuell? Bildungseinrichtung · 1–9 Beschäftigte",
			want:     map[string]Answer{"org_type": {Value: "education", Prefilled: true}, "size": {Value: "s1_9", Prefilled: true}, "chamber": {Value: "hwk_h", Fixed: true}},
		},
		{
			name: "keine Angabe and items outside the prefill module are not proposed", lang: German, fixed: hwk,
			prev:    map[string]string{"org_type": "na", "cons_plan": "yes", "mat_grade": "2"},
			wantAsk: "org_type",
			want:    map[string]Answer{"chamber": {Value: "hwk_h", Fixed: true}},
		},
		{name: "nothing to propose", lang: German, fixed: hwk, wantAsk: "org_type", want: map[string]Answer{"chamber": {Value: "hwk_h", Fixed: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, ps := prefilled(t, q, tt.lang, tt.fixed, tt.prev)
			if tt.want != nil && !equalAnswers(st.Answers, tt.want) {
				t.Errorf("answers %v, want %v", st.Answers, tt.want)
			}
			if tt.wantText == "" {
				if st.Phase != PhaseAsking || st.Current != tt.wantAsk {
					t.Fatalf("after consent at %s/%s, want %s asked", st.Phase, st.Current, tt.wantAsk)
				}
				return
			}
			p := ps[len(ps)-1]
			if st.Phase != PhaseConfirmPrefill || p.Kind != PromptConfirm || p.Item != PrefillPrompt {
				t.Fatalf("after consent at %s/%s, prompt %s %q; want the prefill question", st.Phase, st.Current, p.Kind, p.Item)
			}
			if p.Text != tt.wantText {
				t.Errorf("prefill question %q, want %q", p.Text, tt.wantText)
			}
			yes, change := "Ja, stimmt", "Ändern"
			if tt.lang == English {
				yes, change = "Yes", "Change"
			}
			if len(p.Options) != 2 || p.Options[0] != (Choice{Code: CodeYes, Label: yes}) || p.Options[1] != (Choice{Code: CodeNo, Label: change}) {
				t.Errorf("options %+v", p.Options)
			}
		})
	}
}

func equalAnswers(got, want map[string]Answer) bool {
	if len(got) != len(want) {
		return false
	}
	for id, a := range want {
		if got[id] != a {
			return false
		}
	}
	return true
}

func TestPrefillConfirm(t *testing.T) {
	q := coreQ(t)
	hwk := map[string]string{"chamber": "hwk_h"}
	confirmed := map[string]Answer{
		"org_type": {Value: "business"}, "sector": {Value: "handwerk"}, "size": {Value: "s10_49"},
		"postcode": {Value: "30159"}, "chamber": {Value: "hwk_h", Fixed: true},
	}
	tests := []struct {
		name      string
		lang      Lang
		in        Input
		wantAsk   string            // "" for still at the prefill question
		want      map[string]Answer // nil for unchanged
		wantError string            // the error prompt's text, if any
	}{
		{name: "yes button", in: Input{Choice: CodeYes, Item: PrefillPrompt}, wantAsk: "cons_used", want: confirmed},
		{name: "typed ja", in: TextInput("ja"), wantAsk: "cons_used", want: confirmed},
		{name: "typed yes", in: TextInput("Yes"), wantAsk: "cons_used", want: confirmed},
		{name: "typed 1", in: TextInput(" 1 "), wantAsk: "cons_used", want: confirmed},
		{name: "typed button label", in: TextInput("Ja, stimmt"), wantAsk: "cons_used", want: confirmed},
		{name: "change button", in: Input{Choice: CodeNo, Item: PrefillPrompt}, wantAsk: "org_type", want: map[string]Answer{"chamber": {Value: "hwk_h", Fixed: true}}},
		{name: "typed ändern", in: TextInput("Ändern"), wantAsk: "org_type", want: map[string]Answer{"chamber": {Value: "hwk_h", Fixed: true}}},
		{name: "typed 2", in: TextInput("2"), wantAsk: "org_type", want: map[string]Answer{"chamber": {Value: "hwk_h", Fixed: true}}},
		{
			name: "invalid input", in: TextInput("vielleicht"),
			wantError: "Bitte antworten Sie mit „ja“ (die Angaben stimmen noch) oder „ändern“ (die Fragen einzeln beantworten).",
		},
		{
			name: "invalid input in English", lang: English, in: TextInput("maybe"),
			wantError: "Please answer “yes” (still correct) or “change” (answer the questions one by one).",
		},
		{name: "an option code is not an answer", in: Input{Choice: "business"}, wantError: "Bitte antworten Sie mit „ja“"},
		{name: "keine Angabe is not an answer", in: TextInput("keine Angabe"), wantError: "Bitte antworten Sie mit „ja“"},
		{name: "a press on an old question is stale", in: Input{Choice: "business", Item: "org_type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lang := tt.lang
			if lang == "" {
				lang = German
			}
			st, _ := prefilled(t, q, lang, hwk, lastWave)
			next, ps := step(t, q, st, tt.in)
			if tt.wantAsk == "" {
				if !next.Equal(st) {
					t.Errorf("state changed: %+v", next)
				}
				if tt.wantError == "" {
					if len(ps) != 1 || ps[0].Kind != PromptStale {
						t.Errorf("prompts %v, want one stale notice", kinds(ps))
					}
					return
				}
				if len(ps) != 2 || ps[0].Kind != PromptError || !strings.HasPrefix(ps[0].Text, tt.wantError) || ps[1].Item != PrefillPrompt {
					t.Errorf("prompts %v %q, want the error %q and the prefill question again", kinds(ps), ps[0].Text, tt.wantError)
				}
				return
			}
			if next.Phase != PhaseAsking || next.Current != tt.wantAsk || lastQuestion(t, ps).Item != tt.wantAsk {
				t.Errorf("at %s/%s, want %s asked", next.Phase, next.Current, tt.wantAsk)
			}
			if !equalAnswers(next.Answers, tt.want) {
				t.Errorf("answers %v, want %v", next.Answers, tt.want)
			}
		})
	}
}

func TestPrefillNavigation(t *testing.T) {
	q := coreQ(t)
	hwk := map[string]string{"chamber": "hwk_h"}

	t.Run("back after the block asks its last item, with the answer", func(t *testing.T) {
		st, _ := prefilled(t, q, German, hwk, lastWave)
		st, _ = step(t, q, st, Input{Choice: CodeYes})
		back, ps := step(t, q, st, TextInput("zurück"))
		p := lastQuestion(t, ps)
		if back.Phase != PhaseAsking || back.Current != "postcode" || p.Previous != "Ihre bisherige Antwort: 30159" {
			t.Errorf("back went to %s/%s, previous %q; want postcode with 30159", back.Phase, back.Current, p.Previous)
		}
		// Keeping it goes on where the respondent was.
		next, _ := step(t, q, back, TextInput("30159"))
		if next.Current != "cons_used" {
			t.Errorf("after the postcode again at %s", next.Current)
		}
	})
	t.Run("back at the prefill question that comes first", func(t *testing.T) {
		st, _ := prefilled(t, q, German, hwk, lastWave)
		next, ps := step(t, q, st, TextInput("zurück"))
		if !next.Equal(st) || ps[0].Kind != PromptInfo || ps[0].Text != "Das ist bereits die erste Frage." || ps[1].Item != PrefillPrompt {
			t.Errorf("back at the first prompt: %s/%s, %v", next.Phase, next.Current, kinds(ps))
		}
	})
	t.Run("back at the prefill question asks the question before it", func(t *testing.T) {
		st, ps := prefilled(t, q, German, hwk, map[string]string{"size": "s10_49", "postcode": "30159"})
		if st.Current != "org_type" {
			t.Fatalf("first asked %s, want org_type", st.Current)
		}
		st, _ = step(t, q, st, Input{Choice: "business"})
		st, ps = step(t, q, st, TextInput("Handwerk"))
		if st.Phase != PhaseConfirmPrefill || ps[0].Text != "Noch aktuell? 10–49 Beschäftigte · PLZ 30159" {
			t.Fatalf("after sector at %s/%s: %q", st.Phase, st.Current, ps[0].Text)
		}
		back, ps := step(t, q, st, Input{Command: CmdBack, Item: PrefillPrompt})
		if back.Phase != PhaseAsking || back.Current != "sector" || lastQuestion(t, ps).Item != "sector" {
			t.Fatalf("back went to %s/%s", back.Phase, back.Current)
		}
		if got := prefilledItems(back); len(got) != 2 {
			t.Errorf("back dropped the proposals: %v", got)
		}
		again, ps := step(t, q, back, TextInput("Industrie"))
		if again.Phase != PhaseConfirmPrefill || ps[0].Item != PrefillPrompt {
			t.Errorf("after sector again at %s/%s, want the prefill question", again.Phase, again.Current)
		}
	})
	t.Run("pause, restart no and a language switch return to the prefill question", func(t *testing.T) {
		st, _ := prefilled(t, q, German, hwk, lastWave)
		for _, ins := range [][]Input{typed("pause", "weiter"), typed("neustart", "nein"), typed("hilfe"), typed("status")} {
			cur := st
			var ps []Prompt
			for _, in := range ins {
				cur, ps = step(t, q, cur, in)
			}
			if !cur.Equal(st) {
				t.Errorf("after %v at %s/%s", ins, cur.Phase, cur.Current)
			}
			if ins[0].Text != "status" && ps[len(ps)-1].Item != PrefillPrompt {
				t.Errorf("after %v prompts %v", ins, kinds(ps))
			}
		}
		if _, ps := step(t, q, st, TextInput("status")); !strings.HasSuffix(ps[0].Text, "; 0 Antworten sind gespeichert.") {
			t.Errorf("status counts proposals as saved answers: %q", ps[0].Text)
		}
		en, ps := step(t, q, st, TextInput("sprache en"))
		if en.Phase != PhaseConfirmPrefill || !strings.HasPrefix(ps[1].Text, "Still correct? Business · Crafts") {
			t.Errorf("after a language switch %s: %q", en.Phase, ps[len(ps)-1].Text)
		}
	})
	t.Run("restart yes drops the proposals", func(t *testing.T) {
		st, _ := prefilled(t, q, German, hwk, lastWave)
		st, _ = step(t, q, st, TextInput("neustart"))
		st, _ = step(t, q, st, TextInput("ja"))
		if st.Phase != PhaseAsking || st.Current != "org_type" || len(prefilledItems(st)) != 0 {
			t.Errorf("after restart at %s/%s with %v", st.Phase, st.Current, st.Answers)
		}
	})
}

func TestPrefillNeverScoredUnconfirmed(t *testing.T) {
	q := coreQ(t)
	st, _, err := Start(q, German, nil)
	if err != nil {
		t.Fatal(err)
	}
	st = Prefill(q, st, lastWave)
	for id, a := range st.Answers {
		if a.Given() {
			t.Errorf("unconfirmed %s counts as given", id)
		}
	}
	// Confirmed and played to the end, the dialog completes with every
	// screening answer given, none of them a proposal.
	st, _ = step(t, q, st, Input{Choice: CodeYes})
	st, _ = step(t, q, st, TextInput("ja"))
	var persona []scripted
	for _, s := range businessPersona {
		if _, proposed := lastWave[s.item]; !proposed {
			persona = append(persona, s)
		}
	}
	for i, s := range persona {
		if st.Phase != PhaseAsking || st.Current != s.item {
			t.Fatalf("input %d: engine asks %s/%s, persona expects %s", i, st.Phase, st.Current, s.item)
		}
		st, _ = step(t, q, st, s.in)
	}
	if st.Phase != PhaseDone {
		t.Fatalf("not done: %s/%s", st.Phase, st.Current)
	}
	for id := range lastWave {
		if a := st.Answers[id]; a.Prefilled || !a.Given() {
			t.Errorf("%s at completion: %+v", id, a)
		}
	}
}

func TestPrefillRestore(t *testing.T) {
	q := coreQ(t)
	st, _, err := Start(q, German, map[string]string{"chamber": "hwk_h"})
	if err != nil {
		t.Fatal(err)
	}
	st = Prefill(q, st, lastWave)
	stored := st.Answers // what the store keeps, Prefilled flags and all

	// Lost before consent: the proposals are still made after it.
	r := Restore(q, German, PhaseConsent, stored)
	r, ps := step(t, q, r, TextInput("ja"))
	if r.Phase != PhaseConfirmPrefill || ps[0].Item != PrefillPrompt {
		t.Fatalf("restored before consent, then consent: %s/%s", r.Phase, r.Current)
	}
	// Lost at the prefill question: the store says answering, and the
	// dialog is back at the question.
	r = Restore(q, German, PhaseAsking, stored)
	if !r.Equal(snapshotAt(st, PhaseConfirmPrefill, "org_type")) {
		t.Errorf("restored mid-confirmation: %+v", r)
	}
	r, _ = step(t, q, r, Input{Choice: CodeYes, Item: PrefillPrompt})
	if r.Current != "cons_used" || len(prefilledItems(r)) != 0 {
		t.Errorf("confirmed after restore: at %s, still proposed %v", r.Current, prefilledItems(r))
	}
}

func snapshotAt(st State, phase Phase, cur string) State {
	st = snapshot(st)
	st.Phase, st.Current = phase, cur
	return st
}

func TestPrefillKeepsInput(t *testing.T) {
	q := coreQ(t)
	st, _, err := Start(q, German, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(st)
	_ = Prefill(q, st, lastWave)
	if !st.Equal(before) || len(st.Answers) != 0 {
		t.Errorf("Prefill changed its input: %+v", st.Answers)
	}
	// An answer already given is not overwritten.
	st.Answers = map[string]Answer{"size": {Value: "s250"}}
	if a := Prefill(q, st, lastWave).Answers["size"]; a != (Answer{Value: "s250"}) {
		t.Errorf("given size became %+v", a)
	}
}
