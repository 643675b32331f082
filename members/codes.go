package members

import (
	"strings"
)

// option is one answer of the questionnaire's sector or size question:
// its code and its labels, which a member list may use instead.
type option struct {
	code   string
	labels []string
}

// sectors and sizes are the options of the items sector and size in
// dialogs/questionnaires/core.yaml (TestCodesMatchQuestionnaire keeps them
// so), so a member's sector and size band compare with the answers.
func sectors() []option {
	return []option{
		{"handwerk", []string{"Handwerk", "Crafts"}},
		{"industrie", []string{"Industrie", "Manufacturing"}},
		{"handel", []string{"Handel", "Trade"}},
		{"dienstleistung", []string{"Dienstleistung", "Services"}},
		{"other", []string{"Sonstiges", "Other"}},
	}
}

func sizes() []option {
	return []option{
		// "1-9" and the like are the labels' figures, as member databases write them.
		{"s1_9", []string{"1–9 Beschäftigte", "1–9 employees", "1–9"}},
		{"s10_49", []string{"10–49 Beschäftigte", "10–49 employees", "10–49"}},
		{"s50_249", []string{"50–249 Beschäftigte", "50–249 employees", "50–249"}},
		{"s250", []string{"250 und mehr Beschäftigte", "250 or more employees", "250+"}},
	}
}

// fold makes a value comparable: lower case, one kind of dash, no spaces.
func fold(v string) string {
	return strings.NewReplacer("–", "-", "—", "-", " ", "").Replace(strings.ToLower(strings.TrimSpace(v)))
}

// lookup returns the code v names (a code or a label), "" for an empty v.
func lookup(opts []option, v string) (string, bool) {
	if strings.TrimSpace(v) == "" {
		return "", true
	}
	k := fold(v)
	for _, o := range opts {
		if k == fold(o.code) {
			return o.code, true
		}
		for _, l := range o.labels {
			if k == fold(l) {
				return o.code, true
			}
		}
	}
	return "", false
}

func sectorCode(v string) (string, bool) { return lookup(sectors(), v) }
func sizeCode(v string) (string, bool)   { return lookup(sizes(), v) }

// list names the codes and their first labels, for error messages.
func list(opts []option) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = o.code + " (" + o.labels[0] + ")"
	}
	return strings.Join(parts, ", ")
}

func sectorList() string { return list(sectors()) }
func sizeList() string   { return list(sizes()) }
