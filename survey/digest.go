package survey

// Subscriber receives the weekly digest.
type Subscriber struct {
	Kind   Channel `db:"kind"`   // Slack, Telegram or Email
	Target string  `db:"target"` // channel id, chat id or address
}
