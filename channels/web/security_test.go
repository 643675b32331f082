package web_test

import (
	"context"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/survey"
)

// securityQuestionnaire asks for free text first, so what a respondent
// types comes back on the next pages; its question text has markup
// characters too, as a chamber's own file might.
const securityQuestionnaire = dialogstest.FreeTextYAML

// htmlPayloads are free text answers that would run script if a page
// wrote them as markup, in element text or in an attribute value.
var htmlPayloads = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`"><svg onload=alert(1)>`,
	`' autofocus onfocus='alert(1)`,
	`</textarea></title><script>alert(document.cookie)</script>`,
}

var (
	injectedTag = regexp.MustCompile(`(?i)<\s*/?\s*(script|img|svg|iframe|object|embed|textarea)\b`)
	// A start tag as a browser reads it, attribute values quoted or not.
	startTag  = regexp.MustCompile(`<[a-zA-Z][a-zA-Z0-9-]*((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*/?>`)
	attribute = regexp.MustCompile(`\s+([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?`)
)

// checkNoMarkup fails if a page holds a tag or an attribute that only a
// payload could have brought: a script, image or frame, an event handler
// or autofocus.
func checkNoMarkup(t *testing.T, what string, p htmlPage) {
	t.Helper()
	if m := injectedTag.FindString(p.body); m != "" {
		t.Errorf("%s: the page has the tag %q:\n%s", what, m, p.body)
	}
	for _, tag := range startTag.FindAllStringSubmatch(p.body, -1) {
		for _, a := range attribute.FindAllStringSubmatch(tag[1], -1) {
			if name := strings.ToLower(a[1]); strings.HasPrefix(name, "on") || name == "autofocus" {
				t.Errorf("%s: the tag %q has the attribute %q", what, tag[0], name)
			}
		}
	}
}

func securityRig(t *testing.T) *rig {
	t.Helper()
	q, err := dialogs.Parse("sectest.yaml", []byte(securityQuestionnaire), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, q, web.Config{})
	if err := r.db.RegisterQuestionnaire(context.Background(), q.Ref(), []byte(securityQuestionnaire)); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSecurityHTMLInjectionInFreeText types markup as a free text answer
// and goes through every page that shows it again: the next question, the
// question when going back to edit (the answer above the input and in
// it), and the summary. Each shows the text as typed and never as markup.
func TestSecurityHTMLInjectionInFreeText(t *testing.T) {
	r := securityRig(t)
	for _, payload := range htmlPayloads {
		_, key := r.invite(survey.NewInvitation{Lang: dialogs.German})
		note := r.submit(r.get("/s/"+key), "ja")
		checkNoMarkup(t, "question page", note)
		if !strings.Contains(note.text(), "Was sagt <Firma & Co> dazu?") || strings.Contains(note.body, "<Firma") {
			t.Errorf("the question text is not shown escaped:\n%s", note.body)
		}
		next := r.submit(note, payload)
		if next.status != http.StatusOK || !strings.Contains(next.text(), "Alles klar?") {
			t.Fatalf("%q: status %d, want the next question:\n%s", payload, next.status, next.body)
		}
		checkNoMarkup(t, "next question", next)

		// Back to edit: the answer is shown above the input and filled in.
		back := r.submit(next, "zurück")
		checkNoMarkup(t, "back to edit", back)
		if !strings.Contains(back.text(), payload) {
			t.Errorf("%q: the edit page does not show the answer as typed:\n%s", payload, back.body)
		}
		texts := back.form(t, "answer").controls("text")
		if len(texts) != 1 || texts[0].attr("value") != payload {
			t.Errorf("%q: the edit page's input holds %v, want the answer as typed", payload, texts)
		}
		if strings.Contains(back.body, payload) {
			t.Errorf("%q: written into the page unescaped", payload)
		}

		// An answer too long comes back as an error above the input.
		long := r.post(back.form(t, "answer").action, with(back.form(t, "answer"), "text", strings.Repeat(payload, 20)))
		if long.status != http.StatusUnprocessableEntity {
			t.Errorf("%q: a too long answer got %d, want 422", payload, long.status)
		}
		checkNoMarkup(t, "error page", long)

		next = r.submit(back, payload)
		summary := r.submit(next, "ja")
		checkNoMarkup(t, "summary", summary)
		if strings.Contains(summary.body, payload) {
			t.Errorf("%q: the summary writes it unescaped", payload)
		}

		// Stored verbatim: the escaping is the page's business, not the data's.
		resp, err := r.db.CurrentResponse(context.Background(), webIdentity(key))
		if err != nil {
			t.Fatal(err)
		}
		answers, err := r.db.Answers(context.Background(), resp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if answers["note"].Value != payload || resp.Status != survey.StatusCompleted {
			t.Errorf("%q: stored %q (%s), want it verbatim and completed", payload, answers["note"].Value, resp.Status)
		}
	}
}

// TestSecurityOversizedBodies posts more than the web channel reads to
// every route that takes a body, plain and multipart: 413 and nothing
// stored or opted out.
func TestSecurityOversizedBodies(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	ctx := context.Background()
	const addr = "gross@example.org"
	_, key := r.invite(survey.NewInvitation{Email: addr})
	consent := r.get("/s/" + key)
	path, vals := r.fill(consent, "ja")
	big := strings.Repeat("x", 70<<10)
	post := func(path, contentType, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, r.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		resp, out := r.do(req)
		return resp.StatusCode, out
	}
	multi := func(fields map[string]string) (string, string) {
		var b strings.Builder
		mw := multipart.NewWriter(&b)
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		_ = mw.Close()
		return mw.FormDataContentType(), b.String()
	}
	vals.Set("pad", big)
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name, path, contentType, body string
	}{
		{"answer form", path, form, vals.Encode()},
		{"unsubscribe one-click", "/u/" + key, form, "List-Unsubscribe=One-Click&pad=" + big},
	}
	mt, mb := multi(map[string]string{"csrf": vals.Get("csrf"), "item": vals.Get("item"), "choice": "yes", "pad": big})
	cases = append(cases, struct{ name, path, contentType, body string }{"answer form, multipart", path, mt, mb})
	mt, mb = multi(map[string]string{"List-Unsubscribe": "One-Click", "pad": big})
	cases = append(cases, struct{ name, path, contentType, body string }{"unsubscribe one-click, multipart", "/u/" + key, mt, mb})
	for _, tc := range cases {
		code, body := post(tc.path, tc.contentType, tc.body)
		if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "Eingabe zu lang") {
			t.Errorf("%s: status %d, want 413 and its page", tc.name, code)
		}
	}
	if resp, err := r.db.CurrentResponse(ctx, webIdentity(key)); err != nil || resp.Status != survey.StatusStarted || resp.Seq != 0 {
		t.Errorf("response after oversized forms: %+v (%v), want it untouched", resp, err)
	}
	if out, err := r.db.OptedOut(ctx, addr); err != nil || out {
		t.Errorf("an oversized unsubscribe opted out (%v)", err)
	}
	// The same form at its normal size is taken.
	vals.Del("pad")
	if code, _ := post(path, form, vals.Encode()); code != http.StatusSeeOther {
		t.Errorf("the form without padding: status %d, want 303", code)
	}
}

// TestSecurityGuessedAndExpiredTokens tries guessed, expired and
// well-formed but unknown tokens on every route that takes one: each gets
// the same 404 page as any wrong link, posting to them stores nothing,
// and no response is begun for them.
func TestSecurityGuessedAndExpiredTokens(t *testing.T) {
	r := newRig(t, nil, web.Config{GuessLimit: 1000})
	ctx := context.Background()
	_, expired := r.invite(survey.NewInvitation{TTL: -time.Minute, Email: "alt@example.org"})
	_, good := r.invite(survey.NewInvitation{})
	wrong := r.get("/s/" + strings.Repeat("A", 22))
	if wrong.status != http.StatusNotFound {
		t.Fatalf("unknown token: %d", wrong.status)
	}
	csrfOfGood := r.get("/s/"+good).form(t, "answer").controls("hidden")[0].attr("value")
	for name, token := range map[string]string{
		"expired":             expired,
		"guessed":             "Zm9vYmFyYmF6cXV4MTIzNA",
		"good with a change":  good[:21] + otherChar(good[21]),
		"good, other case":    strings.ToUpper(good[:11]) + strings.ToLower(good[11:]),
		"path traversal":      "..%2F..%2Fetc%2Fpasswd",
		"SQL":                 "A'%20OR%20'1'%3D'1'--AAAA",
		"too long by a digit": good + "0",
	} {
		if token == good {
			continue // the case change happened to change nothing
		}
		if p := r.get("/s/" + token); p.status != http.StatusNotFound || p.body != wrong.body {
			t.Errorf("GET /s/ %s: status %d, want the 404 of any wrong link", name, p.status)
		}
		resp, body := r.postRaw("/s/"+token, "csrf="+csrfOfGood+"&item=%40consent&choice=yes")
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST /s/ %s: status %d, want 404 or 403", name, resp.StatusCode)
		}
		if strings.Contains(body, "Frage") {
			t.Errorf("POST /s/ %s shows a question", name)
		}
	}
	if _, err := r.db.CurrentResponse(ctx, webIdentity(expired)); err == nil {
		t.Errorf("the expired link began a response")
	}
	if resp, err := r.db.CurrentResponse(ctx, webIdentity(good)); err != nil || resp.Seq != 0 {
		t.Errorf("the good link's response %+v (%v), want it untouched by the others' posts", resp, err)
	}
}

// otherChar returns a key character other than c.
func otherChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
