package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/dialogs"
)

// Kinds of page.
const (
	pageConsent     = "consent"
	pageQuestion    = "question"
	pageConfirm     = "confirm"
	pagePaused      = "paused"
	pageDeclined    = "declined"
	pageSummary     = "summary"
	pageMessage     = "message"     // a bilingual message without a dialog (errors, unsubscribed)
	pageUnsubscribe = "unsubscribe" // the unsubscribe confirmation
	pageErase       = "erase"       // the confirmation before erasing one's data
)

// page is what the layout template renders.
type page struct {
	Lang    dialogs.Lang
	T       texts
	Title   string
	Kind    string
	Action  string // the form action: the personal link
	CSRF    string
	Item    string // the prompt the page shows (Prompt.Item)
	Switch  *langSwitch
	Notices []notice
	Erase   string // the address of the page that erases the respondent's data; "": none

	Heading  string     // consent: the questionnaire title; summary: the thanks
	Paras    [][]string // body paragraphs, each a list of lines
	Legend   string     // consent and confirm: the question
	Buttons  []dialogs.Choice
	Q        *question
	Scores   []scoreRow
	Messages []message
}

// texts are the page's fixed texts in its language.
type texts struct {
	Site, Next, Back, Skip, NA, Restart, TakePart, Language, Progress, Help, Answer string
	ScoresCaption, ScoresField, ScoresValue                                         string
	Erase                                                                           string
}

func textsIn(l dialogs.Lang) texts {
	return texts{
		Site: dialogs.UIWebTitle.In(l), Next: dialogs.UIWebNext.In(l), Back: dialogs.UIWebBack.In(l),
		Skip: dialogs.UIWebSkip.In(l), NA: dialogs.UIWebNA.In(l), Restart: dialogs.UIWebRestart.In(l),
		TakePart: dialogs.UIWebTakePart.In(l), Language: dialogs.UIWebLanguage.In(l),
		Progress: dialogs.UIWebProgress.In(l), Help: dialogs.UIWebHelp.In(l), Answer: dialogs.UIWebAnswer.In(l),
		ScoresCaption: dialogs.UIWebScoresCaption.In(l), ScoresField: dialogs.UIWebScoresField.In(l),
		Erase:       dialogs.UIWebEraseTitle.In(l),
		ScoresValue: dialogs.UIWebScoresValue.In(l),
	}
}

// langSwitch offers the other language.
type langSwitch struct {
	Code dialogs.Lang
	Name string
}

type notice struct {
	ID    string
	Text  string
	Error bool
}

// question is a PromptQuestion prepared for its form.
type question struct {
	dialogs.Prompt
	ProgressText string
	Options      []option
	Low, High    string // scale: what the ends mean
	ShowHint     string
	Value        string // typed items: the answer given before
	MaxLen       int
	Describedby  string
	Invalid      bool
}

type option struct {
	ID, Code, Label string
	Checked         bool
}

type scoreRow struct {
	Label, Value string
	Meter        int
	HasMeter     bool
}

// message is one language of a page without a dialog.
type message struct {
	Lang        dialogs.Lang
	Title, Text string
	Button      string
}

func parseTemplates() (*template.Template, error) {
	t, err := template.New("").ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse templates: %w", err)
	}
	return t, nil
}

// render writes a page with status. It renders into a buffer first, so a
// template error becomes a 500, not half a page.
func (c *Channel) render(w http.ResponseWriter, status int, p page) {
	var buf bytes.Buffer
	if err := c.pages.ExecuteTemplate(&buf, "page", p); err != nil {
		c.log.Error("render page", "kind", p.Kind, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderMessage writes a page without a dialog, in both languages, since
// nothing tells which one the visitor reads.
func (c *Channel) renderMessage(w http.ResponseWriter, status int, title, text dialogs.UIText) {
	p := page{Lang: dialogs.German, T: textsIn(dialogs.German), Kind: pageMessage, Title: title.In(dialogs.German)}
	for _, l := range []dialogs.Lang{dialogs.German, dialogs.English} {
		p.Messages = append(p.Messages, message{Lang: l, Title: title.In(l), Text: text.In(l)})
	}
	c.render(w, status, p)
}

// surveyPage prepares the page for a reply of the bot.
func (c *Channel) surveyPage(token string, rep bot.Reply) page {
	lang := rep.Lang
	if lang != dialogs.English {
		lang = dialogs.German
	}
	other := dialogs.English
	if lang == dialogs.English {
		other = dialogs.German
	}
	p := page{
		Lang: lang, T: textsIn(lang), Action: "/s/" + token, CSRF: c.csrfToken(token), Erase: "/s/" + token + "/delete",
		Switch: &langSwitch{Code: other, Name: dialogs.UIWebLanguageName.In(other)},
	}
	var main *dialogs.Prompt
	for i, pr := range rep.Prompts {
		switch pr.Kind {
		case dialogs.PromptInfo, dialogs.PromptError, dialogs.PromptStale:
			if hasNotice(p.Notices, pr.Text) {
				continue
			}
			n := notice{ID: "notice-" + strconv.Itoa(len(p.Notices)+1), Text: pr.Text, Error: pr.Kind == dialogs.PromptError}
			p.Notices = append(p.Notices, n)
		default:
			main = &rep.Prompts[i]
		}
	}
	if main == nil && len(p.Notices) > 0 && (rep.Phase == dialogs.PhasePaused || rep.Phase == dialogs.PhaseDeclined) {
		// The last message is what the paused or declined page says.
		last := p.Notices[len(p.Notices)-1]
		p.Notices = p.Notices[:len(p.Notices)-1]
		main = &dialogs.Prompt{Kind: dialogs.PromptInfo, Text: last.Text}
	}
	if main == nil {
		main = &dialogs.Prompt{Kind: dialogs.PromptInfo}
	}
	p.Item = main.Item
	switch {
	case main.Kind == dialogs.PromptConsent:
		p.Kind = pageConsent
		paras := paragraphs(main.Text)
		if len(paras) > 0 {
			p.Heading = strings.Join(paras[0], " ")
			paras = paras[1:]
		}
		if n := len(paras); n > 0 {
			p.Legend = strings.Join(paras[n-1], " ")
			paras = paras[:n-1]
		}
		p.Paras = paras
		p.Buttons = main.Options
	case main.Kind == dialogs.PromptConfirm:
		p.Kind = pageConfirm
		p.Legend = main.Text
		p.Buttons = main.Options
	case main.Kind == dialogs.PromptQuestion:
		p.Kind = pageQuestion
		p.Q = prepareQuestion(*main, lang, p.Notices)
		p.Title = p.Q.ProgressText
	case main.Kind == dialogs.PromptSummary:
		p.Kind = pageSummary
		p.Heading, p.Scores, p.Paras = summaryRows(*main)
	case rep.Phase == dialogs.PhasePaused:
		p.Kind = pagePaused
		p.Paras = paragraphs(main.Text)
	default: // declined: goodbye, or the reminder that the respondent declined
		p.Kind = pageDeclined
		p.Paras = paragraphs(main.Text)
	}
	return p
}

func hasNotice(ns []notice, text string) bool {
	for _, n := range ns {
		if n.Text == text {
			return true
		}
	}
	return false
}

func prepareQuestion(pr dialogs.Prompt, lang dialogs.Lang, notices []notice) *question {
	q := &question{Prompt: pr}
	if pr.Progress.Total > 0 {
		q.ProgressText = pr.Progress.Text(lang)
	}
	prev := ""
	if _, ans, ok := strings.Cut(pr.Previous, ": "); ok &&
		ans != dialogs.ButtonLabel(lang, dialogs.CmdNA) && ans != dialogs.ButtonLabel(lang, dialogs.CmdSkip) {
		prev = ans
	}
	for i, o := range pr.Options {
		if o.Code == dialogs.CodeNA {
			continue // the "Keine Angabe" button stands for it
		}
		checked := o.Selected
		if pr.Type != dialogs.Multi && prev != "" && o.Label == prev {
			checked = true
		}
		q.Options = append(q.Options, option{ID: "opt-" + strconv.Itoa(i+1), Code: o.Code, Label: o.Label, Checked: checked})
	}
	var described []string
	for _, n := range notices {
		if n.Error {
			described = append(described, n.ID)
			q.Invalid = true
		}
	}
	switch pr.Type {
	case dialogs.Scale:
		q.Low, q.High = pr.Low, pr.High
		if q.Low != "" {
			described = append(described, "scale-ends")
		}
	case dialogs.Integer, dialogs.FreeText, dialogs.Postcode:
		q.Value = prev
	}
	q.ShowHint = pr.Hint // worded for the form (dialogs.Web)
	if pr.Type == dialogs.FreeText {
		q.MaxLen = pr.MaxLen
	}
	if q.ShowHint != "" {
		described = append(described, "hint")
	}
	if pr.Previous != "" {
		described = append(described, "previous")
	}
	q.Describedby = strings.Join(described, " ")
	return q
}

// paragraphs splits a prompt's text at blank lines, and each paragraph
// into its lines.
func paragraphs(text string) [][]string {
	var out [][]string
	for _, para := range strings.Split(text, "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		out = append(out, strings.Split(strings.TrimSpace(para), "\n"))
	}
	return out
}

// summaryRows lays out the summary: its first line of thanks, the
// results, and any line that is not a result (too few answers).
func summaryRows(p dialogs.Prompt) (head string, rows []scoreRow, rest [][]string) {
	paras := strings.Split(strings.TrimSpace(p.Text), "\n\n")
	lines := strings.Split(paras[0], "\n")
	head = lines[0]
	for _, l := range p.ScoreLines {
		row := scoreRow{Label: l.Label, Value: strconv.Itoa(l.Value)}
		if l.Of == 100 {
			row.Meter, row.HasMeter = l.Value, true
		} else {
			row.Value = fmt.Sprintf("%d / %d", l.Value, l.Of)
		}
		rows = append(rows, row)
	}
	if len(p.ScoreLines) == 0 && len(lines) > 1 {
		rest = append(rest, lines[1:])
	}
	for _, para := range paras[1:] { // such as the comparison with peers
		rest = append(rest, strings.Split(para, "\n"))
	}
	return head, rows, rest
}

func serveStyle(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write(styleCSS)
}
