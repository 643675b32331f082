package slacktest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gorilla/websocket"
	slackfake "github.com/slack-go/slack/slacktest"
)

// Ack is a Socket Mode acknowledgement the app sent.
type Ack struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload,omitempty"`
}

// socketURL answers apps.connections.open with the fake's Socket Mode
// WebSocket.
func (s *Server) socketURL(url.Values, *http.Request) (any, error) {
	return map[string]any{"url": "ws" + strings.TrimPrefix(strings.TrimSuffix(s.APIURL(), "/"), "http") + "/socket"}, nil
}

// socket is the Socket Mode WebSocket: it says hello, then sends what
// SendEnvelope queues and records the acknowledgements.
func (s *Server) socket(w http.ResponseWriter, r *http.Request) {
	slackfake.Websocket(func(c *websocket.Conn) {
		if err := c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				var a Ack
				if err := c.ReadJSON(&a); err != nil {
					return
				}
				s.mu.Lock()
				s.acks = append(s.acks, a)
				s.mu.Unlock()
			}
		}()
		for {
			select {
			case <-done:
				return
			case env := <-s.envelopes:
				if err := c.WriteMessage(websocket.TextMessage, env); err != nil {
					return
				}
			}
		}
	})(w, r)
}

// SendEnvelope sends a Socket Mode envelope to the connected app: kind is
// "events_api", "interactive" or "slash_commands", payload the JSON Slack
// would post over HTTP (for interactive, the payload itself, not the form).
func (s *Server) SendEnvelope(envelopeID, kind string, payload []byte) {
	b, _ := json.Marshal(map[string]any{
		"envelope_id": envelopeID, "type": kind, "payload": json.RawMessage(payload),
		"accepts_response_payload": kind == "slash_commands",
	})
	s.envelopes <- b
}

// Acks returns the acknowledgements received so far.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.acks)
}
