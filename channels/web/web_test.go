package web_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/metrics"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// rig is the web channel on real stores, served by httptest.
type rig struct {
	t      testing.TB
	db     *store.DB
	svc    *bot.Service
	ch     *web.Channel
	mux    *http.ServeMux
	srv    *httptest.Server
	client *http.Client
}

func newRig(t testing.TB, q *dialogs.Questionnaire, cfg web.Config) *rig {
	t.Helper()
	return newCountedRig(t, q, cfg, nil)
}

// newCountedRig is newRig that counts in m, if not nil.
func newCountedRig(t testing.TB, q *dialogs.Questionnaire, cfg web.Config, m *metrics.Metrics) *rig {
	t.Helper()
	return newRigOn(t, storetest.SQLite(t), q, cfg, m)
}

// newRigOn is newCountedRig on a database of the test's choosing.
func newRigOn(t testing.TB, db *store.DB, q *dialogs.Questionnaire, cfg web.Config, m *metrics.Metrics) *rig {
	t.Helper()
	if q == nil {
		var err error
		if q, err = dialogs.LoadCore(); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("SURVEYBOT_TEST_VERBOSE") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	r := &rig{t: t, db: db}
	var svcOpts []bot.Option
	var chOpts []web.Option
	if m != nil {
		svcOpts = append(svcOpts, bot.WithMetrics(m))
		chOpts = append(chOpts, web.WithMetrics(m.Channel(web.ChannelName)))
	}
	r.svc = bot.NewService(r.db, store.NewMemorySessions(time.Hour), log, q, svcOpts...)
	if cfg.SecretKey == nil {
		cfg.SecretKey = []byte("0123456789abcdef0123456789abcdef-test")
	}
	var err error
	r.ch, err = web.New(cfg, r.svc, log, chOpts...)
	if err != nil {
		t.Fatal(err)
	}
	r.mux = http.NewServeMux()
	r.ch.Register(r.mux)
	r.srv = httptest.NewServer(r.mux)
	t.Cleanup(r.srv.Close)
	r.client = &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return r
}

// invite makes a personal invitation and returns its key.
func (r *rig) invite(ni survey.NewInvitation) (survey.Invitation, string) {
	r.t.Helper()
	if ni.TTL == 0 {
		ni.TTL = time.Hour
	}
	inv, key, err := r.db.CreateInvitation(context.Background(), ni)
	if err != nil {
		r.t.Fatal(err)
	}
	return inv, key
}

func (r *rig) do(req *http.Request) (*http.Response, string) {
	r.t.Helper()
	resp, err := r.client.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp, string(body)
}

// get fetches a page and checks that its inputs are labelled.
func (r *rig) get(path string) htmlPage {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.srv.URL+path, nil)
	resp, body := r.do(req)
	p := parsePage(r.t, resp.StatusCode, body)
	checkLabels(r.t, p)
	return p
}

// post submits a form; a 303 is followed as a browser would, with a GET.
func (r *rig) post(path string, vals url.Values) htmlPage {
	r.t.Helper()
	resp, body := r.postRaw(path, vals.Encode())
	if resp.StatusCode == http.StatusSeeOther {
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "/s/") {
			r.t.Fatalf("redirect to %q, want the personal link", loc)
		}
		return r.get(loc)
	}
	p := parsePage(r.t, resp.StatusCode, body)
	checkLabels(r.t, p)
	return p
}

func (r *rig) postRaw(path, body string) (*http.Response, string) {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r.do(req)
}

// submit fills in the page's answer form the way a respondent would and
// sends it. input is a console-style answer: "ja"/"nein", option numbers
// ("2", "2 3 fertig"), "-" (keine Angabe), "zurück", "überspringen", or
// text to type.
func (r *rig) submit(p htmlPage, input string) htmlPage {
	r.t.Helper()
	path, vals := r.fill(p, input)
	return r.post(path, vals)
}

func (r *rig) fill(p htmlPage, input string) (string, url.Values) {
	r.t.Helper()
	f := p.form(r.t, "answer")
	vals := url.Values{}
	for _, in := range f.controls("hidden") {
		vals.Add(in.attr("name"), in.attr("value"))
	}
	press := func(name, value string) {
		if _, ok := f.button(name, value); !ok {
			r.t.Fatalf("no button %s=%s for %q on the page:\n%s", name, value, input, p.body)
		}
		vals.Set(name, value)
	}
	radios, boxes, texts := f.controls("radio"), f.controls("checkbox"), append(f.controls("text"), f.controls("number")...)
	words := strings.Fields(strings.TrimSuffix(input, " fertig"))
	switch {
	case input == "-":
		press("cmd", "na")
	case input == "zurück":
		press("cmd", "back")
	case input == "überspringen":
		press("cmd", "skip")
	case (input == "ja" || input == "nein") && len(radios) == 0:
		press("choice", map[string]string{"ja": "yes", "nein": "no"}[input])
	case (input == "ja" || input == "nein") && len(radios) > 0:
		vals.Set("choice", map[string]string{"ja": "yes", "nein": "no"}[input])
	case len(boxes) > 0:
		for _, w := range words {
			n, err := strconv.Atoi(w)
			if err != nil || n < 1 || n > len(boxes) {
				r.t.Fatalf("no checkbox %q on the page:\n%s", w, p.body)
			}
			vals.Add("choices", boxes[n-1].attr("value"))
		}
	case len(radios) > 0:
		n, err := strconv.Atoi(input)
		if err != nil || n < 1 || n > len(radios) {
			r.t.Fatalf("no radio button %q on the page:\n%s", input, p.body)
		}
		vals.Set("choice", radios[n-1].attr("value"))
	case len(texts) == 1:
		vals.Set("text", input)
	default:
		r.t.Fatalf("cannot answer %q on the page:\n%s", input, p.body)
	}
	return f.action, vals
}

func webIdentity(key string) survey.Identity {
	return survey.Identity{Channel: web.ChannelName, External: survey.HashKey(key)[:32]}
}

func TestWholeQuestionnaireThroughForms(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, key := r.invite(survey.NewInvitation{Lang: dialogs.German})
	p := r.get("/s/" + key)
	if p.status != http.StatusOK || !strings.Contains(p.body, `<html lang="de">`) {
		t.Fatalf("personal link: status %d, want a German page", p.status)
	}
	if !strings.Contains(p.text(), "Ja, ich bin einverstanden") {
		t.Fatalf("the first page is not the privacy notice:\n%s", p.body)
	}
	for i, in := range dialogstest.CraftBusiness().Inputs {
		p = r.submit(p, in)
		if p.status != http.StatusOK {
			t.Fatalf("answer %d (%q): status %d:\n%s", i, in, p.status, p.body)
		}
		if strings.Contains(p.body, `role="alert"`) {
			t.Fatalf("answer %d (%q) was not taken:\n%s", i, in, p.body)
		}
		if i > 0 && i < len(dialogstest.CraftBusiness().Inputs)-1 && !regexp.MustCompile(`<progress id="progress" max="\d+" value="\d+">Frage \d+ von ca. \d+`).MatchString(p.body) {
			t.Fatalf("question page without progress:\n%s", p.body)
		}
	}
	if !strings.Contains(p.text(), "zu wenige Antworten") {
		t.Errorf("the score page lacks the note that there are too few peers for a comparison")
	}
	if !strings.Contains(p.body, `<th scope="row">Gesamtindex</th><td>38`) {
		t.Fatalf("the last page shows no composite of 38:\n%s", p.body)
	}
	resp, err := r.db.CurrentResponse(context.Background(), webIdentity(key))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != survey.StatusCompleted {
		t.Fatalf("response status %s, want completed", resp.Status)
	}
	if resp.Composite == nil || math.Abs(*resp.Composite-dialogstest.CraftBusiness().Composite) > 1e-9 {
		t.Errorf("composite %v, want %v", resp.Composite, dialogstest.CraftBusiness().Composite)
	}
	// Reloading the final page shows it again.
	if again := r.get("/s/" + key); !strings.Contains(again.body, "Gesamtindex") {
		t.Errorf("the personal link after completion does not show the results")
	}
}

// TestAllItemTypes walks a questionnaire with every item type, so every
// kind of input is rendered and checked for its label.
func TestAllItemTypes(t *testing.T) {
	r := allTypesRig(t, storetest.SQLite(t))
	_, key := r.invite(survey.NewInvitation{Lang: dialogs.German})
	p := r.submit(r.get("/s/"+key), "ja")
	seen := map[string]bool{}
	for range 20 {
		f, ok := answerForm(p)
		if !ok {
			break
		}
		var in string
		switch {
		case len(f.controls("checkbox")) > 0:
			seen["multi"] = true
			if !strings.Contains(p.body, "Mehrere Antworten möglich.") {
				t.Errorf("a multiple choice page does not say so")
			}
			in = "1 fertig"
		case len(f.controls("number")) > 0:
			seen["integer"] = true
			// A wrong number first: the error is announced and linked to the input.
			bad := r.post(f.action, with(f, "text", "viele"))
			if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `role="alert"`) ||
				!regexp.MustCompile(`aria-describedby="notice-1[ "]`).MatchString(bad.body) {
				t.Fatalf("invalid number: status %d, want 422 with a linked alert:\n%s", bad.status, bad.body)
			}
			in = "12"
		case strings.Contains(p.body, `autocomplete="postal-code"`):
			seen["postcode"] = true
			if !strings.Contains(p.body, `inputmode="numeric" pattern="[0-9]{5}"`) {
				t.Errorf("postcode input without numeric keyboard and pattern")
			}
			in = "30159"
		case len(f.controls("text")) > 0:
			seen["text"] = true
			if !regexp.MustCompile(`<input type="text" name="text" id="answer-text" maxlength="\d+"`).MatchString(p.body) {
				t.Errorf("text input without maxlength:\n%s", p.body)
			}
			in = "Alles gut"
		case strings.Contains(p.body, `class="scale"`):
			seen["scale"] = true
			if !strings.Contains(p.body, `class="scale-ends"`) {
				t.Errorf("a scale without its ends:\n%s", p.body)
			}
			in = "2"
		default:
			seen["radio"] = true
			in = "1"
		}
		p = r.submit(p, in)
		if p.status != http.StatusOK {
			t.Fatalf("answer %q: status %d:\n%s", in, p.status, p.body)
		}
	}
	for _, k := range []string{"multi", "integer", "postcode", "text", "scale", "radio"} {
		if !seen[k] {
			t.Errorf("no %s item was shown", k)
		}
	}
}

// allTypesRig is a rig on db asking the questionnaire with every item type.
func allTypesRig(t *testing.T, db *store.DB) *rig {
	t.Helper()
	data, err := os.ReadFile("../../dialogs/testdata/alltypes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	q, err := dialogs.Parse("alltypes.yaml", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := newRigOn(t, db, q, web.Config{}, nil)
	if err := r.db.RegisterQuestionnaire(context.Background(), q.Ref(), data); err != nil {
		t.Fatal(err)
	}
	return r
}

func answerForm(p htmlPage) (htmlForm, bool) {
	for _, f := range p.forms {
		if f.id == "answer" && len(f.inputs) > 2 {
			return f, true
		}
	}
	return htmlForm{}, false
}

func with(f htmlForm, name, value string) url.Values {
	vals := url.Values{}
	for _, in := range f.controls("hidden") {
		vals.Add(in.attr("name"), in.attr("value"))
	}
	vals.Set(name, value)
	return vals
}

func answerCount(t *testing.T, r *rig, key string) int {
	t.Helper()
	resp, err := r.db.CurrentResponse(context.Background(), webIdentity(key))
	if err != nil {
		t.Fatal(err)
	}
	answers, err := r.db.Answers(context.Background(), resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(answers)
}

func TestDoubleSubmitCountsOnce(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, key := r.invite(survey.NewInvitation{})
	p := r.submit(r.get("/s/"+key), "ja")
	path, vals := r.fill(p, "1")
	first, _ := r.postRaw(path, vals.Encode())
	if first.StatusCode != http.StatusSeeOther {
		t.Fatalf("first submit: status %d, want 303", first.StatusCode)
	}
	second := r.post(path, vals)
	if second.status != http.StatusOK || !strings.Contains(second.text(), "Diese Frage ist bereits beantwortet.") {
		t.Fatalf("second submit: status %d, want 200 with the notice:\n%s", second.status, second.body)
	}
	if !strings.Contains(second.body, "Frage 2 von ca.") {
		t.Errorf("after the second submit the page is not at question 2:\n%s", second.body)
	}
	if n := answerCount(t, r, key); n != 1 {
		t.Errorf("%d answers stored, want 1", n)
	}
}

func TestStalePageChangesNothing(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, key := r.invite(survey.NewInvitation{})
	q1 := r.submit(r.get("/s/"+key), "ja")
	q2 := r.submit(q1, "1")
	q3 := r.submit(q2, "1")
	if !strings.Contains(q3.body, "Frage 3 von ca.") {
		t.Fatalf("not at question 3:\n%s", q3.body)
	}
	ctx := context.Background()
	resp, _ := r.db.CurrentResponse(ctx, webIdentity(key))
	before, _ := r.db.Answers(ctx, resp.ID)
	// The browser's back button shows question 1 again; the respondent
	// picks another option there and submits.
	stale := r.submit(q1, "2")
	if stale.status != http.StatusOK || !strings.Contains(stale.body, `role="alert">Diese Frage ist bereits beantwortet.`) {
		t.Fatalf("stale form: status %d, want 200 with the notice:\n%s", stale.status, stale.body)
	}
	if !strings.Contains(stale.body, "Frage 3 von ca.") {
		t.Errorf("the stale form's answer page is not the current question 3:\n%s", stale.body)
	}
	after, _ := r.db.Answers(ctx, resp.ID)
	if len(after) != len(before) {
		t.Fatalf("%d answers after the stale form, want %d", len(after), len(before))
	}
	for id, a := range before {
		if after[id] != a {
			t.Errorf("answer %s changed from %+v to %+v", id, a, after[id])
		}
	}
}

func TestForgedCSRF(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, key := r.invite(survey.NewInvitation{})
	consent := r.get("/s/" + key)
	for name, csrf := range map[string]string{"forged": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "missing": ""} {
		path, vals := r.fill(consent, "ja")
		vals.Set("csrf", csrf)
		resp, body := r.postRaw(path, vals.Encode())
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Formular nicht gültig") {
			t.Errorf("%s CSRF token: status %d, want 403 and its page", name, resp.StatusCode)
		}
	}
	resp, err := r.db.CurrentResponse(context.Background(), webIdentity(key))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != survey.StatusStarted || resp.Seq != 0 {
		t.Errorf("response %s at seq %d after forged forms, want it untouched", resp.Status, resp.Seq)
	}
	// A token's CSRF value does not open another token's forms.
	_, other := r.invite(survey.NewInvitation{})
	path, vals := r.fill(consent, "ja")
	path = strings.Replace(path, key, other, 1)
	if resp, _ := r.postRaw(path, vals.Encode()); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another token's CSRF value: status %d, want 403", resp.StatusCode)
	}
}

func TestDeadLinks(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	unknown := r.get("/s/AAAAAAAAAAAAAAAAAAAAAA")
	if unknown.status != http.StatusNotFound || !strings.Contains(unknown.text(), "Dieser Link führt zu keiner Umfrage") ||
		!strings.Contains(unknown.text(), "This link does not lead to a survey") {
		t.Fatalf("unknown token: status %d, want 404 with a German and English text:\n%s", unknown.status, unknown.body)
	}
	_, expired := r.invite(survey.NewInvitation{TTL: -time.Hour})
	inv, erased := r.invite(survey.NewInvitation{})
	if p := r.get("/s/" + erased); p.status != http.StatusOK {
		t.Fatalf("a good link: status %d", p.status)
	}
	if err := r.svc.Erase(context.Background(), inv.RespondentID); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"expired":   "/s/" + expired,
		"erased":    "/s/" + erased,
		"too short": "/s/abc",
		"bad chars": "/s/AAAAAAAAAAAAAAAAAAAA.A",
		"too long":  "/s/" + expired + "A",
	} {
		p := r.get(path)
		if p.status != http.StatusNotFound || p.body != unknown.body {
			t.Errorf("%s token: status %d, want 404 and the unknown token's page", name, p.status)
		}
	}
	// Posting to a dead link is no way around it.
	if resp, _ := r.postRaw("/s/"+erased, "choice=yes&item=%40consent"); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST to an erased link: status %d", resp.StatusCode)
	}
}

func TestGuessingIsLimited(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, good := r.invite(survey.NewInvitation{})
	get := func(path, ip string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = ip + ":40000"
		rec := httptest.NewRecorder()
		r.mux.ServeHTTP(rec, req)
		return rec
	}
	for i := range 20 {
		if rec := get("/s/"+strings.Repeat("B", 21)+string(rune('a'+i)), "192.0.2.7"); rec.Code != http.StatusNotFound {
			t.Fatalf("wrong token %d: status %d, want 404", i+1, rec.Code)
		}
	}
	rec := get("/s/"+strings.Repeat("C", 22), "192.0.2.7")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("21st wrong token: status %d, want 429", rec.Code)
	}
	if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After %q, want seconds", rec.Header().Get("Retry-After"))
	}
	if rec := get("/s/"+good, "192.0.2.7"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("a good token from the blocked address: status %d, want 429 (no oracle)", rec.Code)
	}
	if rec := get("/s/"+good, "198.51.100.1"); rec.Code != http.StatusOK {
		t.Errorf("a good token from another address: status %d, want 200", rec.Code)
	}
}

func TestLanguageSwitch(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, key := r.invite(survey.NewInvitation{Lang: dialogs.German})
	p := r.submit(r.get("/s/"+key), "ja")
	if !strings.Contains(p.body, `<html lang="de">`) || !strings.Contains(p.body, ">Weiter</button>") {
		t.Fatalf("not a German question page:\n%s", p.body)
	}
	f := p.form(t, "lang")
	b, ok := f.button("lang", "en")
	if !ok || b.text != "English" {
		t.Fatalf("no switch to English on the page:\n%s", p.body)
	}
	vals := url.Values{}
	for _, in := range f.controls("hidden") {
		vals.Add(in.attr("name"), in.attr("value"))
	}
	vals.Set("lang", "en")
	en := r.post(f.action, vals)
	if en.status != http.StatusOK || !strings.Contains(en.body, `<html lang="en">`) {
		t.Fatalf("after the switch: status %d, want an English page:\n%s", en.status, en.body)
	}
	for _, want := range []string{"The language is now English.", ">Next</button>", ">Prefer not to say</button>", "Question 1 of about", `lang="de" formnovalidate>Deutsch`} {
		if !strings.Contains(en.body, want) {
			t.Errorf("the English page lacks %q", want)
		}
	}
	// The language stays with the response.
	if again := r.get("/s/" + key); !strings.Contains(again.body, `<html lang="en">`) {
		t.Errorf("reloading the link is not in English")
	}
}

func TestContinuesResponseBegunOnTelegram(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, key := r.invite(survey.NewInvitation{Lang: dialogs.German})
	ctx := context.Background()
	tg := survey.Identity{Channel: "telegram", External: "4711"}
	if _, err := r.svc.StartInvitation(ctx, tg, key); err != nil {
		t.Fatal(err)
	}
	for _, in := range []dialogs.Input{{Choice: dialogs.CodeYes}, dialogs.TextInput("1"), dialogs.TextInput("1"), dialogs.TextInput("1")} {
		rep, err := r.svc.Handle(ctx, tg, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range rep.Prompts {
			if p.Kind == dialogs.PromptError {
				t.Fatalf("telegram input %+v rejected: %s", in, p.Text)
			}
		}
	}
	p := r.get("/s/" + key)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Frage 4 von ca.") || !strings.Contains(p.body, `autocomplete="postal-code"`) {
		t.Fatalf("the web link does not continue at question 4 (the postcode):\n%s", p.body)
	}
	p = r.submit(p, "26121")
	if !strings.Contains(p.body, "Frage 5 von ca.") {
		t.Fatalf("answering on the web does not go on to question 5:\n%s", p.body)
	}
	if n := answerCount(t, r, key); n != 4 {
		t.Errorf("%d answers, want 4 (3 on Telegram, 1 on the web)", n)
	}
}

func TestOpenLink(t *testing.T) {
	r := newRig(t, nil, web.Config{OpenAnswering: true, InvitationTTL: time.Hour})
	req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/open", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9,de;q=0.5")
	resp, _ := r.do(req)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/s/[A-Za-z0-9_-]{22}$`).MatchString(loc) {
		t.Fatalf("/open: status %d to %q, want 303 to a personal link", resp.StatusCode, loc)
	}
	p := r.get(loc)
	if p.status != http.StatusOK || !strings.Contains(p.body, `<html lang="en">`) || !strings.Contains(p.text(), "Yes, I agree") {
		t.Fatalf("the open link's page is not the English privacy notice:\n%s", p.body)
	}

	closed := newRig(t, nil, web.Config{})
	if p := closed.get("/open"); p.status != http.StatusNotFound {
		t.Errorf("/open without open answering: status %d, want 404", p.status)
	}
}

func TestUnsubscribe(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	ctx := context.Background()
	const addr = "Inhaber@Tischlerei-Beispiel.de"
	_, key := r.invite(survey.NewInvitation{Email: addr})

	// RFC 8058: the mail client posts without our form.
	resp, body := r.postRaw("/u/"+key, "List-Unsubscribe=One-Click")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Sie erhalten keine E-Mails mehr von uns.") {
		t.Fatalf("one-click unsubscribe: status %d:\n%s", resp.StatusCode, body)
	}
	if out, err := r.db.OptedOut(ctx, addr); err != nil || !out {
		t.Fatalf("the address is not opted out (%v)", err)
	}

	// RFC 8058 recommends multipart/form-data for the same field.
	_, key3 := r.invite(survey.NewInvitation{Email: "dritte@example.org"})
	var mp strings.Builder
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("List-Unsubscribe", "One-Click")
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/u/"+key3, strings.NewReader(mp.String()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if resp, _ := r.do(req); resp.StatusCode != http.StatusOK {
		t.Errorf("multipart one-click unsubscribe: status %d, want 200", resp.StatusCode)
	}
	if out, _ := r.db.OptedOut(ctx, "dritte@example.org"); !out {
		t.Errorf("the multipart one-click did not opt out")
	}

	// The page's own form, with its CSRF token.
	_, key2 := r.invite(survey.NewInvitation{Email: "zweite@example.org"})
	page := r.get("/u/" + key2)
	f := page.form(t, "answer")
	if page.status != http.StatusOK || len(f.buttons) != 1 {
		t.Fatalf("unsubscribe page: status %d, want a form with one button:\n%s", page.status, page.body)
	}
	if resp, _ := r.postRaw(f.action, ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsubscribe without CSRF or one-click: status %d, want 403", resp.StatusCode)
	}
	if out, _ := r.db.OptedOut(ctx, "zweite@example.org"); out {
		t.Fatalf("a forged unsubscribe opted out")
	}
	vals := url.Values{"csrf": {f.controls("hidden")[0].attr("value")}}
	if p := r.post(f.action, vals); p.status != http.StatusOK || !strings.Contains(p.body, "Sie erhalten keine E-Mails mehr von uns.") {
		t.Errorf("unsubscribe form: status %d", p.status)
	}
	if out, _ := r.db.OptedOut(ctx, "zweite@example.org"); !out {
		t.Errorf("the form did not opt out")
	}

	// Unknown tokens get the same answer; malformed ones a 404.
	if resp, body := r.postRaw("/u/AAAAAAAAAAAAAAAAAAAAAA", "List-Unsubscribe=One-Click"); resp.StatusCode != http.StatusOK ||
		!strings.Contains(body, "Sie erhalten keine E-Mails mehr von uns.") {
		t.Errorf("unknown token: status %d, want 200 and the same page", resp.StatusCode)
	}
	if resp, _ := r.postRaw("/u/nope", "List-Unsubscribe=One-Click"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("malformed token: status %d, want 404", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	r := newRig(t, nil, web.Config{OpenAnswering: true})
	_, key := r.invite(survey.NewInvitation{})
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	}
	for _, path := range []string{"/s/" + key, "/s/AAAAAAAAAAAAAAAAAAAAAA", "/s/x", "/open", "/u/" + key, "/static/style.css"} {
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+path, nil)
		resp, body := r.do(req)
		for h, v := range want {
			if got := resp.Header.Get(h); got != v {
				t.Errorf("GET %s: %s = %q, want %q", path, h, got, v)
			}
		}
		if strings.Contains(body, "<script") {
			t.Errorf("GET %s has a script", path)
		}
	}
	resp, _ := r.postRaw("/s/"+key, "csrf=x")
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("a POST answer has no security headers")
	}
	css := r.get("/static/style.css")
	if !strings.Contains(css.body, ":focus-visible") {
		t.Errorf("the style sheet has no visible focus")
	}
}

func TestOversizedBody(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, key := r.invite(survey.NewInvitation{})
	consent := r.get("/s/" + key)
	path, vals := r.fill(consent, "ja")
	vals.Set("text", strings.Repeat("x", 70<<10))
	resp, body := r.postRaw(path, vals.Encode())
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "Eingabe zu lang") {
		t.Fatalf("oversized form: status %d, want 413 and its page", resp.StatusCode)
	}
	if n := answerCount(t, r, key); n != 0 {
		t.Errorf("%d answers stored from an oversized form", n)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, key := r.invite(survey.NewInvitation{})
	path, vals := r.fill(r.get("/s/"+key), "ja")
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, body := r.do(req); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Formular nicht gültig") {
		t.Errorf("cross-site POST: status %d, want 403 and its page", resp.StatusCode)
	}
	if n := answerCount(t, r, key); n != 0 {
		t.Errorf("a cross-site POST stored %d answers", n)
	}
}

func TestNew(t *testing.T) {
	if _, err := web.New(web.Config{SecretKey: []byte("short")}, nil, slog.New(slog.DiscardHandler)); err == nil {
		t.Errorf("New accepted a short secret key")
	}
}

func TestPausedDeclinedAndRestartPages(t *testing.T) {
	r := newRig(t, nil, web.Config{})
	_, key := r.invite(survey.NewInvitation{})
	ctx := context.Background()
	q1 := r.submit(r.get("/s/"+key), "ja")
	q2 := r.submit(q1, "1")

	// Paused elsewhere (the console's "pause"): the link offers to go on.
	if _, err := r.svc.Handle(ctx, webIdentity(key), dialogs.Input{Command: dialogs.CmdPause}); err != nil {
		t.Fatal(err)
	}
	paused := r.get("/s/" + key)
	if _, ok := paused.form(t, "answer").button("cmd", "resume"); !ok || !strings.Contains(paused.text(), "pausiert") {
		t.Fatalf("paused page without a resume button:\n%s", paused.body)
	}
	resumed := r.post(paused.form(t, "answer").action, with(paused.form(t, "answer"), "cmd", "resume"))
	if !strings.Contains(resumed.body, "Frage 2 von ca.") {
		t.Fatalf("resuming does not show question 2:\n%s", resumed.body)
	}

	// Start over asks first, and "no" keeps everything.
	confirm := r.post(q2.form(t, "restart").action, with(q2.form(t, "restart"), "cmd", "restart"))
	if _, ok := confirm.form(t, "answer").button("choice", "yes"); !ok || !strings.Contains(confirm.text(), "wirklich von vorn") {
		t.Fatalf("no restart confirmation:\n%s", confirm.body)
	}
	kept := r.submit(confirm, "nein")
	if !strings.Contains(kept.body, "Frage 2 von ca.") || answerCount(t, r, key) != 1 {
		t.Fatalf("declining the restart lost the answers:\n%s", kept.body)
	}

	// Declining consent, then changing one's mind.
	_, other := r.invite(survey.NewInvitation{})
	declined := r.submit(r.get("/s/"+other), "nein")
	b, ok := declined.form(t, "answer").button("cmd", "restart")
	if declined.status != http.StatusOK || !ok || b.text != "Doch teilnehmen" {
		t.Fatalf("declined page without a way back:\n%s", declined.body)
	}
	again := r.post(declined.form(t, "answer").action, with(declined.form(t, "answer"), "cmd", "restart"))
	if !strings.Contains(again.text(), "Ja, ich bin einverstanden") {
		t.Fatalf("taking part after all does not show the privacy notice:\n%s", again.body)
	}
}

// TestChamberOpenLink follows a chamber's open link on the web: a personal
// link with the chamber fixed; an unknown or expired open link is a 404.
func TestChamberOpenLink(t *testing.T) {
	r := newRig(t, nil, web.Config{InvitationTTL: time.Hour})
	ctx := context.Background()
	link, err := r.db.CreateOpenLink(ctx, dialogs.German, map[string]string{"chamber": "hwk_hi"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/o/"+link.Key, nil)
	resp, _ := r.do(req)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/s/[A-Za-z0-9_-]{22}$`).MatchString(loc) {
		t.Fatalf("/o/%s: status %d to %q, want 303 to a personal link", link.Key, resp.StatusCode, loc)
	}
	inv, err := r.db.InvitationByKey(ctx, strings.TrimPrefix(loc, "/s/"))
	if err != nil || inv.Fixed["chamber"] != "hwk_hi" {
		t.Errorf("the personal link's invitation %+v (%v), want the chamber fixed", inv, err)
	}
	old, _ := r.db.CreateOpenLink(ctx, dialogs.German, nil, -time.Minute)
	for _, key := range []string{old.Key, "oUnknownKey12"} {
		if p := r.get("/o/" + key); p.status != http.StatusNotFound {
			t.Errorf("/o/%s: status %d, want 404", key, p.status)
		}
	}
}

// TestOpenLinkLimit stops one address from starting responses by the
// thousand through an open link.
func TestOpenLinkLimit(t *testing.T) {
	r := newRig(t, nil, web.Config{OpenAnswering: true, InvitationTTL: time.Hour, GuessLimit: 2})
	for i := range 21 {
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/open", nil)
		resp, _ := r.do(req)
		want := http.StatusSeeOther
		if i == 20 {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want {
			t.Fatalf("/open #%d: status %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}
