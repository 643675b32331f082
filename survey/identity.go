package survey

// Identity is who a respondent is on one channel: a Telegram chat id, a
// Slack user id, an e-mail address. It is kept apart from the answers.
type Identity struct {
	Channel  Channel
	External string
}

// String is the identity as channel:external, for keys and logs of ids
// that are not personal.
func (id Identity) String() string { return string(id.Channel) + ":" + id.External }

// Erased is what erasing a respondent in SQL leaves to erase elsewhere:
// the live sessions of their responses, and what the channels keep under
// their identities (the last question shown, a Slack DM, sent mail).
type Erased struct {
	Responses  []string
	Identities []Identity
}
