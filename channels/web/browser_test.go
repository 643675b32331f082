package web_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/survey"
)

// chromiumEnv names Chromium for the browser test; .ci/run sets it.
const chromiumEnv = "SURVEYBOT_TEST_CHROMIUM"

// unlabelled counts the visible form controls that no label names.
const unlabelled = `Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter(e =>
	!(e.id && document.querySelector('label[for="' + e.id + '"]')) && !e.closest('label') && !e.getAttribute('aria-label')).length`

// TestBrowser drives Debian's Chromium through the form like a respondent:
// consent, a few questions, back, a language switch, a reload in the
// middle, and completion, checking on every page that each input has a label.
func TestBrowser(t *testing.T) {
	path := os.Getenv(chromiumEnv)
	if path == "" {
		t.Skipf("browser test disabled: set %s to Chromium (e.g. /usr/bin/chromium)", chromiumEnv)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s=%s: %v", chromiumEnv, path, err)
	}
	r := newRig(t, nil, web.Config{})
	_, key := r.invite(survey.NewInvitation{Fixed: map[string]string{"chamber": "hwk_h"}})
	url := r.srv.URL + "/s/" + key

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	var heading, lang, body string
	// page reads the shown page and checks its labels.
	page := func(step string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		var err error
		if heading, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1"))); err != nil {
			t.Fatalf("%s: heading: %v", step, err)
		}
		attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
		if err != nil {
			t.Fatalf("%s: lang: %v", step, err)
		}
		lang = attr.Value
		if body, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body"))); err != nil {
			t.Fatalf("%s: body: %v", step, err)
		}
		missing, err := chromedp.Run(ctx, chromedp.Evaluate[int](unlabelled))
		if err != nil {
			t.Fatalf("%s: labels: %v", step, err)
		}
		if missing > 0 {
			t.Errorf("%s: %d inputs without a label", step, missing)
		}
	}
	// submit runs the actions that submit a form and waits for the next page.
	submit := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__old = true`)); err != nil {
			t.Fatalf("%s: mark page: %v", step, err)
		}
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; {
			fresh, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__old === undefined && document.readyState === "complete"`))
			if err == nil && fresh {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no new page within 10s", step)
			}
			time.Sleep(30 * time.Millisecond)
		}
		page(step)
	}
	// choose clicks an option's label, as a person taps it, then "Weiter".
	choose := func(step, label string) {
		t.Helper()
		sel := `//label[normalize-space(.)="` + label + `"]`
		submit(step+" ("+label+")", chromedp.Click(sel), chromedp.Click(chromedp.CSS(`#answer button.primary`)))
	}
	button := func(step, sel string) {
		t.Helper()
		submit(step, chromedp.Click(chromedp.CSS(sel)))
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	page("consent")
	if !strings.Contains(body, "Innovationszentrum") || lang != "de" {
		t.Fatalf("the link does not open at the German privacy notice: lang %q\n%s", lang, body)
	}
	button("consent yes", `button[name=choice][value=yes]`)
	if !strings.Contains(heading, "Unternehmen") {
		t.Fatalf("first question %q", heading)
	}
	choose("organisation", "Unternehmen / Betrieb")
	choose("sector", "Handwerk")
	button("back", `button[name=cmd][value=back]`)
	if !strings.Contains(heading, "Branche") || !strings.Contains(body, "Handwerk") {
		t.Fatalf("back did not return to the sector question with its answer: %q", heading)
	}
	choose("sector again", "Industrie")
	button("language", `form.lang button[name=lang]`)
	if lang != "en" || !strings.Contains(heading, "employ") {
		t.Fatalf("after the language switch: lang %q, heading %q", lang, heading)
	}
	submit("reload", chromedp.Reload())
	if lang != "en" || !strings.Contains(heading, "employ") {
		t.Fatalf("the reload lost the place or language: lang %q, heading %q", lang, heading)
	}
	choose("size", "1–9 employees")
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#answer-text`), "30159")); err != nil {
		t.Fatal(err)
	}
	button("postcode", `#answer button.primary`)
	for i := 0; i < 40 && !strings.Contains(body, "Thank you for taking part"); i++ {
		button("prefer not to say", `button[name=cmd][value=na]`)
	}
	if !strings.Contains(body, "Thank you for taking part") {
		t.Fatalf("no final page:\n%s", body)
	}
	ctx2 := context.Background()
	resp, err := r.db.CurrentResponse(ctx2, survey.Identity{Channel: web.ChannelName, External: survey.HashKey(key)[:32]})
	if err != nil {
		t.Fatal(err)
	}
	a, err := r.db.Answers(ctx2, resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != survey.StatusCompleted || a["sector"].Value != "industrie" || a["postcode"].Value != "30159" || a["size"].Value != "s1_9" {
		t.Errorf("response %s, answers %v", resp.Status, a)
	}

	// "Delete my data" at the foot of the page: asked first, then done.
	submit("erase link", chromedp.Click(chromedp.CSS(`footer a.erase`)))
	if !strings.Contains(body, "Do you really want to delete all your data?") || !strings.Contains(body, "Möchten Sie wirklich alle Ihre Daten löschen?") {
		t.Fatalf("the erase link does not ask first:\n%s", body)
	}
	button("erase", `#answer button.primary`)
	if !strings.Contains(body, "Your data has been deleted") {
		t.Fatalf("after erasing:\n%s", body)
	}
	if _, err := r.db.RespondentByIdentity(ctx2, survey.Identity{Channel: web.ChannelName, External: survey.HashKey(key)[:32]}); !errors.Is(err, survey.ErrNotFound) {
		t.Errorf("the respondent is still known after erasing: %v", err)
	}
}
