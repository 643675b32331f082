package dialogs

import "github.com/surveybot/surveybot/internal/safetext"

// storable reports whether every string of an input can be stored.
func storable(in Input) bool {
	for _, s := range append([]string{string(in.Command), in.Choice, in.Text, in.Item}, in.Selection...) {
		if safetext.Check(s) != nil {
			return false
		}
	}
	return true
}
