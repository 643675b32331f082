package web

import (
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// showSurvey serves the personal link: the page of where the response
// stands, on whichever channel it was begun.
func (c *Channel) showSurvey(w http.ResponseWriter, r *http.Request) {
	token, ok := c.admit(w, r)
	if !ok {
		return
	}
	rep, err := c.conv.StartInvitation(r.Context(), identity(token), token)
	if c.leadsNowhere(err) {
		c.wrongToken(w, r)
		return
	}
	if err != nil {
		c.fail(w, "open invitation", err)
		return
	}
	if err := c.conv.MarkOpened(r.Context(), token); err != nil {
		c.log.Warn("record invitation opened", slog.Any("error", err)) // only a figure; the page is shown
	}
	c.rememberOpened(w, r, token)
	c.render(w, http.StatusOK, c.surveyPage(token, rep))
}

// submitSurvey applies one form submission, then redirects to the page of
// the next question, or shows the engine's message above the question.
func (c *Channel) submitSurvey(w http.ResponseWriter, r *http.Request) {
	token, ok := c.admit(w, r)
	if !ok {
		return
	}
	form, ok := c.readForm(w, r)
	if !ok {
		return
	}
	if !c.csrfOK(token, form.Get("csrf")) {
		c.renderMessage(w, http.StatusForbidden, dialogs.UIWebForbiddenTitle, dialogs.UIWebForbidden)
		return
	}
	who := identity(token)
	// StartInvitation checks the token is still good (not expired, not
	// erased) and links who, so Handle never starts a response of its own.
	cur, err := c.conv.StartInvitation(r.Context(), who, token)
	if err != nil {
		if c.leadsNowhere(err) {
			c.wrongToken(w, r)
			return
		}
		c.fail(w, "open invitation", err)
		return
	}
	in, ok := formInput(form)
	if !ok {
		// Nothing is applied: the page of where the dialog stands again,
		// with a word on why.
		notice := dialogs.Prompt{Kind: dialogs.PromptError, Text: dialogs.UIWebNoItem.In(cur.Lang)}
		cur.Prompts = append([]dialogs.Prompt{notice}, cur.Prompts...)
		c.render(w, http.StatusBadRequest, c.surveyPage(token, cur))
		return
	}
	rep, err := c.conv.Handle(r.Context(), who, in)
	if errors.Is(err, bot.ErrErased) {
		c.wrongToken(w, r)
		return
	}
	if err != nil {
		c.fail(w, "handle input", err)
		return
	}
	if !hasMessage(rep) {
		http.Redirect(w, r, "/s/"+token, http.StatusSeeOther)
		return
	}
	if !hasMain(rep) {
		// A stale submission or a lone message: show it above the page of
		// where the dialog stands.
		cur, err := c.conv.StartInvitation(r.Context(), who, token)
		if err != nil {
			c.fail(w, "reopen invitation", err)
			return
		}
		cur.Prompts = append(rep.Prompts, cur.Prompts...)
		rep = cur
	}
	status := http.StatusOK
	for _, p := range rep.Prompts {
		if p.Kind == dialogs.PromptError {
			status = http.StatusUnprocessableEntity
		}
	}
	c.render(w, status, c.surveyPage(token, rep))
}

// open starts a new anonymous response: it makes an invitation and sends
// the browser to its personal link, which the respondent can bookmark.
func (c *Channel) open(w http.ResponseWriter, r *http.Request) {
	if !c.cfg.OpenAnswering {
		c.renderMessage(w, http.StatusNotFound, dialogs.UIWebNotFoundTitle, dialogs.UIWebNotFound)
		return
	}
	if !c.admitOpen(w, r) {
		return
	}
	key, err := c.conv.NewInvitation(r.Context(), acceptLanguage(r), nil, c.cfg.InvitationTTL)
	if err != nil {
		c.fail(w, "create open invitation", err)
		return
	}
	http.Redirect(w, r, "/s/"+key, http.StatusSeeOther)
}

// openLink follows an open link (a chamber's newsletter or web page): a
// personal invitation with the link's fixed answers, such as the chamber,
// and the browser sent to it. Unknown and expired links get the same 404.
func (c *Channel) openLink(w http.ResponseWriter, r *http.Request) {
	link, err := c.conv.OpenLink(r.Context(), r.PathValue("key"))
	if err != nil {
		if !errors.Is(err, bot.ErrUnknownInvitation) && !errors.Is(err, bot.ErrExpiredInvitation) {
			c.fail(w, "open link", err)
			return
		}
		c.renderMessage(w, http.StatusNotFound, dialogs.UIWebNotFoundTitle, dialogs.UIWebNotFound)
		return
	}
	if !c.admitOpen(w, r) {
		return
	}
	key, err := c.conv.NewInvitation(r.Context(), link.Lang, link.Fixed, c.cfg.InvitationTTL)
	if err != nil {
		c.fail(w, "create invitation for an open link", err)
		return
	}
	http.Redirect(w, r, "/s/"+key, http.StatusSeeOther)
}

// showUnsubscribe asks before opting out, so a mail scanner that follows
// links does not unsubscribe anyone.
func (c *Channel) showUnsubscribe(w http.ResponseWriter, r *http.Request) {
	token, ok := c.admit(w, r)
	if !ok {
		return
	}
	c.render(w, http.StatusOK, c.askPage(r, pageUnsubscribe, "/u/"+token, token,
		dialogs.UIWebUnsubscribeTitle, dialogs.UIWebUnsubscribeAsk, dialogs.UIWebUnsubscribeButton))
}

// askPage asks one question with one button that posts to action, in
// German and English, the browser's preferred language first.
func (c *Channel) askPage(r *http.Request, kind, action, token string, title, ask, button dialogs.UIText) page {
	p := page{Lang: dialogs.German, T: textsIn(dialogs.German), Kind: kind,
		Title: title.In(dialogs.German), Action: action, CSRF: c.csrfToken(token)}
	for _, l := range []dialogs.Lang{dialogs.German, dialogs.English} {
		p.Messages = append(p.Messages, message{Lang: l, Title: title.In(l), Text: ask.In(l), Button: button.In(l)})
	}
	if acceptLanguage(r) == dialogs.English {
		p.Messages[0], p.Messages[1] = p.Messages[1], p.Messages[0]
		p.Lang, p.T, p.Title = dialogs.English, textsIn(dialogs.English), p.Messages[0].Title
	}
	return p
}

// submitUnsubscribe opts the invitee out: from our own form (with CSRF) or
// from a mail client's RFC 8058 one-click POST (without). It says the same
// for an unknown token, so the page tells nothing about which keys exist.
func (c *Channel) submitUnsubscribe(w http.ResponseWriter, r *http.Request) {
	token, ok := c.admit(w, r)
	if !ok {
		return
	}
	form, ok := c.readForm(w, r)
	if !ok {
		return
	}
	oneClick := form.Get("List-Unsubscribe") == "One-Click"
	if !oneClick && !c.csrfOK(token, form.Get("csrf")) {
		c.renderMessage(w, http.StatusForbidden, dialogs.UIWebForbiddenTitle, dialogs.UIWebForbidden)
		return
	}
	if err := c.conv.OptOut(r.Context(), token); err != nil && !errors.Is(err, survey.ErrNotFound) {
		c.fail(w, "opt out", err)
		return
	}
	c.renderMessage(w, http.StatusOK, dialogs.UIWebUnsubscribeTitle, dialogs.UIWebUnsubscribed)
}

// admit returns the request's token if its client may still try tokens,
// or has opened this link before in this browser (openedHere), and the
// token has the form of a key; otherwise it has answered.
func (c *Channel) admit(w http.ResponseWriter, r *http.Request) (string, bool) {
	token := r.PathValue("token")
	if blocked, wait := c.guesses.blocked(c.clientIP(r), time.Now()); blocked && !c.openedHere(r, token) {
		w.Header().Set("Retry-After", retryAfter(wait))
		c.renderMessage(w, http.StatusTooManyRequests, dialogs.UIWebTooManyTitle, dialogs.UIWebTooMany)
		return "", false
	}
	if !validToken(token) {
		c.wrongToken(w, r)
		return "", false
	}
	return token, true
}

// admitOpen counts a response started by an open link against the client,
// so one address cannot create respondents by the thousand (a generous
// limit: a chamber's office may share one address).
func (c *Channel) admitOpen(w http.ResponseWriter, r *http.Request) bool {
	ip, now := c.clientIP(r), time.Now()
	if blocked, wait := c.opens.blocked(ip, now); blocked {
		w.Header().Set("Retry-After", retryAfter(wait))
		c.renderMessage(w, http.StatusTooManyRequests, dialogs.UIWebTooManyTitle, dialogs.UIWebTooMany)
		return false
	}
	c.opens.wrong(ip, now)
	return true
}

// wrongToken answers a token that leads nowhere, the same way whatever
// the reason, and counts it against the client.
func (c *Channel) wrongToken(w http.ResponseWriter, r *http.Request) {
	c.guesses.wrong(c.clientIP(r), time.Now())
	c.renderMessage(w, http.StatusNotFound, dialogs.UIWebNotFoundTitle, dialogs.UIWebNotFound)
}

func (c *Channel) leadsNowhere(err error) bool {
	return errors.Is(err, bot.ErrUnknownInvitation) || errors.Is(err, bot.ErrExpiredInvitation) || errors.Is(err, bot.ErrErased)
}

// readForm parses a posted form of at most maxBody bytes.
func (c *Channel) readForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		// RFC 8058 recommends multipart for one-click unsubscribes.
		err = r.ParseMultipartForm(maxBody)
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			c.renderMessage(w, http.StatusRequestEntityTooLarge, dialogs.UIWebTooLargeTitle, dialogs.UIWebTooLarge)
			return nil, false
		}
		c.renderMessage(w, http.StatusBadRequest, dialogs.UIWebForbiddenTitle, dialogs.UIWebForbidden)
		return nil, false
	}
	return r.PostForm, true
}

func (c *Channel) fail(w http.ResponseWriter, what string, err error) {
	if errors.Is(err, survey.ErrUnstorable) { // sent again, it would fail again
		c.log.Warn(what, slog.Any("error", err))
		c.renderMessage(w, http.StatusUnprocessableEntity, dialogs.UIWebFailedTitle, dialogs.UIUnstorable)
		return
	}
	c.log.Error(what, slog.Any("error", err))
	c.renderMessage(w, http.StatusInternalServerError, dialogs.UIWebFailedTitle, dialogs.UIWebFailed)
}

// formInput turns a submitted form into engine input. The item the page
// showed always goes with it, so a resubmitted or stale form changes
// nothing. A form that does not name its item is refused (false): the
// engine would take it for whatever question is current. Every form of
// ours names it; pages that ask nothing (paused, declined) name "" and
// send only commands that answer no question.
func formInput(form url.Values) (dialogs.Input, bool) {
	in := formFields(form)
	if !form.Has("item") {
		return in, false
	}
	if in.Item == "" {
		switch in.Command {
		case dialogs.CmdLanguage, dialogs.CmdResume, dialogs.CmdRestart:
		default:
			return in, false
		}
	}
	return in, true
}

// formFields reads the input of a form as its fields say.
func formFields(form url.Values) dialogs.Input {
	in := dialogs.Input{Item: form.Get("item")}
	switch {
	case form.Has("cmd"):
		switch cmd := dialogs.Command(form.Get("cmd")); cmd {
		case dialogs.CmdBack, dialogs.CmdSkip, dialogs.CmdNA, dialogs.CmdRestart, dialogs.CmdResume:
			in.Command = cmd
		case dialogs.CmdLanguage:
			in.Command, in.Text = cmd, form.Get("lang")
		default:
			// Not a button of ours: an empty selection, which the engine
			// answers with what it accepts.
			in.Selection = []string{}
		}
	case form.Has("choice"):
		in.Choice = form.Get("choice")
	case form.Has("text"):
		in.Text = form.Get("text")
	default:
		// Checkboxes: none ticked sends no field at all, which the engine
		// reports as an empty selection.
		in.Selection = append([]string{}, form["choices"]...)
	}
	return in
}

// hasMessage reports whether a reply holds something to show in place,
// rather than after a redirect: an error, a stale-form notice or a message.
func hasMessage(rep bot.Reply) bool {
	for _, p := range rep.Prompts {
		switch p.Kind {
		case dialogs.PromptError, dialogs.PromptStale, dialogs.PromptInfo:
			return true
		}
	}
	return false
}

// hasMain reports whether a reply holds a page's main prompt.
func hasMain(rep bot.Reply) bool {
	for _, p := range rep.Prompts {
		switch p.Kind {
		case dialogs.PromptError, dialogs.PromptStale, dialogs.PromptInfo:
		default:
			return true
		}
	}
	return false
}

// acceptLanguage picks German or English from Accept-Language, German
// unless English is preferred.
func acceptLanguage(r *http.Request) dialogs.Lang {
	best, bestQ := dialogs.German, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		var l dialogs.Lang
		switch primary {
		case "de":
			l = dialogs.German
		case "en":
			l = dialogs.English
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}
