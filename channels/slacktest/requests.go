package slacktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Action is a button or a group of checkboxes of a message.
type Action struct {
	BlockID  string
	ActionID string
	Type     string // "button" or "checkboxes"
	Label    string // button text
	Value    string // button value
	Options  []Option
}

// Option is one checkbox.
type Option struct {
	Value, Label string
	Ticked       bool // among initial_options
}

// Actions returns the buttons and checkboxes of the message, in order.
func (m Message) Actions() []Action {
	var out []Action
	for _, b := range m.Blocks.BlockSet {
		ab, ok := b.(*slack.ActionBlock)
		if !ok || ab.Elements == nil {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			switch e := el.(type) {
			case *slack.ButtonBlockElement:
				label := ""
				if e.Text != nil {
					label = e.Text.Text
				}
				out = append(out, Action{BlockID: ab.BlockID, ActionID: e.ActionID, Type: "button", Label: label, Value: e.Value})
			case *slack.CheckboxGroupsBlockElement:
				a := Action{BlockID: ab.BlockID, ActionID: e.ActionID, Type: "checkboxes"}
				for _, o := range e.Options {
					opt := Option{Value: o.Value, Label: o.Text.Text}
					for _, i := range e.InitialOptions {
						opt.Ticked = opt.Ticked || i.Value == o.Value
					}
					a.Options = append(a.Options, opt)
				}
				out = append(out, a)
			}
		}
	}
	return out
}

// Shown returns what the message shows as text: its section and context
// blocks, or its text if it has no blocks.
func (m Message) Shown() string {
	if len(m.Blocks.BlockSet) == 0 {
		return m.Text
	}
	var parts []string
	for _, b := range m.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				parts = append(parts, b.Text.Text)
			}
		case *slack.ContextBlock:
			for _, el := range b.ContextElements.Elements {
				if t, ok := el.(*slack.TextBlockObject); ok {
					parts = append(parts, t.Text)
				}
			}
		}
	}
	return strings.Join(parts, "\n")
}

// Sign sets the headers with which Slack signs a request: the timestamp
// and v0= the HMAC-SHA256 of "v0:<timestamp>:<body>" with the signing
// secret.
func Sign(h http.Header, secret string, at time.Time, body []byte) {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// SignedRequest returns a POST of body to url, signed at the given time.
func SignedRequest(url, contentType, secret string, at time.Time, body []byte) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	Sign(req.Header, secret, at, body)
	return req
}

// MessageEvent returns the Events API payload of a message a user typed
// in the app's DM. As Slack does, it sends what was typed with &, < and >
// as &amp;, &lt; and &gt;.
func MessageEvent(eventID, user, channel, ts, text string) []byte {
	return callback(eventID, map[string]any{
		"type": "message", "user": user, "text": Escape(text), "ts": ts, "channel": channel,
		"channel_type": "im", "event_ts": ts,
	})
}

// Escape escapes text as Slack does in the text of the messages it
// delivers: &, < and > only.
func Escape(text string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(text)
}

// BotMessageEvent returns the payload of a message the app itself posted.
func BotMessageEvent(eventID, botID, channel, ts, text string) []byte {
	return callback(eventID, map[string]any{
		"type": "message", "bot_id": botID, "text": text, "ts": ts, "channel": channel,
		"channel_type": "im", "event_ts": ts,
	})
}

// AppHomeOpened returns the payload of a user opening the app's messages tab.
func AppHomeOpened(eventID, user, channel string) []byte {
	return callback(eventID, map[string]any{"type": "app_home_opened", "user": user, "channel": channel, "tab": "messages", "event_ts": "1.0"})
}

func callback(eventID string, event map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"token": "unused", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
		"event_id": eventID, "event_time": time.Now().Unix(), "event": event,
	})
	return b
}

// URLVerification returns the payload with which Slack checks the events URL.
func URLVerification(challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"token": "unused", "type": "url_verification", "challenge": challenge})
	return b
}

// BlockActions returns the form body of a press on the action actionID of
// message m by user, with ticked as the checked values of each checkbox
// group (by its action id) in the message state. triggerID and actionTS
// make the press unique.
func BlockActions(user string, m Message, actionID, triggerID, actionTS string, ticked map[string][]string) []byte {
	payload := BlockActionsPayload(user, m, actionID, triggerID, actionTS, ticked)
	return []byte(url.Values{"payload": {string(payload)}}.Encode())
}

// BlockActionsPayload is the JSON payload of BlockActions, as Socket Mode
// carries it.
func BlockActionsPayload(user string, m Message, actionID, triggerID, actionTS string, ticked map[string][]string) []byte {
	var pressed map[string]any
	values := map[string]map[string]any{}
	for _, a := range m.Actions() {
		if a.Type == "checkboxes" {
			var sel []map[string]any
			for _, v := range ticked[a.ActionID] {
				sel = append(sel, map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}})
			}
			if sel == nil {
				sel = []map[string]any{}
			}
			values[a.BlockID] = map[string]any{a.ActionID: map[string]any{"type": "checkboxes", "selected_options": sel}}
		}
		if a.ActionID == actionID {
			pressed = map[string]any{
				"action_id": a.ActionID, "block_id": a.BlockID, "type": a.Type, "value": a.Value, "action_ts": actionTS,
				"text": map[string]any{"type": "plain_text", "text": a.Label},
			}
		}
	}
	if pressed == nil {
		pressed = map[string]any{"action_id": actionID, "type": "button", "action_ts": actionTS}
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": triggerID, "api_app_id": "A0001",
		"team":      map[string]any{"id": "T0001"},
		"user":      map[string]any{"id": user},
		"channel":   map[string]any{"id": m.Channel},
		"container": map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel},
		"message":   map[string]any{"ts": m.TS, "text": m.Text},
		"actions":   []any{pressed},
		"state":     map[string]any{"values": values},
	})
	return payload
}

// SlashCommandPayload is the JSON payload of a slash command, as Socket
// Mode carries it.
func SlashCommandPayload(user, channel, command, text, triggerID string) []byte {
	b, _ := json.Marshal(map[string]string{
		"token": "unused", "team_id": "T0001", "channel_id": channel, "user_id": user,
		"user_name": "tester", "command": command, "text": text, "trigger_id": triggerID,
		"response_url": "https://hooks.slack.invalid/commands/1", "api_app_id": "A0001",
	})
	return b
}

// SlashCommand returns the form body of a slash command a user typed in channel.
func SlashCommand(user, channel, command, text, triggerID string) []byte {
	return []byte(url.Values{
		"token": {"unused"}, "team_id": {"T0001"}, "channel_id": {channel}, "user_id": {user},
		"user_name": {"tester"}, "command": {command}, "text": {text}, "trigger_id": {triggerID},
		"response_url": {"https://hooks.slack.invalid/commands/1"}, "api_app_id": {"A0001"},
	}.Encode())
}
