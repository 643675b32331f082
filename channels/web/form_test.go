package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// A tiny HTML reader for the pages this package writes: enough to find the
// forms, their fields and buttons, and the labels, the way a browser
// would submit them.

type element struct {
	tag   string
	attrs map[string]string
	text  string // buttons and labels: their text content
}

func (e element) attr(name string) string { return e.attrs[name] }
func (e element) has(name string) bool    { _, ok := e.attrs[name]; return ok }

type htmlForm struct {
	action, id, class string
	inputs            []element // input elements
	buttons           []element
}

type htmlPage struct {
	status  int
	body    string
	forms   []htmlForm
	inputs  []element // every input and progress element, in or out of forms
	labels  map[string]string
	buttons []element
}

var (
	tagRe  = regexp.MustCompile(`(?s)<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*/?>`)
	attrRe = regexp.MustCompile(`([a-zA-Z-]+)(?:="([^"]*)")?`)
	markup = regexp.MustCompile(`<[^>]*>`)
)

func parsePage(t testing.TB, status int, body string) htmlPage {
	t.Helper()
	p := htmlPage{status: status, body: body, labels: map[string]string{}}
	var cur *htmlForm
	var open *element // a button or label whose text we are reading
	openStart := 0
	for _, m := range tagRe.FindAllStringSubmatchIndex(body, -1) {
		closing := body[m[2]:m[3]] == "/"
		tag := strings.ToLower(body[m[4]:m[5]])
		attrs := map[string]string{}
		for _, a := range attrRe.FindAllStringSubmatch(body[m[6]:m[7]], -1) {
			attrs[strings.ToLower(a[1])] = html.UnescapeString(a[2])
		}
		el := element{tag: tag, attrs: attrs}
		switch {
		case tag == "form" && !closing:
			p.forms = append(p.forms, htmlForm{action: attrs["action"], id: attrs["id"], class: attrs["class"]})
			cur = &p.forms[len(p.forms)-1]
		case tag == "form" && closing:
			cur = nil
		case (tag == "input" || tag == "progress") && !closing:
			p.inputs = append(p.inputs, el)
			if cur != nil && tag == "input" {
				cur.inputs = append(cur.inputs, el)
			}
		case (tag == "button" || tag == "label") && !closing:
			open, openStart = &el, m[1]
		case (tag == "button" || tag == "label") && closing && open != nil:
			open.text = strings.TrimSpace(html.UnescapeString(markup.ReplaceAllString(body[openStart:m[0]], "")))
			if open.tag == "label" {
				p.labels[open.attr("for")] = open.text
			} else {
				p.buttons = append(p.buttons, *open)
				if cur != nil {
					cur.buttons = append(cur.buttons, *open)
				}
			}
			open = nil
		}
	}
	return p
}

// form returns the page's form with the given id or class.
func (p htmlPage) form(t testing.TB, name string) htmlForm {
	t.Helper()
	for _, f := range p.forms {
		if f.id == name || strings.Contains(" "+f.class+" ", " "+name+" ") {
			return f
		}
	}
	t.Fatalf("no form %q on the page:\n%s", name, p.body)
	return htmlForm{}
}

// button returns the form's submit button with that name and value.
func (f htmlForm) button(name, value string) (element, bool) {
	for _, b := range f.buttons {
		if b.attr("name") == name && b.attr("value") == value {
			return b, true
		}
	}
	return element{}, false
}

// controls returns the form's inputs of a type, in page order.
func (f htmlForm) controls(typ string) []element {
	var out []element
	for _, in := range f.inputs {
		if in.attr("type") == typ {
			out = append(out, in)
		}
	}
	return out
}

// text returns the page's visible text, tags removed.
func (p htmlPage) text() string {
	return html.UnescapeString(markup.ReplaceAllString(p.body, " "))
}

// checkLabels fails if an input of the page has no label, or a button no text.
func checkLabels(t testing.TB, p htmlPage) {
	t.Helper()
	for _, in := range p.inputs {
		if in.attr("type") == "hidden" {
			continue
		}
		id := in.attr("id")
		if id == "" || strings.TrimSpace(p.labels[id]) == "" {
			t.Errorf("%s %q (name %q) has no label:\n%s", in.tag, id, in.attr("name"), p.body)
		}
	}
	for _, b := range p.buttons {
		if b.text == "" {
			t.Errorf("a button (%s=%s) has no text", b.attr("name"), b.attr("value"))
		}
	}
}
