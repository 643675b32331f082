package telegramtest

import (
	"encoding/json"
	"net/url"
	"regexp"

	"github.com/go-telegram/bot/models"
)

func (s *Server) setWebhookLocked(p map[string]string) (any, string, *apiError) {
	u := p["url"]
	secret := p["secret_token"]
	if secret != "" && !validSecret(secret) {
		return nil, "", badRequest("secret token contains unallowed characters") // wording guessed
	}
	if list, ok := stringList(p, "allowed_updates"); ok {
		s.setAllowedLocked(list)
	}
	if boolParam(p, "drop_pending_updates") {
		s.queue = nil
	}
	if u == "" {
		desc := "Webhook is already deleted"
		if s.hook.url != "" {
			desc = "Webhook was deleted"
		}
		s.hook = webhookState{}
		return true, desc, nil
	}
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
		// The real API demands HTTPS; plain HTTP is accepted here for tests.
		return nil, "", badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	maxConn := int(intParam(p, "max_connections", defaultMaxConns))
	if maxConn < 1 || maxConn > 100 {
		maxConn = defaultMaxConns
	}
	desc := "Webhook was set"
	if s.hook.url == u {
		desc = "Webhook is already set"
	}
	s.hook = webhookState{url: u, secret: secret, maxConn: maxConn}
	s.broadcastLocked() // a waiting getUpdates now conflicts
	return true, desc, nil
}

// validSecret checks a webhook secret_token: 1-256 characters A-Z, a-z,
// 0-9, _ and -.
func validSecret(s string) bool {
	if len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func (s *Server) setMyCommandsLocked(p map[string]string) (any, string, *apiError) {
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		return nil, "", badRequest("can't parse commands JSON object") // wording guessed
	}
	if len(cmds) > maxCommands {
		return nil, "", badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	valid := regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	for _, c := range cmds {
		if !valid.MatchString(c.Command) {
			return nil, "", badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8Len(c.Description); n < 1 || n > 256 {
			return nil, "", badRequest("BOT_COMMAND_DESCRIPTION_INVALID") // wording guessed
		}
	}
	s.commands[p["language_code"]] = cmds
	return true, "", nil
}
