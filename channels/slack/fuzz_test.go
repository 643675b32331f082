package slack_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/slack"
	"github.com/surveybot/surveybot/channels/slacktest"
)

// fuzzRig is the channel's endpoints, served without a listener.
type fuzzRig struct {
	*rig
	mux *http.ServeMux
}

func newFuzzRig(f *testing.F) fuzzRig {
	r := newRig(f, rigOptions{})
	mux := http.NewServeMux()
	r.ch.Register(mux)
	return fuzzRig{rig: r, mux: mux}
}

// postSigned posts body to route, signed now as Slack signs it, and fails
// t unless the answer is 200 or 400: a server error makes Slack retry
// the same request, and a valid signature must never be refused.
func (r fuzzRig) postSigned(t *testing.T, route, contentType string, body []byte) {
	t.Helper()
	// The work after the acknowledgement runs behind the requests; wait
	// for it to catch up so the queue's limit is not what is tested.
	for r.ch.WorkLen() > 500 || r.queue.Len() > 500 {
		time.Sleep(time.Millisecond)
	}
	req := httptest.NewRequest(http.MethodPost, route, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	slacktest.Sign(req.Header, secret, time.Now(), body)
	rec := httptest.NewRecorder()
	r.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
		t.Fatalf("%s answered %d (%q) for %q", route, rec.Code, rec.Body.String(), body)
	}
}

// FuzzEvents posts arbitrary Events API bodies, validly signed.
func FuzzEvents(f *testing.F) {
	for _, seed := range [][]byte{
		slacktest.MessageEvent("Ev1", "U0FUZZ0001", slacktest.DMOf("U0FUZZ0001"), "1700000000.000001", "hallo"),
		slacktest.MessageEvent("Ev2", "U0FUZZ0001", slacktest.DMOf("U0FUZZ0001"), "1700000000.000002", "ja"),
		slacktest.BotMessageEvent("Ev3", "B0001", slacktest.DMOf("U0FUZZ0001"), "1700000000.000003", "Frage"),
		slacktest.AppHomeOpened("Ev4", "U0FUZZ0002", slacktest.DMOf("U0FUZZ0002")),
		slacktest.URLVerification("challenge-xyz"),
		[]byte(`{"type":"event_callback","event_id":"Ev5","event":{"type":"message","subtype":"message_changed","channel_type":"im"}}`),
		[]byte(`{"type":"event_callback","event":{}}`),
		[]byte(`{"type":"app_rate_limited"}`),
		[]byte(`null`),
	} {
		f.Add(seed)
	}
	r := newFuzzRig(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		r.postSigned(t, slack.RouteEvents, jsonType, body)
	})
}

// FuzzInteractivity posts arbitrary interaction payloads (the JSON in
// the form field payload), validly signed.
func FuzzInteractivity(f *testing.F) {
	m := slacktest.Message{Channel: slacktest.DMOf("U0FUZZ0001"), TS: "1700000000.000001", Text: "Frage"}
	for _, seed := range [][]byte{
		slacktest.BlockActionsPayload("U0FUZZ0001", m, "o|consent|yes", "trig.1", "1700000001.000001", nil),
		slacktest.BlockActionsPayload("U0FUZZ0001", m, "c|mat_tech|done", "trig.2", "1700000001.000002", map[string][]string{"m|mat_tech": {"cloud", "erp"}}),
		slacktest.BlockActionsPayload("U0FUZZ0002", m, "d||yes", "trig.3", "1700000001.000003", nil),
		[]byte(`{"type":"view_submission","user":{"id":"U1"}}`),
		[]byte(`{"type":"block_actions","user":{"id":"U1"},"actions":[]}`),
		[]byte(`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"|||","value":""}],"state":{"values":{"x":{"y":{"type":"checkboxes"}}}}}`),
	} {
		f.Add(seed)
	}
	r := newFuzzRig(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		r.postSigned(t, slack.RouteInteractivity, formType, []byte(url.Values{"payload": {string(payload)}}.Encode()))
	})
}

// FuzzSlashCommand posts arbitrary form bodies to the slash command
// endpoint, validly signed.
func FuzzSlashCommand(f *testing.F) {
	for _, seed := range [][]byte{
		slacktest.SlashCommand("U0FUZZ0001", "C0GENERAL", "/umfrage", "start", "cmd.1"),
		slacktest.SlashCommand("U0FUZZ0001", "C0GENERAL", "/umfrage", "status", "cmd.2"),
		slacktest.SlashCommand("U0FUZZ0001", "C0GENERAL", "/umfrage", "sprache en", "cmd.3"),
		slacktest.SlashCommand("U0FUZZ0001", "C0GENERAL", "/umfrage", "löschen", ""),
		slacktest.SlashCommand("U0FUZZ0002", "C0GENERAL", "/umfrage", "start abc123", "cmd.4"),
		slacktest.SlashCommand("U0FUZZ0002", "C0GENERAL", "/umfrage", "", "cmd.5"),
		[]byte("user_id=U1&text=start%00"),
		[]byte("user_id=&text=start"),
		[]byte("%zz"),
	} {
		f.Add(seed)
	}
	r := newFuzzRig(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		r.postSigned(t, slack.RouteCommands, formType, body)
	})
}

// FuzzSignature sends arbitrary signature headers and bodies. A request
// gets past the check only with the signature of its own timestamp and
// body, and a correctly signed, fresh one always does. Inputs may write
// the timestamp as "@N", N seconds before now, and an empty signature
// stands for the correct one, so that seeds stay meaningful over time.
func FuzzSignature(f *testing.F) {
	f.Add("@0", "", []byte(slacktest.URLVerification("c1")))
	f.Add("@30", "", []byte(`{"type":"app_rate_limited"}`))
	f.Add("@-60", "", []byte(`{}`))
	f.Add("@301", "", []byte(`{}`))
	f.Add("@-400", "", []byte(`{}`))
	f.Add("@0", "v0=00", []byte(`{}`))
	f.Add("1700000000", "v0=0000000000000000000000000000000000000000000000000000000000000000", []byte(`{}`))
	f.Add("", "", []byte(`{}`))
	f.Add("@0", "v1=abc", []byte(``))
	f.Add("9223372036854775807", "", []byte(`{}`))
	f.Add("-9223372036854775808", "", []byte(`{}`))
	r := newFuzzRig(f)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		now := time.Now()
		if ago, ok := strings.CutPrefix(ts, "@"); ok {
			if n, err := strconv.ParseInt(ago, 10, 32); err == nil {
				ts = strconv.FormatInt(now.Unix()-n, 10)
			}
		}
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%s:", ts)
		mac.Write(body)
		want := mac.Sum(nil)
		if sig == "" {
			sig = "v0=" + hex.EncodeToString(want)
		}
		req := httptest.NewRequest(http.MethodPost, slack.RouteEvents, bytes.NewReader(body))
		req.Header.Set("Content-Type", jsonType)
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		rec := httptest.NewRecorder()
		r.mux.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("answered %d for ts %q sig %q body %q", rec.Code, ts, sig, body)
		}

		got, hexErr := hex.DecodeString(strings.TrimPrefix(sig, "v0="))
		signed := strings.HasPrefix(sig, "v0=") && hexErr == nil && hmac.Equal(got, want)
		var age time.Duration
		n, tsErr := strconv.ParseInt(ts, 10, 64)
		if tsErr == nil {
			age = now.Sub(time.Unix(n, 0)).Abs()
		}
		// The five minutes are checked on the handler's clock, a moment
		// later than now: only well inside or outside them is asserted.
		fresh := tsErr == nil && age < signatureAge-10*time.Second
		stale := tsErr != nil || age > signatureAge+10*time.Second
		switch {
		case rec.Code == http.StatusUnauthorized && signed && fresh:
			t.Fatalf("a correct, fresh signature was refused: ts %q (%s old) sig %q", ts, age, sig)
		case rec.Code != http.StatusUnauthorized && (!signed || stale):
			t.Fatalf("answered %d past the signature check: ts %q (%s old, signed %v) sig %q", rec.Code, ts, age, signed, sig)
		}
	})
}

// signatureAge is how old a signature may be (Slack's rule).
const signatureAge = 5 * time.Minute
