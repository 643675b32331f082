package web

import (
	"errors"
	"net/http"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// showErase asks whether to erase the respondent's data, with a form
// that posts back to this page.
func (c *Channel) showErase(w http.ResponseWriter, r *http.Request) {
	token, ok := c.admit(w, r)
	if !ok {
		return
	}
	c.render(w, http.StatusOK, c.askPage(r, pageErase, "/s/"+token+"/delete", token,
		dialogs.UIWebEraseTitle, dialogs.UIWebEraseAsk, dialogs.UIDeleteYes))
}

// submitErase erases the respondent the link belongs to, on every channel,
// as /delete does in Telegram. It says the same for a link that has no
// data behind it (never opened, or erased already), so the page tells
// nothing about which keys exist.
func (c *Channel) submitErase(w http.ResponseWriter, r *http.Request) {
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
	if err := c.conv.EraseIdentity(r.Context(), identity(token)); err != nil && !errors.Is(err, survey.ErrNotFound) {
		c.fail(w, "erase", err)
		return
	}
	c.renderMessage(w, http.StatusOK, dialogs.UIWebEraseTitle, dialogs.UIDeleted)
}
