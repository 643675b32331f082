package dialogs

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// ---- the shared core ----

func TestLoadCore(t *testing.T) {
	q, err := LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	if q.Ref() != (Ref{ID: "dimn", Version: 1}) || q.Core() != q.Ref() {
		t.Errorf("Ref %v, Core %v, want dimn@1 for both", q.Ref(), q.Core())
	}
	if !strings.Contains(q.Title.De, "Niedersachsen") || q.Privacy.De == "" {
		t.Errorf("title %q, privacy %q", q.Title.De, q.Privacy.De)
	}
	items := q.Items()
	if len(items) < 35 {
		t.Errorf("core has %d items, want at least 35", len(items))
	}
	seen := map[string]bool{}
	for _, it := range items {
		if !q.InCore(it) {
			t.Errorf("%s: InCore false in the core itself", it.ID)
		}
		if seen[it.ID] {
			t.Errorf("%s: listed twice", it.ID)
		}
		seen[it.ID] = true
		if got, ok := q.Item(it.ID); !ok || got != it {
			t.Errorf("Item(%q) does not find it", it.ID)
		}
	}
	if _, ok := q.Item("no_such_item"); ok {
		t.Error("Item finds an unknown id")
	}
	if items[0].ID != "org_type" || items[0].Module().ID != "screening" {
		t.Errorf("first item %s in module %s, want the screening's org_type", items[0].ID, items[0].Module().ID)
	}

	// CoreSource hands out a copy: changing it does not change the embedded core.
	src := CoreSource()
	if !bytes.HasPrefix(bytes.TrimSpace(src), []byte("#")) || !bytes.Contains(src, []byte("id: dimn")) {
		t.Fatalf("CoreSource does not look like the core: %.60q", src)
	}
	copy(src, "garbage")
	if _, err := LoadCore(); err != nil {
		t.Errorf("LoadCore after changing CoreSource's copy: %v", err)
	}
}

func TestCoreFields(t *testing.T) {
	q := coreQ(t)
	scored := map[string]int{}
	for _, it := range q.Items() {
		if it.Score != nil {
			scored[it.Score.Field]++
		}
	}
	for _, id := range []string{"education", "consulting", "projects", "maturity", "broadband_business", "broadband_education", "skills"} {
		f, ok := q.Field(id)
		if !ok {
			t.Errorf("field %s is not declared", id)
			continue
		}
		if f.Title.De == "" || f.Title.En == "" {
			t.Errorf("field %s has title %+v", id, f.Title)
		}
		if scored[id] < 3 {
			t.Errorf("field %s has %d scored items, want at least 3", id, scored[id])
		}
	}
	if len(q.Fields) != 7 {
		t.Errorf("%d fields declared, want the seven of the design", len(q.Fields))
	}
	if _, ok := q.Field("nonsense"); ok {
		t.Error("Field finds an undeclared field")
	}
}

func TestCoreTranslations(t *testing.T) {
	q := coreQ(t)
	check := func(where string, tx Text) {
		t.Helper()
		if strings.TrimSpace(tx.De) == "" || strings.TrimSpace(tx.En) == "" {
			t.Errorf("%s: %+v lacks German or English", where, tx)
		}
	}
	check("title", q.Title)
	check("privacy", q.Privacy)
	for _, f := range q.Fields {
		check("field "+f.ID, f.Title)
	}
	for _, m := range q.Modules {
		check("module "+m.ID, m.Title)
	}
	for _, it := range q.Items() {
		check(it.ID+" text", it.Text)
		check(it.ID+" help", it.Help)
		for _, o := range it.Options {
			check(it.ID+" option "+o.Code, o.Label)
		}
		if it.Type == Scale {
			check(it.ID+" low", it.Low)
			check(it.ID+" high", it.High)
		}
	}
}

// shown reports whether an item's conditions hold for the answers, by the
// rules of docs/questionnaire-format.md (written out here, independently of
// the engine).
func shown(it *Item, answers map[string]Answer) bool {
	for _, c := range slices.Concat(it.Module().When, it.When) {
		a := answers[c.Item]
		var codes []string
		if !a.NA && !a.Skipped && a.Value != "" {
			codes = strings.Split(a.Value, ",")
		}
		anyIn := func(list []string) bool {
			for _, code := range codes {
				if slices.Contains(list, code) {
					return true
				}
			}
			return false
		}
		if len(c.In) > 0 && !anyIn(c.In) {
			return false
		}
		if len(c.NotIn) > 0 && anyIn(c.NotIn) {
			return false
		}
	}
	return true
}

// classes returns one answer of each kind a condition can tell apart:
// every code, "keine Angabe" and, for multiple choice, all non-exclusive
// options at once.
func classes(it *Item) []Answer {
	out := []Answer{{NA: true}}
	switch it.Type {
	case YesNo:
		out = append(out, Answer{Value: CodeYes}, Answer{Value: CodeNo})
	case Scale:
		for i := 1; i <= it.Points; i++ {
			out = append(out, Answer{Value: fmt.Sprint(i)})
		}
	case Single, Multi:
		var all []string
		for _, o := range it.Options {
			out = append(out, Answer{Value: o.Code})
			if !o.Exclusive {
				all = append(all, o.Code)
			}
		}
		if it.Type == Multi {
			out = append(out, Answer{Value: strings.Join(all, ",")})
		}
	}
	return out
}

// enumeratePaths calls visit with the items shown on every distinct path,
// trying every answer class of every item a condition names.
func enumeratePaths(q *Questionnaire, fixed map[string]string, visit func(path []*Item)) {
	tested := map[string]bool{}
	for _, it := range q.Items() {
		for _, c := range slices.Concat(it.Module().When, it.When) {
			tested[c.Item] = true
		}
	}
	answers := map[string]Answer{}
	for id, v := range fixed {
		answers[id] = Answer{Value: v}
	}
	var walk func(i int, path []*Item)
	walk = func(i int, path []*Item) {
		items := q.Items()
		for ; i < len(items); i++ {
			it := items[i]
			if !shown(it, answers) {
				continue
			}
			path = append(path, it)
			if _, isFixed := fixed[it.ID]; tested[it.ID] && !isFixed {
				for _, a := range classes(it) {
					answers[it.ID] = a
					walk(i+1, slices.Clone(path))
				}
				delete(answers, it.ID)
				return
			}
		}
		visit(path)
	}
	walk(0, nil)
}

func TestCoreBusinessPath(t *testing.T) {
	q := coreQ(t)
	longest, paths := 0, 0
	enumeratePaths(q, map[string]string{"org_type": "business"}, func(path []*Item) {
		paths++
		longest = max(longest, len(path))
		for _, it := range path {
			if m := it.Module().ID; m == "education" || m == "broadband_education" {
				t.Fatalf("a business can be asked %s (module %s)", it.ID, m)
			}
		}
	})
	if paths < 2 || longest > 30 || longest < 20 {
		t.Errorf("%d business paths, longest %d questions; want the longest at most 30", paths, longest)
	}

	// A simpler upper bound: every item whose organisation-type condition
	// admits a business, whatever the other answers.
	bound := 0
	business := Answer{Value: "business"}
	for _, it := range q.Items() {
		admits := true
		for _, c := range slices.Concat(it.Module().When, it.When) {
			if c.Item == "org_type" {
				only := &Item{When: []Condition{c}, module: &Module{}}
				admits = admits && shown(only, map[string]Answer{"org_type": business})
			}
		}
		if admits {
			bound++
		}
	}
	if bound > 30 || bound < longest {
		t.Errorf("upper bound %d for a business's path (longest found %d), want at most 30", bound, longest)
	}
}

func TestCoreEducationPath(t *testing.T) {
	q := coreQ(t)
	seen := map[string]bool{}
	enumeratePaths(q, map[string]string{"org_type": "education"}, func(path []*Item) {
		for _, it := range path {
			seen[it.ID] = true
			switch m := it.Module().ID; m {
			case "consulting", "projects", "maturity", "broadband_business":
				t.Fatalf("an education provider can be asked %s (module %s)", it.ID, m)
			}
		}
	})
	for _, it := range q.Items() {
		switch it.Module().ID {
		case "education", "broadband_education":
			if !seen[it.ID] {
				t.Errorf("an education provider is never asked %s", it.ID)
			}
		}
	}
	for _, id := range []string{"sector", "sk_apprentices"} {
		if seen[id] {
			t.Errorf("an education provider can be asked the business item %s", id)
		}
	}
	for _, id := range []string{"sk_vacancies", "sk_lack", "sk_trained", "sk_it_graduates"} {
		if !seen[id] {
			t.Errorf("an education provider is never asked the skills item %s", id)
		}
	}
}

// ---- the validator ----

// header is a valid questionnaire up to its first item; test cases append
// items (indented by six spaces) or top-level keys.
const header = `id: t
version: 1
title: {de: Test, en: Test}
privacy: {de: Datenschutz, en: Privacy}
fields:
  - {id: f, title: {de: Feld, en: Field}}
modules:
  - id: m
    title: {de: Modul, en: Module}
    items:
      - id: a
        type: single
        text: {de: Frage A, en: Question A}
        options:
          - {code: x, label: {de: X, en: X}}
          - {code: y, label: {de: Y, en: Y}}
`

// lineOf returns the 1-based line of the first line of doc containing
// marker, or 0 for an empty marker.
func lineOf(tb testing.TB, doc, marker string) int {
	tb.Helper()
	if marker == "" {
		return 0
	}
	for i, l := range strings.Split(doc, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	tb.Fatalf("marker %q not in the document", marker)
	return 0
}

func problemsOf(tb testing.TB, err error) []Problem {
	tb.Helper()
	var ie *InvalidError
	if !errors.As(err, &ie) {
		tb.Fatalf("error %v (%T), want *InvalidError", err, err)
	}
	if len(ie.Problems) == 0 {
		tb.Fatal("InvalidError without problems")
	}
	return ie.Problems
}

func TestValidatorProblems(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string // appended to header, unless whole
		whole   bool
		resolve Resolver
		at      string // marker of the line the problem is on ("" for none)
		item    string
		msg     string
	}{
		{
			name: "unknown key in an item",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        colour: red\n",
			at:   "colour:", item: "b", msg: `unknown key "colour" in an item`,
		},
		{
			name: "unknown key in an option",
			yaml: "      - id: b\n        type: single\n        text: {de: B, en: B}\n        options:\n          - {code: u, label: {de: U, en: U}, weight: 3}\n          - {code: v, label: {de: V, en: V}}\n",
			at:   "weight:", item: "b", msg: `unknown key "weight" in an option`,
		},
		{
			name: "unknown language",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B, fr: B}\n",
			at:   "fr: B", item: "b", msg: `unknown key "fr" in a text (only de and en are allowed)`,
		},
		{
			name: "unknown key at the top level",
			yaml: "colour: blue\n",
			at:   "colour:", msg: `unknown key "colour" at the top level`,
		},
		{
			name: "duplicate item id",
			yaml: "      - {id: a, type: yesno, text: {de: Nochmal, en: Again}}\n",
			at:   "Nochmal", item: "a", msg: "item id used twice (first at line 11)",
		},
		{
			name: "condition on an unknown item",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: zz, in: [x]}]\n",
			at:   "item: zz", item: "b", msg: `condition refers to unknown item "zz"`,
		},
		{
			name: "condition on a later item",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: c, in: [\"yes\"]}]\n      - id: c\n        type: yesno\n        text: {de: C, en: C}\n",
			at:   "item: c, in", item: "b", msg: `condition refers to item "c", which does not come before it`,
		},
		{
			name: "condition on itself",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: b, in: [\"yes\"]}]\n",
			at:   "item: b, in", item: "b", msg: `condition refers to item "b", which does not come before it`,
		},
		{
			name: "condition on a text item",
			yaml: "      - id: t\n        type: text\n        text: {de: T, en: T}\n      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: t, in: [x]}]\n",
			at:   "item: t, in", item: "b", msg: `condition refers to text item "t"; only single, multi, scale and yesno items can be tested`,
		},
		{
			name: "unknown answer code in a condition",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: a, in: [z]}]\n",
			at:   "in: [z]", item: "b", msg: `condition on "a": "z" is not one of its answers (x, y)`,
		},
		{
			name: "unknown answer code in a module condition",
			yaml: "  - id: m2\n    title: {de: M2, en: M2}\n    when: [{item: a, not_in: [\"yes\"]}]\n    items:\n      - id: b\n        type: yesno\n        text: {de: B, en: B}\n",
			at:   `not_in: ["yes"]`, item: "b", msg: `condition on "a": "yes" is not one of its answers (x, y)`,
		},
		{
			name: "condition with in and not_in",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: a, in: [x], not_in: [y]}]\n",
			at:   "not_in: [y]", item: "b", msg: "has both in and not_in",
		},
		{
			name: "missing English text",
			yaml: "      - id: b\n        type: yesno\n        text: {de: Frage B}\n",
			at:   "text: {de: Frage B}", item: "b", msg: "text has no English text (en)",
		},
		{
			name: "missing English option label",
			yaml: "      - id: b\n        type: single\n        text: {de: B, en: B}\n        options:\n          - {code: u, label: {de: U}}\n          - {code: v, label: {de: V, en: V}}\n",
			at:   "{code: u, label: {de: U}}", item: "b", msg: "label of option u has no English text (en)",
		},
		{
			name: "missing German help",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        help: {en: Help}\n",
			at:   "help: {en: Help}", item: "b", msg: "help has no German text (de)",
		},
		{
			name: "option score above 100",
			yaml: "      - id: b\n        type: single\n        text: {de: B, en: B}\n        options:\n          - {code: u, label: {de: U, en: U}, score: 150}\n          - {code: v, label: {de: V, en: V}, score: 0}\n        score: {field: f}\n",
			at:   "score: 150", item: "b", msg: "option u: score 150 is outside 0–100",
		},
		{
			name: "option score below 0",
			yaml: "      - id: b\n        type: multi\n        text: {de: B, en: B}\n        options:\n          - {code: u, label: {de: U, en: U}, score: -5}\n          - {code: v, label: {de: V, en: V}, score: 1}\n        score: {field: f}\n",
			at:   "score: -5", item: "b", msg: "option u: score -5 is outside 0–100",
		},
		{
			name: "score on an undeclared field",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        score: {field: g}\n",
			at:   "field: g", item: "b", msg: `score field "g" is not declared in fields`,
		},
		{
			name: "unreachable: contradictory conditions",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: a, in: [x]}, {item: a, in: [y]}]\n",
			at:   "id: b", item: "b", msg: "can never be shown: its conditions on a contradict each other",
		},
		{
			name: "unreachable: in and not_in exclude each other",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: a, in: [x]}, {item: a, not_in: [x]}]\n",
			at:   "id: b", item: "b", msg: "can never be shown: its conditions on a contradict each other",
		},
		{
			name: "unreachable: module and item condition contradict",
			yaml: "  - id: m2\n    title: {de: M2, en: M2}\n    when: [{item: a, in: [x]}]\n    items:\n      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: a, in: [y]}]\n",
			at:   "id: b", item: "b", msg: "can never be shown: its conditions on a contradict each other",
		},
		{
			name: "unreachable: depends on an unreachable item",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: a, in: [x]}, {item: a, in: [y]}]\n" +
				"      - id: c\n        type: yesno\n        text: {de: C, en: C}\n        when: [{item: b, in: [\"yes\"]}]\n",
			at: "id: c", item: "c", msg: "can never be shown: it depends on b, which can never be shown",
		},
		{
			name: "scale without points",
			yaml: "      - id: b\n        type: scale\n        low: {de: L, en: L}\n        high: {de: H, en: H}\n        text: {de: B, en: B}\n",
			at:   "id: b", item: "b", msg: "a scale needs points between 2 and 11, has 0",
		},
		{
			name: "scale with negative points named in a condition",
			yaml: "      - id: b\n        type: scale\n        points: -3\n        low: {de: L, en: L}\n        high: {de: H, en: H}\n        text: {de: B, en: B}\n" +
				"      - id: c\n        type: yesno\n        text: {de: C, en: C}\n        when: [{item: b, in: [\"1\"]}]\n",
			at: "points: -3", item: "b", msg: "a scale needs points between 2 and 11, has -3",
		},
		{
			name: "scale without labels",
			yaml: "      - id: b\n        type: scale\n        points: 5\n        text: {de: B, en: B}\n",
			at:   "id: b", item: "b", msg: "low (label of 1) is missing",
		},
		{
			name: "min above max",
			yaml: "      - id: b\n        type: integer\n        min: 10\n        max: 5\n        text: {de: B, en: B}\n",
			at:   "max: 5", item: "b", msg: "min 10 is above max 5",
		},
		{
			name: "options on a yes/no item",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        options:\n          - {code: u, label: {de: U, en: U}}\n          - {code: v, label: {de: V, en: V}}\n",
			at:   "{code: u, label: {de: U, en: U}}", item: "b", msg: "a yesno item has no options",
		},
		{
			name: "single with one option",
			yaml: "      - id: b\n        type: single\n        text: {de: B, en: B}\n        options:\n          - {code: u, label: {de: U, en: U}}\n",
			at:   "id: b", item: "b", msg: "a single item needs at least 2 options",
		},
		{
			name: "reserved option code",
			yaml: "      - id: b\n        type: single\n        text: {de: B, en: B}\n        options:\n          - {code: na, label: {de: U, en: U}}\n          - {code: v, label: {de: V, en: V}}\n",
			at:   "code: na", item: "b", msg: `option code "na" is reserved`,
		},
		{
			name: "unknown type",
			yaml: "      - id: b\n        type: dropdown\n        text: {de: B, en: B}\n",
			at:   "type: dropdown", item: "b", msg: `unknown type "dropdown"`,
		},
		{
			name: "text too long allowed",
			yaml: "      - id: b\n        type: text\n        max_len: 5000\n        text: {de: B, en: B}\n",
			at:   "max_len: 5000", item: "b", msg: "max_len must be between 1 and 2000",
		},
		{
			name: "invalid YAML: character that cannot start a token",
			yaml: "      - id: b\n        type: @yesno\n        text: {de: B, en: B}\n",
			at:   "@yesno", msg: "not valid YAML: found character that cannot start any token",
		},
		{
			name: "invalid YAML: mapping in a plain value",
			yaml: "      - id: b\n        type: yesno: no\n",
			at:   "yesno: no", msg: "not valid YAML: mapping values are not allowed in this context",
		},
		{
			name: "wrong value type",
			yaml: "      - id: b\n        type: integer\n        min: some\n        text: {de: B, en: B}\n",
			at:   "min: some", item: "b", msg: "cannot unmarshal !!str `some` into int",
		},
		{
			name: "a yes/no key written in German",
			yaml: "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        optional: ja\n",
			at:   "optional: ja", item: "b", msg: "optional: \"ja\" is not true or false",
		},
		{
			name: "a wrong type in an option",
			yaml: "      - id: b\n        type: multi\n        text: {de: B, en: B}\n        options:\n          - {code: u, label: {de: U, en: U}}\n          - {code: v, label: {de: V, en: V}, exclusive: nein}\n",
			at:   "exclusive: nein", item: "b", msg: "exclusive: \"nein\" is not true or false",
		},
		{
			name: "exclusive outside a multi item",
			yaml: "      - id: b\n        type: single\n        text: {de: B, en: B}\n        options:\n          - {code: u, label: {de: U, en: U}}\n          - code: v\n            label: {de: V, en: V}\n            exclusive: true\n",
			at:   "exclusive: true", item: "b", msg: "option v: exclusive only makes sense in a multi item",
		},
		{
			name: "a scored item in a prefill module",
			yaml: "  - id: m2\n    title: {de: M2, en: M2}\n    prefill: true\n    items:\n      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        score: {field: f}\n",
			at:   "score: {field: f}", item: "b", msg: "a scored item cannot be in a prefill module",
		},
		{
			name: "a free text item in a prefill module",
			yaml: "  - id: m2\n    title: {de: M2, en: M2}\n    prefill: true\n    items:\n      - id: b\n        type: text\n        text: {de: B, en: B}\n",
			at:   "- id: b", item: "b", msg: "a free text item cannot be in a prefill module",
		},
		{
			name: "prefill is true or false",
			yaml: "  - id: m2\n    title: {de: M2, en: M2}\n    prefill: ja\n    items:\n      - {id: b, type: yesno, text: {de: B, en: B}}\n",
			at:   "prefill: ja", item: "m2", msg: "prefill: \"ja\" is not true or false",
		},
		{name: "empty file", whole: true, yaml: "# nothing here\n", msg: "file is empty"},
		{name: "aliases", whole: true, yaml: header + "      - &b {id: b, type: yesno, text: {de: B, en: B}}\n      - *b\n", msg: "anchors and aliases are not supported"},
		{name: "too large", whole: true, yaml: header + strings.Repeat("# padding\n", 110_000), msg: "file is larger than"},
		{name: "extends without a core", whole: true, yaml: "id: c\nversion: 1\ntitle: {de: C, en: C}\nextends: {id: dimn, version: 1}\nmodules: []\n", msg: "extends dimn@1, but no shared core is available"},
		{name: "missing top level", whole: true, yaml: "id: Bad Id\nversion: 0\n", msg: `id "Bad Id": use lower case letters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := header + tt.yaml
			if tt.whole {
				doc = tt.yaml
			}
			q, err := Parse("test.yaml", []byte(doc), tt.resolve)
			if err == nil {
				t.Fatalf("Parse accepted the file (%d items)", len(q.Items()))
			}
			ps := problemsOf(t, err)
			want := Problem{File: "test.yaml", Line: lineOf(t, doc, tt.at), Item: tt.item}
			for _, p := range ps {
				if strings.Contains(p.Msg, tt.msg) && p.Line == want.Line && p.Item == want.Item && p.File == want.File {
					return
				}
			}
			t.Errorf("no problem %q at line %d (item %q); got:\n%v", tt.msg, want.Line, tt.item, err)
		})
	}
}

func TestValidatorReportsAllProblemsAtOnce(t *testing.T) {
	doc := header +
		"      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        colour: red\n" + // unknown key
		"      - {id: a, type: yesno, text: {de: Nochmal, en: Again}}\n" + // duplicate id
		"      - id: c\n        type: integer\n        min: 9\n        max: 1\n        text: {de: C, en: C}\n" + // min > max
		"      - id: d\n        type: yesno\n        text: {de: Nur Deutsch}\n" + // no English
		"      - id: e\n        type: yesno\n        text: {de: E, en: E}\n        when: [{item: zz, in: [x]}]\n" // unknown item
	_, err := Parse("many.yaml", []byte(doc), nil)
	ps := problemsOf(t, err)
	want := []struct {
		at, msg string
	}{
		{"colour:", `unknown key "colour"`},
		{"Nochmal", "item id used twice"},
		{"max: 1", "min 9 is above max 1"},
		{"text: {de: Nur Deutsch}", "no English text"},
		{"item: zz", `unknown item "zz"`},
	}
	for _, w := range want {
		line := lineOf(t, doc, w.at)
		if !slices.ContainsFunc(ps, func(p Problem) bool { return p.Line == line && strings.Contains(p.Msg, w.msg) }) {
			t.Errorf("problem %q at line %d not reported", w.msg, line)
		}
		if s := fmt.Sprintf("many.yaml:%d: ", line); !strings.Contains(err.Error(), s) {
			t.Errorf("error text does not name %q:\n%v", s, err)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(ps), len(want), err)
	}
	if !slices.IsSortedFunc(ps, func(a, b Problem) int { return a.Line - b.Line }) {
		t.Errorf("problems not in line order:\n%v", err)
	}
	if !strings.HasPrefix(err.Error(), fmt.Sprintf("questionnaire has %d problem(s):", len(ps))) {
		t.Errorf("error text %q", err)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "f.yaml", Line: 3, Item: "b", Msg: "bad"}, "f.yaml:3: b: bad"},
		{Problem{File: "f.yaml", Msg: "file is empty"}, "f.yaml: file is empty"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// ---- a chamber's own questions ----

func TestChamberFile(t *testing.T) {
	core, q := coreQ(t), chamberQ(t)
	if q.Ref() != (Ref{ID: "hwk-test", Version: 1}) || q.Core() != core.Ref() {
		t.Errorf("Ref %v, Core %v", q.Ref(), q.Core())
	}
	n := len(core.Items())
	items := q.Items()
	if len(items) != n+3 {
		t.Fatalf("%d items, want the core's %d and 3 of the chamber's", len(items), n)
	}
	for i, it := range items {
		if i < n && (it.ID != core.Items()[i].ID || !q.InCore(it)) {
			t.Errorf("item %d: %s (InCore %v), want core item %s first", i, it.ID, q.InCore(it), core.Items()[i].ID)
		}
		if i >= n && q.InCore(it) {
			t.Errorf("chamber item %s: InCore true", it.ID)
		}
	}
	if got := []string{items[n].ID, items[n+1].ID, items[n+2].ID}; !slices.Equal(got, []string{"hwk_guild", "hwk_trade", "hwk_wish"}) {
		t.Errorf("chamber items %v", got)
	}
	if !slices.EqualFunc(q.Fields, core.Fields, func(a, b Field) bool { return a == b }) || q.Privacy != core.Privacy {
		t.Error("chamber questionnaire does not use the core's fields and privacy notice")
	}
	if len(coreQ(t).Items()) != n || core.Items()[n-1].Module().ID != "skills" {
		t.Error("loading a chamber file changed the core")
	}

	t.Run("business gets the chamber's questions after the core", func(t *testing.T) {
		st, _, asked := runPersona(t, q, nil, businessPersona)
		if st.Phase != PhaseAsking || st.Current != "hwk_guild" {
			t.Fatalf("after the core: %s/%s, want hwk_guild", st.Phase, st.Current)
		}
		if slices.Contains(asked, "hwk_guild") {
			t.Error("chamber question asked within the core")
		}
		ps, _ := Resume(q, st)
		if p := lastQuestion(t, ps); p.Text != "Ist Ihr Betrieb Mitglied einer Innung?" || p.Progress != (Progress{30, 32}) {
			t.Errorf("chamber question %q, progress %+v, want 30/32", p.Text, p.Progress)
		}
		st, _ = step(t, q, st, TextInput("ja"))
		if st.Current != "hwk_trade" { // shown because the core's sector is handwerk
			t.Fatalf("after hwk_guild: %s, want hwk_trade", st.Current)
		}
		st, _ = step(t, q, st, TextInput("Bau und Ausbau"))
		st, ps = step(t, q, st, TextInput("Mehr Beratung zur E-Rechnung"))
		if st.Phase != PhaseDone || ps[len(ps)-1].Kind != PromptSummary {
			t.Fatalf("after the chamber's questions: %s %v", st.Phase, kinds(ps))
		}
		if a := st.Answers["hwk_trade"]; a.Value != "bau" {
			t.Errorf("hwk_trade = %+v", a)
		}
	})
	t.Run("chamber condition on a core item", func(t *testing.T) {
		persona := slices.Clone(businessPersona)
		persona[1] = scripted{"sector", TextInput("Handel")}
		st, _, _ := runPersona(t, q, nil, persona)
		st, _ = step(t, q, st, TextInput("nein"))
		if st.Current != "hwk_wish" {
			t.Errorf("trade business asked %s after hwk_guild, want hwk_wish (hwk_trade is for crafts)", st.Current)
		}
	})
	t.Run("education provider never sees the chamber's business module", func(t *testing.T) {
		st, ps, asked := runPersona(t, q, nil, educationPersona)
		if st.Phase != PhaseDone || slices.ContainsFunc(asked, func(id string) bool { return strings.HasPrefix(id, "hwk_") }) {
			t.Errorf("phase %s, asked %v, last %v", st.Phase, asked, kinds(ps))
		}
	})
}

func TestChamberProblems(t *testing.T) {
	const chamberHeader = `id: hwk-x
version: 1
title: {de: X, en: X}
extends: {id: dimn, version: 1}
modules:
  - id: extra
    title: {de: Extra, en: Extra}
    items:
      - id: own
        type: yesno
        text: {de: Eigene Frage, en: Own question}
`
	tests := []struct {
		name string
		doc  string
		at   string
		item string
		msg  string
	}{
		{
			name: "reusing a core item id",
			doc:  chamberHeader + "      - {id: sector, type: yesno, text: {de: S, en: S}}\n",
			at:   "id: sector", item: "sector", msg: "item id is already used by the shared core",
		},
		{
			name: "reusing a core module id",
			doc:  chamberHeader + "  - id: skills\n    title: {de: S, en: S}\n    items:\n      - {id: more, type: yesno, text: {de: S, en: S}}\n",
			at:   "id: skills", item: "skills", msg: "module id used twice",
		},
		{
			name: "scoring a chamber item",
			doc:  chamberHeader + "      - id: scored\n        type: yesno\n        text: {de: S, en: S}\n        score: {field: skills}\n",
			at:   "score: {field: skills}", item: "scored", msg: "a chamber's items cannot be scored",
		},
		{
			name: "setting privacy",
			doc:  chamberHeader + "privacy: {de: Eigener Hinweis, en: Own notice}\n",
			msg:  "a chamber questionnaire may not set privacy",
		},
		{
			name: "declaring fields",
			doc:  chamberHeader + "fields:\n  - {id: own, title: {de: E, en: E}}\n",
			msg:  "may not declare fields",
		},
		{
			name: "extending an unknown version",
			doc:  strings.Replace(chamberHeader, "version: 1}", "version: 2}", 1),
			msg:  "extends dimn@2: unknown shared questionnaire dimn@2 (this binary has dimn@1)",
		},
		{
			name: "extending an unknown questionnaire",
			doc:  strings.Replace(chamberHeader, "id: dimn", "id: other", 1),
			msg:  "unknown shared questionnaire other@1",
		},
		{
			name: "unknown code of a core item",
			doc:  chamberHeader + "      - id: b\n        type: yesno\n        text: {de: B, en: B}\n        when: [{item: org_type, in: [school]}]\n",
			at:   "in: [school]", item: "b", msg: `condition on "org_type": "school" is not one of its answers (business, education)`,
		},
		{
			name: "no items of its own",
			doc:  "id: hwk-x\nversion: 1\ntitle: {de: X, en: X}\nextends: {id: dimn, version: 1}\nmodules: []\n",
			msg:  "the chamber questionnaire adds no items",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("chamber.yaml", []byte(tt.doc), CoreResolver)
			ps := problemsOf(t, err)
			line := lineOf(t, tt.doc, tt.at)
			if !slices.ContainsFunc(ps, func(p Problem) bool {
				return p.Line == line && p.Item == tt.item && strings.Contains(p.Msg, tt.msg)
			}) {
				t.Errorf("no problem %q at line %d (item %q); got:\n%v", tt.msg, line, tt.item, err)
			}
		})
	}
	t.Run("the valid header alone", func(t *testing.T) {
		q, err := Parse("chamber.yaml", []byte(chamberHeader), CoreResolver)
		if err != nil {
			t.Fatal(err)
		}
		if it, ok := q.Item("own"); !ok || q.InCore(it) {
			t.Errorf("own item: found %v", ok)
		}
	})
}
