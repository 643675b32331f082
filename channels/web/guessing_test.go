package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/survey"
)

// TestSharedAddressBlockedByGuesser has a respondent and a guesser behind
// one address, as in an office. The guesser gets the address blocked; the
// respondent, who had opened their link, can still see it and answer. A
// browser that never opened a link, the guesser with the respondent's
// cookie on another link, or a made-up cookie get the same 429 as any
// guess, so the block tells nothing about which tokens are valid.
func TestSharedAddressBlockedByGuesser(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, good := r.invite(survey.NewInvitation{})
	_, other := r.invite(survey.NewInvitation{})
	const office = "192.0.2.7"
	send := func(method, path, body string, cookies []*http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.RemoteAddr = office + ":40000"
		for _, k := range cookies {
			req.AddCookie(k)
		}
		rec := httptest.NewRecorder()
		r.mux.ServeHTTP(rec, req)
		return rec
	}

	// The respondent opens the link from the office.
	first := send(http.MethodGet, "/s/"+good, "", nil)
	if first.Code != http.StatusOK {
		t.Fatalf("the link: status %d, want 200", first.Code)
	}
	// The browser keeps what it was given, for this link only.
	jar := first.Result().Cookies()
	for _, k := range jar {
		if k.Path != "/s/"+good || !k.HttpOnly {
			t.Errorf("cookie %s for path %q, HttpOnly %v; want it for the link alone, HttpOnly", k.Name, k.Path, k.HttpOnly)
		}
	}
	// Then someone in the office guesses tokens until the address is blocked.
	for i := range 21 {
		send(http.MethodGet, "/s/"+strings.Repeat("B", 21)+string(rune('a'+i)), "", nil)
	}
	if rec := send(http.MethodGet, "/s/"+strings.Repeat("C", 22), "", nil); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("after 21 wrong tokens: status %d, want 429", rec.Code)
	}

	// The respondent goes on: the page, then an answer.
	again := send(http.MethodGet, "/s/"+good, "", jar)
	if again.Code != http.StatusOK {
		t.Fatalf("the opened link from the blocked address: status %d, want 200", again.Code)
	}
	consent := parsePage(t, again.Code, again.Body.String())
	path, vals := r.fill(consent, "ja")
	if rec := send(http.MethodPost, path, vals.Encode(), jar); rec.Code != http.StatusSeeOther {
		t.Fatalf("consent from the blocked address: status %d, want 303", rec.Code)
	}
	q1 := parsePage(t, http.StatusOK, send(http.MethodGet, "/s/"+good, "", jar).Body.String())
	path, vals = r.fill(q1, "1")
	if rec := send(http.MethodPost, path, vals.Encode(), jar); rec.Code != http.StatusSeeOther {
		t.Fatalf("an answer from the blocked address: status %d, want 303", rec.Code)
	}
	if n := answerCount(t, r, good); n != 1 {
		t.Errorf("%d answers stored, want 1", n)
	}

	// Everything else from the address is refused alike.
	moved := make([]*http.Cookie, len(jar))
	for i, k := range jar {
		c := *k
		c.Path = "/s/" + other
		moved[i] = &c
	}
	for name, tc := range map[string]struct {
		path    string
		cookies []*http.Cookie
	}{
		"a valid link never opened here":       {"/s/" + other, nil},
		"another link with the opened cookie":  {"/s/" + other, moved},
		"a guessed token with the cookie":      {"/s/" + strings.Repeat("D", 22), moved},
		"the opened link with a made-up value": {"/s/" + good, []*http.Cookie{{Name: "opened", Value: url.QueryEscape(strings.Repeat("A", 43))}}},
	} {
		if rec := send(http.MethodGet, tc.path, "", tc.cookies); rec.Code != http.StatusTooManyRequests {
			t.Errorf("%s: status %d, want 429", name, rec.Code)
		}
	}
}
