package survey

// Channel names a way a respondent or a council member is reached.
type Channel string

// The channels. Import marks answers taken in from a chamber's own survey
// file, not from a dialog.
const (
	Telegram Channel = "telegram"
	Slack    Channel = "slack"
	Email    Channel = "email"
	Web      Channel = "web"
	Console  Channel = "console"
	Import   Channel = "import"
)

// InviteChannels are the channels a campaign can send invitations on, in
// the default order of preference.
func InviteChannels() []Channel { return []Channel{Email, Telegram, Slack} }
