package exports

import (
	"fmt"
	"strings"

	"github.com/surveybot/surveybot/dialogs"
)

// acceptedValues says in English, for the operator's import report, what
// a cell of the item may hold, "na" included (accepted says it in German
// for the codebook).
func acceptedValues(it *dialogs.Item) string {
	switch it.Type {
	case dialogs.Single, dialogs.YesNo, dialogs.Scale:
		return strings.Join(append(it.Codes(), dialogs.CodeNA), ", ")
	case dialogs.Multi:
		return "codes separated by |: " + strings.Join(it.Codes(), ", ") + "; or na"
	case dialogs.Integer:
		switch {
		case it.Min != nil && it.Max != nil:
			return fmt.Sprintf("a whole number from %d to %d, na", *it.Min, *it.Max)
		case it.Min != nil:
			return fmt.Sprintf("a whole number from %d, na", *it.Min)
		case it.Max != nil:
			return fmt.Sprintf("a whole number up to %d, na", *it.Max)
		}
		return "a whole number, na"
	case dialogs.FreeText:
		return fmt.Sprintf("text of up to %d characters, na", it.MaxLen)
	case dialogs.Postcode:
		return "a five-digit postcode, na"
	}
	return dialogs.CodeNA
}

// askedWhen puts the conditions of an item and its module into English
// words (askedIf into German ones, for the codebook).
func askedWhen(it *dialogs.Item) string {
	var parts []string
	for _, c := range append(append([]dialogs.Condition(nil), it.Module().When...), it.When...) {
		switch {
		case len(c.In) > 0:
			parts = append(parts, c.Item+" = "+strings.Join(c.In, " or "))
		case len(c.NotIn) > 0:
			parts = append(parts, c.Item+" ≠ "+strings.Join(c.NotIn, " and "))
		}
	}
	return strings.Join(parts, "; ")
}
