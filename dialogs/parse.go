package dialogs

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseAnswer checks a canonical answer value (an option code, a scale
// point, a number, a postcode or text) for an item.
func parseAnswer(it *Item, v string) (Answer, bool) {
	if v == CodeNA {
		return Answer{NA: true}, true
	}
	switch it.Type {
	case Single, YesNo, Scale:
		for _, c := range it.codes() {
			if c == v {
				return Answer{Value: v}, true
			}
		}
		return Answer{}, false
	case Multi:
		var draft []string
		for _, c := range strings.Split(v, ",") {
			if _, ok := it.option(c); !ok {
				return Answer{}, false
			}
			if !slices.Contains(draft, c) {
				draft = toggled(it, draft, c)
			}
		}
		return Answer{Value: strings.Join(draft, ",")}, len(draft) > 0
	}
	return parseTyped(it, v)
}

// parseTyped interprets what a respondent typed for a single-valued item.
func parseTyped(it *Item, text string) (Answer, bool) {
	s := strings.TrimSpace(text)
	switch it.Type {
	case Single:
		if code, ok := optionByWord(it, normalise(s)); ok {
			return Answer{Value: code}, true
		}
		if code, ok := optionByLabel(it, s); ok {
			return Answer{Value: code}, true
		}
	case YesNo:
		if code, ok := yesNoWord(s); ok {
			return Answer{Value: code}, true
		}
		switch s {
		case "1":
			return Answer{Value: CodeYes}, true
		case "2":
			return Answer{Value: CodeNo}, true
		}
	case Scale:
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= it.Points {
			return Answer{Value: strconv.Itoa(n)}, true
		}
	case Integer:
		n, ok := parseInt(s)
		if ok && (it.Min == nil || n >= *it.Min) && (it.Max == nil || n <= *it.Max) {
			return Answer{Value: strconv.Itoa(n)}, true
		}
	case FreeText:
		if s != "" && utf8.RuneCountInString(s) <= it.MaxLen && utf8.ValidString(s) {
			return Answer{Value: s}, true
		}
	case Postcode:
		s = strings.ReplaceAll(s, " ", "")
		if isPostcode(s) {
			return Answer{Value: s}, true
		}
	}
	return Answer{}, false
}

// parseInt accepts "1200", "1.200" and "1 200" (German thousands separators).
func parseInt(s string) (int, bool) {
	s = strings.ReplaceAll(s, " ", "")
	if i := strings.IndexByte(s, '.'); i > 0 {
		parts := strings.Split(s, ".")
		for j, p := range parts {
			if (j > 0 && len(p) != 3) || p == "" || len(parts[0]) > 3 {
				return 0, false
			}
		}
		s = strings.Join(parts, "")
	}
	if len(s) > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func isPostcode(s string) bool {
	if len(s) != 5 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// optionByWord finds an option by its number (1-based) or its code.
func optionByWord(it *Item, w string) (string, bool) {
	if n, err := strconv.Atoi(w); err == nil {
		if n >= 1 && n <= len(it.Options) {
			return it.Options[n-1].Code, true
		}
		return "", false
	}
	if _, ok := it.option(w); ok {
		return w, true
	}
	return "", false
}

// optionByLabel finds an option by its label in either language.
func optionByLabel(it *Item, text string) (string, bool) {
	s := normalise(text)
	for _, o := range it.Options {
		if normalise(o.Label.De) == s || normalise(o.Label.En) == s {
			return o.Code, true
		}
	}
	return "", false
}

// ParseValue checks an answer value as the store keeps it, for imports: an
// option code, several codes joined by commas (multiple choice; an
// exclusive option clears the others, as in the dialog), a scale point,
// a number, a postcode, text, or "na" for "keine Angabe".
func ParseValue(it *Item, v string) (Answer, bool) { return parseAnswer(it, v) }
