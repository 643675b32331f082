package members

import (
	"testing"

	"github.com/surveybot/surveybot/dialogs"
)

// TestCodesMatchQuestionnaire keeps the codes a member list accepts for
// sector and size those of the shared questionnaire, with its labels.
func TestCodesMatchQuestionnaire(t *testing.T) {
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	for item, opts := range map[string][]option{"sector": sectors(), "size": sizes()} {
		it, ok := q.Item(item)
		if !ok {
			t.Fatalf("the questionnaire has no item %s", item)
		}
		if len(it.Options) != len(opts) {
			t.Fatalf("%s: %d options in the questionnaire, %d here", item, len(it.Options), len(opts))
		}
		for i, o := range it.Options {
			if opts[i].code != o.Code || opts[i].labels[0] != o.Label.De || opts[i].labels[1] != o.Label.En {
				t.Errorf("%s option %d: questionnaire %s %q %q, here %+v", item, i, o.Code, o.Label.De, o.Label.En, opts[i])
			}
		}
	}
}
