package campaigns

import (
	"testing"

	"github.com/surveybot/surveybot/survey"
)

func TestChooseChannel(t *testing.T) {
	all := []survey.Channel{survey.Telegram, survey.Slack, survey.Email}
	for _, c := range []struct {
		name  string
		order []survey.Channel
		reach survey.Reach
		want  survey.Channel
	}{
		{"telegram preferred and a chat known", all, survey.Reach{Telegram: true, TelegramChat: "42", Email: "a@example.org"}, survey.Telegram},
		{"telegram preferred but the bot never heard from them", all, survey.Reach{Telegram: true, Email: "a@example.org"}, survey.Email},
		{"a chat known but telegram not preferred", all, survey.Reach{TelegramChat: "42", Slack: "U1"}, survey.Slack},
		{"the campaign's order decides", []survey.Channel{survey.Email, survey.Slack}, survey.Reach{Email: "a@example.org", Slack: "U1"}, survey.Email},
		{"no address on the campaign's channels", []survey.Channel{survey.Slack}, survey.Reach{Email: "a@example.org"}, ""},
		{"nothing at all", all, survey.Reach{}, ""},
	} {
		if got := chooseChannel(c.order, c.reach); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
