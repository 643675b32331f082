package dialogs

import (
	"maps"
	"reflect"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestItemScore(t *testing.T) {
	q, core := allTypesQ(t), coreQ(t)
	item := func(q *Questionnaire, id string) *Item {
		it, ok := q.Item(id)
		if !ok {
			t.Fatalf("no item %s", id)
		}
		return it
	}
	kind, tools, trouble := item(q, "kind"), item(q, "tools"), item(q, "trouble")
	agree, grade, online := item(q, "agree"), item(q, "grade"), item(q, "online")
	// A multiple choice item without max: the option scores sum to 4.
	sumMax := &Item{ID: "sum", Type: Multi, Score: &Scoring{Field: "alpha"}, Options: []Option{
		{Code: "a", Score: ptr(1.0)}, {Code: "b", Score: ptr(3.0)}, {Code: "c"},
	}}
	v := func(s string) Answer { return Answer{Value: s} }
	tests := []struct {
		name string
		it   *Item
		a    Answer
		want float64
		ok   bool
	}{
		{"single", kind, v("shop"), 100, true},
		{"single half", kind, v("school"), 50, true},
		{"single without score (weiß nicht) is missing", kind, v("unsure"), 0, false},
		{"single NA is missing", kind, Answer{NA: true}, 0, false},
		{"single skipped is missing", kind, Answer{Skipped: true}, 0, false},
		{"single unknown code is missing", kind, v("castle"), 0, false},
		{"core single band", item(core, "bb_download"), v("d250_999"), 75, true},
		{"core single weiß nicht", item(core, "bb_download"), v("dont_know"), 0, false},

		{"multi exclusive none", tools, v("none"), 0, true},
		{"multi one of max 3", tools, v("cloud"), 100.0 / 3, true},
		{"multi two of max 3", tools, v("cloud,erp"), 200.0 / 3, true},
		{"multi reaches max", tools, v("cloud,erp,ai"), 100, true},
		{"multi above max is capped at 100", tools, v("cloud,erp,ai,paper"), 100, true},
		{"multi NA is missing", tools, Answer{NA: true}, 0, false},
		{"multi max defaults to the sum of option scores", sumMax, v("a"), 25, true},
		{"multi max default, heavier option", sumMax, v("b"), 75, true},
		{"multi max default, all", sumMax, v("a,b,c"), 100, true},
		{"multi unscored option", sumMax, v("c"), 0, true},
		{"core multi with max 2", item(core, "cons_used"), v("chamber,mdz,edih"), 100, true},
		{"core technology checklist", item(core, "mat_tech"), v("cloud,erp,ai"), 25, true},

		{"scale 5 bottom", agree, v("1"), 0, true},
		{"scale 5 middle", agree, v("3"), 50, true},
		{"scale 5 second", agree, v("2"), 25, true},
		{"scale 5 top", agree, v("5"), 100, true},
		{"scale NA is missing, not 0", agree, Answer{NA: true}, 0, false},
		{"scale out of range is missing", agree, v("6"), 0, false},
		{"scale 6 reversed: grade 1 is best", grade, v("1"), 100, true},
		{"scale 6 reversed: grade 2", grade, v("2"), 80, true},
		{"scale 6 reversed: grade 4", grade, v("4"), 40, true},
		{"scale 6 reversed: grade 6 is worst", grade, v("6"), 0, true},

		{"yesno yes", online, v(CodeYes), 100, true},
		{"yesno no", online, v(CodeNo), 0, true},
		{"yesno reversed yes", trouble, v(CodeYes), 0, true},
		{"yesno reversed no", trouble, v(CodeNo), 100, true},
		{"yesno skipped is missing", trouble, Answer{Skipped: true}, 0, false},
		{"core yesno reversed", item(core, "sk_lack"), v(CodeYes), 0, true},

		{"integer is not scored", item(q, "staff"), v("12"), 0, false},
		{"text is not scored", item(q, "remark"), v("gut"), 0, false},
		{"postcode is not scored", item(q, "plz"), v("30159"), 0, false},
		{"core unscored single", item(core, "size"), v("s1_9"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ItemScore(tt.it, tt.a)
			if ok != tt.ok || !near(got, tt.want) {
				t.Errorf("ItemScore(%s, %+v) = %v, %v; want %v, %v", tt.it.ID, tt.a, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestScore(t *testing.T) {
	at, core := allTypesQ(t), coreQ(t)
	v := func(s string) Answer { return Answer{Value: s} }
	na := Answer{NA: true}
	tests := []struct {
		name      string
		q         *Questionnaire
		answers   map[string]Answer
		fields    map[string]float64
		composite float64 // ignored when fields is empty
		tech      *int
	}{
		{
			name: "both fields",
			q:    at,
			answers: map[string]Answer{
				"kind": v("shop"), "tools": v("cloud,paper"), "trouble": v(CodeYes), "agree": v("4"),
				"grade": v("2"), "staff": v("12"), "remark": v("gut"), "plz": v("30159"), "online": v(CodeYes),
			},
			// alpha: shop 100, tools 2 of 3, online yes 100; beta: trouble yes reversed 0, agree 75, grade 2 of 6 reversed 80
			fields:    map[string]float64{"alpha": (100 + 200.0/3 + 100) / 3, "beta": (0 + 75 + 80) / 3.0},
			composite: ((100+200.0/3+100)/3 + (0+75+80)/3.0) / 2,
			tech:      ptr(1),
		},
		{
			name:      "keine Angabe is missing, never zero",
			q:         at,
			answers:   map[string]Answer{"kind": v("shop"), "tools": na, "online": na, "agree": v("5"), "grade": na},
			fields:    map[string]float64{"alpha": 100, "beta": 100},
			composite: 100,
		},
		{
			name:      "weiß nicht is missing",
			q:         at,
			answers:   map[string]Answer{"kind": v("unsure"), "tools": v("cloud,erp,ai")},
			fields:    map[string]float64{"alpha": 100},
			composite: 100,
			tech:      ptr(3),
		},
		{
			name:      "composite is the mean of the fields the respondent has",
			q:         at,
			answers:   map[string]Answer{"kind": v("school"), "tools": v("none"), "agree": na},
			fields:    map[string]float64{"alpha": 25},
			composite: 25,
			tech:      ptr(0),
		},
		{
			name:      "real zeros count",
			q:         at,
			answers:   map[string]Answer{"tools": v("none"), "agree": v("1"), "trouble": v(CodeYes)},
			fields:    map[string]float64{"alpha": 0, "beta": 0},
			composite: 0,
			tech:      ptr(0),
		},
		{
			name:    "nothing answered",
			q:       at,
			answers: map[string]Answer{"kind": na, "tools": na, "staff": v("3")},
			fields:  map[string]float64{},
		},
		{
			name:    "answers to unknown items are ignored",
			q:       at,
			answers: map[string]Answer{"ghost": v("1"), "bb_needs": v(CodeYes)},
			fields:  map[string]float64{},
		},
		{
			name:      "skipped optional item is missing",
			q:         core,
			answers:   map[string]Answer{"bb_needs": v(CodeYes), "bb_satisfaction": {Skipped: true}, "bb_tech": v("vdsl")},
			fields:    map[string]float64{"broadband_business": 75},
			composite: 75,
		},
		{
			name: "core fields",
			q:    core,
			answers: map[string]Answer{
				"org_type": v("business"), "cons_used": v("edih"), "cons_useful": v("2"), "mat_tech": v("website,ai,automation"),
				"mat_grade": v("6"), "sk_vacancies": v("v4"), "sk_lack": v(CodeNo),
			},
			// consulting: 1 of max 2 = 50, useful 2 of 5 = 25; maturity: 3 of 12 = 25, grade 6 = 0; skills: 0 and 100
			fields:    map[string]float64{"consulting": 37.5, "maturity": 12.5, "skills": 50},
			composite: (37.5 + 12.5 + 50) / 3,
			tech:      ptr(3),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := Score(tt.q, tt.answers)
			if !reflect.DeepEqual(keys(sc.Fields), keys(tt.fields)) {
				t.Fatalf("fields %v, want %v", sc.Fields, tt.fields)
			}
			for f, w := range tt.fields {
				if !near(sc.Fields[f], w) {
					t.Errorf("%s = %v, want %v", f, sc.Fields[f], w)
				}
			}
			switch {
			case len(tt.fields) == 0 && sc.Composite != nil:
				t.Errorf("composite %v without any field", *sc.Composite)
			case len(tt.fields) > 0 && (sc.Composite == nil || !near(*sc.Composite, tt.composite)):
				t.Errorf("composite %v, want %v", sc.Composite, tt.composite)
			}
			if !reflect.DeepEqual(sc.TechCount, tt.tech) {
				t.Errorf("tech count %v, want %v", sc.TechCount, tt.tech)
			}
		})
	}
}

func TestChamberItemsNeverChangeScores(t *testing.T) {
	core, chamber := coreQ(t), chamberQ(t)
	for _, persona := range [][]scripted{businessPersona, educationPersona} {
		st, ps, _ := runPersona(t, core, nil, persona)
		if st.Phase != PhaseDone {
			t.Fatalf("persona did not complete: %s", st.Phase)
		}
		want := Score(core, st.Answers)
		if !reflect.DeepEqual(*ps[len(ps)-1].Scores, want) {
			t.Errorf("summary scores %+v differ from Score %+v", *ps[len(ps)-1].Scores, want)
		}
		with := maps.Clone(st.Answers)
		with["hwk_guild"] = Answer{Value: CodeYes}
		with["hwk_trade"] = Answer{Value: "elektro"}
		with["hwk_wish"] = Answer{Value: "Schulungen"}
		for name, answers := range map[string]map[string]Answer{"without chamber answers": st.Answers, "with chamber answers": with} {
			if got := Score(chamber, answers); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: chamber questionnaire scores %+v, core %+v", name, got, want)
			}
		}
	}
	// And through the dialog: the chamber's summary equals the core's.
	st, _, _ := runPersona(t, chamber, nil, businessPersona)
	st, _ = step(t, chamber, st, TextInput("ja"))
	st, _ = step(t, chamber, st, TextInput("2"))
	st, ps := step(t, chamber, st, TextInput("überspringen"))
	coreSt, _, _ := runPersona(t, core, nil, businessPersona)
	if ps[len(ps)-1].Kind != PromptSummary || !reflect.DeepEqual(*ps[len(ps)-1].Scores, Score(core, coreSt.Answers)) {
		t.Errorf("chamber dialog summary %+v, want the core's scores", ps[len(ps)-1].Scores)
	}
	if st.Answers["hwk_wish"] != (Answer{Skipped: true}) {
		t.Errorf("hwk_wish = %+v", st.Answers["hwk_wish"])
	}
}
