// Package survey holds the domain's types that are not persistence: who
// answers (identities, members, chambers, principals), responses and their
// public shape, campaigns and their figures, the dimensions and cells of
// published figures, and the channels a respondent talks on. store reads
// and writes them; bot, campaigns, indicators and the channels use them
// without linking a database driver.
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
