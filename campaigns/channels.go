package campaigns

import "github.com/surveybot/surveybot/survey"

// chooseChannel returns the first channel of order the member can be
// reached on, or "". Telegram needs the member's preference and a chat:
// a bot cannot write to someone who never wrote to it.
func chooseChannel(order []survey.Channel, r survey.Reach) survey.Channel {
	for _, ch := range order {
		if address(ch, r) != "" {
			return ch
		}
	}
	return ""
}

// address is where a member gets a message on a channel: an e-mail
// address, a Telegram chat id, a Slack user id or address; "" if nowhere.
func address(ch survey.Channel, r survey.Reach) string {
	switch {
	case ch == survey.Email:
		return r.Email
	case ch == survey.Telegram && r.Telegram:
		return r.TelegramChat
	case ch == survey.Slack:
		return r.Slack
	}
	return ""
}
