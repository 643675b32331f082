package loadtest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// page is what the harness reads of a survey page.
type page struct {
	status int
	csrf   string
	item   string // the question the answer form is for; "" without one
	notice string // an alert shown above the question
	done   bool   // the summary at the end
}

var (
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="(csrf|item)" value="([^"]*)">`)
	noticeRE = regexp.MustCompile(`<p class="notice[^"]*"[^>]*role="alert">([^<]*)</p>`)
)

func parsePage(status int, body string) page {
	p := page{status: status}
	if i := strings.Index(body, `id="answer"`); i >= 0 {
		for _, m := range hiddenRE.FindAllStringSubmatch(body[i:], 2) {
			if m[1] == "csrf" {
				p.csrf = html.UnescapeString(m[2])
			} else {
				p.item = html.UnescapeString(m[2])
			}
		}
	}
	if m := noticeRE.FindStringSubmatch(body); m != nil {
		p.notice = html.UnescapeString(m[1])
	}
	p.done = status == http.StatusOK && p.item == "" && strings.Contains(body, `class="scores"`)
	return p
}

func (p page) screen() Screen {
	if p.done {
		return Screen{Phase: dialogs.PhaseDone}
	}
	return Screen{Item: p.item}
}

// webRespondent is a web respondent's dialog in progress.
type webRespondent struct {
	h     *harness
	r     *Respondent
	token string
	rng   *rand.Rand
	held  []late[url.Values]
	st    *ChannelStats
}

// web answers a respondent's script through the personal link's forms,
// post/redirect/get, sending each form again on a 5xx or a connection
// error as a person would press the button again.
func (h *harness) web(ctx context.Context, r *Respondent, rng *rand.Rand) error {
	w := &webRespondent{h: h, r: r, rng: rng, st: h.stats(kindWeb)}
	var err error
	if w.token, err = h.invitation(ctx); err != nil {
		return err
	}
	r.Who = survey.Identity{Channel: survey.Web, External: survey.HashKey(w.token)[:32]}
	p, err := w.get(ctx, "/s/"+w.token)
	if err != nil {
		return err
	}
	for _, a := range r.Script.Actions {
		if !p.screen().equal(a.Before) {
			return fmt.Errorf("the page shows %s, want %s", p.screen(), a.Before)
		}
		if h.cfg.Think > 0 {
			if err := sleep(ctx, h.cfg.Think); err != nil {
				return err
			}
		}
		form := url.Values{"csrf": {p.csrf}, "item": {p.item}}
		for k, v := range a.Form {
			form[k] = v
		}
		start := time.Now()
		if p, err = w.submit(ctx, form); err != nil {
			return err
		}
		for tries := 0; p.screen().equal(a.Before); tries++ {
			// The page still asks the same question: the answer was not taken.
			if p.notice != "" || tries > 0 {
				return fmt.Errorf("input %q on %s not taken (status %d): %s", a.Text, a.Before.Item, p.status, p.notice)
			}
			h.problem("%s: the form %q on %s was answered %d but not applied; sending it again", r.Name, a.Text, a.Before.Item, p.status)
			if p, err = w.submit(ctx, form); err != nil {
				return err
			}
		}
		w.st.input(time.Since(start), a.Answers)
		if !p.screen().equal(a.After) {
			return fmt.Errorf("after %q on %s the page shows %s, want %s (notice %q)", a.Text, a.Before.Item, p.screen(), a.After, p.notice)
		}
	}
	for _, l := range w.held {
		w.st.add(func(s *ChannelStats) { s.Late++ })
		if _, err := w.post(ctx, l.v); err != nil {
			return err
		}
	}
	return nil
}

// invitation returns a personal link's key: a new invitation in SQL, or
// one made by following /open.
func (h *harness) invitation(ctx context.Context) (string, error) {
	if !h.cfg.OpenLinks {
		_, key, err := h.db.CreateInvitation(ctx, survey.NewInvitation{Lang: dialogs.German, TTL: 24 * time.Hour})
		return key, err
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Deadline)
	defer cancel()
	for n := 0; ; n++ {
		resp, err := h.bal.do(ctx, func(base string) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, base+"/open", nil)
		})
		if err != nil {
			return "", err
		}
		resp.Body.Close()
		if key, ok := strings.CutPrefix(resp.Header.Get("Location"), "/s/"); ok && resp.StatusCode == http.StatusSeeOther {
			return key, nil
		}
		if resp.StatusCode < 500 {
			return "", fmt.Errorf("GET /open: %d (is web.open_answering on?)", resp.StatusCode)
		}
		if err := sleep(ctx, backoff(n)); err != nil {
			return "", err
		}
	}
}

// submit sends the form, with the chances configured also a second time
// concurrently, and held-back forms that are due, and returns the page
// that follows.
func (w *webRespondent) submit(ctx context.Context, form url.Values) (page, error) {
	var wg sync.WaitGroup
	errs := make(chan error, len(w.held)+1)
	keep := w.held[:0]
	for _, l := range w.held {
		if l.due--; l.due > 0 {
			keep = append(keep, l)
			continue
		}
		w.st.add(func(s *ChannelStats) { s.Late++ })
		wg.Go(func() { _, err := w.post(ctx, l.v); errs <- err })
	}
	w.held = keep
	if chance(w.rng, w.h.cfg.Duplicates) {
		w.st.add(func(s *ChannelStats) { s.Duplicates++ })
		wg.Go(func() { _, err := w.post(ctx, form); errs <- err })
	}
	p, err := w.post(ctx, form)
	wg.Wait()
	close(errs)
	for e := range errs {
		err = errors.Join(err, e)
	}
	if chance(w.rng, w.h.cfg.Late) {
		w.held = append(w.held, late[url.Values]{v: form, due: 1 + w.rng.IntN(3)})
	}
	return p, err
}

// post sends a form until an instance answers without a server error, and
// follows the redirect to the next page.
func (w *webRespondent) post(ctx context.Context, form url.Values) (page, error) {
	ctx, cancel := context.WithTimeout(ctx, w.h.cfg.Deadline)
	defer cancel()
	body := form.Encode()
	for n := 0; ; n++ {
		resp, err := w.h.bal.do(ctx, func(base string) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, base+"/s/"+w.token, strings.NewReader(body))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return req, nil
		})
		if err != nil {
			return page{}, fmt.Errorf("post the form on %s: %w", form.Get("item"), err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case err != nil || resp.StatusCode >= 500:
			w.st.add(func(s *ChannelStats) { s.Retries++ })
			if err := sleep(ctx, backoff(n)); err != nil {
				return page{}, fmt.Errorf("post the form on %s (last answer %d): %w", form.Get("item"), resp.StatusCode, err)
			}
			continue
		case resp.StatusCode == http.StatusSeeOther:
			return w.get(ctx, resp.Header.Get("Location"))
		case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnprocessableEntity:
			return parsePage(resp.StatusCode, string(b)), nil
		default:
			return page{}, fmt.Errorf("post the form on %s: status %d", form.Get("item"), resp.StatusCode)
		}
	}
}

// get loads a page until an instance answers without a server error.
func (w *webRespondent) get(ctx context.Context, path string) (page, error) {
	ctx, cancel := context.WithTimeout(ctx, w.h.cfg.Deadline)
	defer cancel()
	for n := 0; ; n++ {
		resp, err := w.h.bal.do(ctx, func(base string) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, base+path, nil)
		})
		if err != nil {
			return page{}, fmt.Errorf("get %s: %w", path, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK {
			return parsePage(resp.StatusCode, string(b)), nil
		}
		if err == nil && resp.StatusCode < 500 {
			return page{}, fmt.Errorf("get %s: status %d", path, resp.StatusCode)
		}
		w.st.add(func(s *ChannelStats) { s.Retries++ })
		if err := sleep(ctx, backoff(n)); err != nil {
			return page{}, fmt.Errorf("get %s: %w", path, err)
		}
	}
}
