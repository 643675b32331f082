package slack_test

import (
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/slacktest"
)

// TestTypedEntitiesStoredAsTyped types "R&D <Team>" as a free text
// answer. Slack delivers it as "R&amp;D &lt;Team&gt;": the answer is
// stored as typed, and the messages that show it again escape it once, so
// Slack shows it as typed too, never as "R&amp;D".
func TestTypedEntitiesStoredAsTyped(t *testing.T) {
	r := newSecurityRig(t)
	const user, typed = "U0RANDD", "R&D <Team>"
	r.typeText(user, "start")
	r.act(user, "ja")
	r.act(user, typed)
	r.act(user, "zurück")

	if got := answersOf(t, r.db, user)["note"].Value; got != typed {
		t.Errorf("stored %q, want %q", got, typed)
	}
	const once = "R&amp;D &lt;Team&gt;"
	var answered, previous bool
	dm := slacktest.DMOf(user)
	for _, m := range append(r.fake.Messages(dm), r.fake.Ephemerals(dm)...) {
		for _, s := range []string{m.Text, m.Shown()} {
			if strings.Contains(s, "&amp;amp;") || strings.Contains(s, "&amp;lt;") {
				t.Errorf("a message escapes the answer twice: %q", s)
			}
		}
		answered = answered || strings.Contains(m.Shown(), "✓ "+once)
		previous = previous || strings.Contains(m.Shown(), once+")")
	}
	if !answered {
		t.Errorf("no message shows the answer after ✓ as %q", once)
	}
	if !previous {
		t.Errorf("going back does not show the answer as %q", once)
	}
}
