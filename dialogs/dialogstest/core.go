package dialogstest

import (
	"testing"

	"github.com/surveybot/surveybot/dialogs"
)

// Core loads the shared questionnaire, failing the test if it cannot.
func Core(t testing.TB) *dialogs.Questionnaire {
	t.Helper()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	return q
}
