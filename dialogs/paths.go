package dialogs

import (
	"slices"
	"strings"
)

// PathRange is the shortest and longest number of questions a respondent
// can be asked.
type PathRange struct {
	Shortest, Longest int
}

// Paths computes the shortest and longest path through the questionnaire
// (the number of items a respondent is asked), assuming the given answers
// (nil for none). It tries every answer class of
// the items that conditions test: each code, "keine Angabe" and, for
// multiple choice, all non-exclusive options at once.
func (q *Questionnaire) Paths(assume map[string]string) PathRange {
	tested := map[string]bool{}
	for _, it := range q.items {
		for _, c := range it.conds {
			tested[c.Item] = true
		}
	}
	var routing []*Item
	for _, it := range q.items {
		if tested[it.ID] {
			routing = append(routing, it)
		}
	}
	answers := map[string]Answer{}
	for id, v := range assume {
		answers[id] = Answer{Value: v}
	}
	r := PathRange{Shortest: -1}
	var walk func(i int)
	walk = func(i int) {
		if i == len(routing) {
			n := 0
			for _, it := range q.items {
				if visible(it, answers) {
					n++
				}
			}
			if r.Shortest < 0 || n < r.Shortest {
				r.Shortest = n
			}
			r.Longest = max(r.Longest, n)
			return
		}
		it := routing[i]
		if _, assumed := assume[it.ID]; assumed || !visible(it, answers) {
			walk(i + 1)
			return
		}
		for _, a := range answerClasses(it) {
			answers[it.ID] = a
			walk(i + 1)
		}
		delete(answers, it.ID)
	}
	walk(0)
	return r
}

func answerClasses(it *Item) []Answer {
	out := []Answer{{NA: true}}
	for _, c := range it.codes() {
		out = append(out, Answer{Value: c})
	}
	if it.Type == Multi {
		var all []string
		for _, o := range it.Options {
			if !o.Exclusive {
				all = append(all, o.Code)
			}
		}
		out = append(out, Answer{Value: strings.Join(all, ",")})
	}
	return out
}

// RoutingItems returns the items that module conditions test, such as the
// organisation type, for summaries per route.
func (q *Questionnaire) RoutingItems() []*Item {
	var out []*Item
	for _, m := range q.Modules {
		for _, c := range m.When {
			if it, ok := q.Item(c.Item); ok && !slices.Contains(out, it) {
				out = append(out, it)
			}
		}
	}
	return out
}

// Codes returns the answer codes of a choice-like item, without "na".
func (it *Item) Codes() []string { return it.codes() }
