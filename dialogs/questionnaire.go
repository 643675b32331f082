// Package dialogs holds the questionnaire model, its loader and validator,
// the scoring rules and the conversation engine. It is pure: no I/O beyond
// parsing bytes it is handed, and no platform types.
package dialogs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/surveybot/surveybot/regions"
)

// Lang is a respondent's language.
type Lang string

// The languages every text exists in. German comes first.
const (
	German  Lang = "de"
	English Lang = "en"
)

// ParseLang turns "de"/"en" (any case, also "deutsch", "english") into a Lang.
func ParseLang(s string) (Lang, error) {
	switch normalise(s) {
	case "de", "deutsch", "german", "ger":
		return German, nil
	case "en", "englisch", "english", "eng":
		return English, nil
	}
	return "", fmt.Errorf("unknown language %q (want de or en)", s)
}

// Text is a text in German and English.
type Text struct {
	De string `yaml:"de"`
	En string `yaml:"en"`
}

// In returns the text in lang, falling back to German.
func (t Text) In(lang Lang) string {
	if lang == English && t.En != "" {
		return t.En
	}
	return t.De
}

// IsZero reports whether neither language is set.
func (t Text) IsZero() bool { return t.De == "" && t.En == "" }

// ItemType is the kind of question an item asks.
type ItemType string

// The question types the engine knows.
const (
	Single   ItemType = "single"   // one option of several
	Multi    ItemType = "multi"    // options toggled, then "fertig / done"
	Scale    ItemType = "scale"    // 1..points, e.g. 1–5 agreement or 1–6 school grade
	YesNo    ItemType = "yesno"    // ja / nein
	Integer  ItemType = "integer"  // whole number within bounds
	FreeText ItemType = "text"     // short free text with a length limit
	Postcode ItemType = "postcode" // German postcode, 5 digits
)

var itemTypes = []ItemType{Single, Multi, Scale, YesNo, Integer, FreeText, Postcode}

// Choice-like types have a finite set of answer codes that conditions can test.
func (t ItemType) choiceLike() bool {
	return t == Single || t == Multi || t == Scale || t == YesNo
}

// The fixed answer codes of yes/no items, and the code of "keine Angabe",
// which every item offers.
const (
	CodeYes = "yes"
	CodeNo  = "no"
	CodeNA  = "na"
)

// Field is an indicator field that scored items feed.
type Field struct {
	ID    string `yaml:"id"`
	Title Text   `yaml:"title"`
}

// Ref names a questionnaire by id and version.
type Ref struct {
	ID      string `yaml:"id"`
	Version int    `yaml:"version"`
}

func (r Ref) String() string { return fmt.Sprintf("%s@%d", r.ID, r.Version) }

// MarshalText writes a Ref as "id@version", also in JSON.
func (r Ref) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads "id@version".
func (r *Ref) UnmarshalText(b []byte) error {
	id, v, ok := strings.Cut(string(b), "@")
	n, err := strconv.Atoi(v)
	if !ok || id == "" || err != nil || n < 1 {
		return fmt.Errorf("questionnaire %q: want id@version, such as dimn@1", b)
	}
	*r = Ref{ID: id, Version: n}
	return nil
}

// Questionnaire is a loaded, validated questionnaire: the shared core, or a
// chamber's file with the core's modules first and its own appended.
type Questionnaire struct {
	ID      string   `yaml:"id"`
	Version int      `yaml:"version"`
	Title   Text     `yaml:"title"`
	Privacy Text     `yaml:"privacy"`
	Fields  []Field  `yaml:"fields"`
	Extends *Ref     `yaml:"extends"`
	Modules []Module `yaml:"modules"`

	// Filled by the loader.
	items   []*Item        // all items in dialog order
	index   map[string]int // item id -> position in items
	core    int            // items[:core] belong to the shared core
	coreRef Ref            // the core this questionnaire is (or extends)
	area    *regions.Table // the postcodes the survey is for, by district
}

// District returns the district of a postcode of the survey's area, Lower
// Saxony; ok is false for a postcode outside it.
func (q *Questionnaire) District(postcode string) (regions.District, bool) {
	if q.area == nil {
		return regions.District{}, false
	}
	return q.area.District(postcode)
}

// Area is the survey's area, its postcodes and districts.
func (q *Questionnaire) Area() *regions.Table { return q.area }

// Module is a block of items, usually one indicator field.
type Module struct {
	ID    string      `yaml:"id"`
	Title Text        `yaml:"title"`
	When  []Condition `yaml:"when"`
	Items []Item      `yaml:"items"`
	// Prefill lets the module's answers be carried over from a firm's
	// previous survey wave, to be confirmed in one question (Prefill).
	Prefill bool `yaml:"prefill"`

	line int
}

// Item is one question.
type Item struct {
	ID       string      `yaml:"id"`
	Type     ItemType    `yaml:"type"`
	Text     Text        `yaml:"text"`
	Help     Text        `yaml:"help"`
	Optional bool        `yaml:"optional"`
	When     []Condition `yaml:"when"`
	Options  []Option    `yaml:"options"`
	Points   int         `yaml:"points"` // scale: number of points (5 for 1–5)
	Low      Text        `yaml:"low"`    // scale: label of 1
	High     Text        `yaml:"high"`   // scale: label of the top point
	Min      *int        `yaml:"min"`    // integer: lower bound
	Max      *int        `yaml:"max"`    // integer: upper bound
	MaxLen   int         `yaml:"max_len"`
	Score    *Scoring    `yaml:"score"`

	module *Module
	conds  []Condition // module and item conditions together
	pos    int
	line   int
}

// Module returns the module the item belongs to.
func (it *Item) Module() *Module { return it.module }

// Option is one answer option of a single or multiple choice item.
type Option struct {
	Code      string   `yaml:"code"`
	Label     Text     `yaml:"label"`
	Score     *float64 `yaml:"score"`
	Exclusive bool     `yaml:"exclusive"` // multi: selecting it clears the others ("none")
	Tech      bool     `yaml:"tech"`      // counts towards the technology count
}

// Scoring says how an item's answer feeds an indicator field.
type Scoring struct {
	Field    string  `yaml:"field"`
	Reversed bool    `yaml:"reversed"` // scale and yes/no: high answer scores low
	Max      float64 `yaml:"max"`      // multi: option scores summing to this give 100
}

// Condition shows an item only if an earlier answer matches. For multiple
// choice items, any selected option counts.
type Condition struct {
	Item  string   `yaml:"item"`
	In    []string `yaml:"in"`
	NotIn []string `yaml:"not_in"`
}

// Items returns all items in dialog order.
func (q *Questionnaire) Items() []*Item { return q.items }

// Item returns the item with the given id.
func (q *Questionnaire) Item(id string) (*Item, bool) {
	i, ok := q.index[id]
	if !ok {
		return nil, false
	}
	return q.items[i], true
}

// Ref returns the questionnaire's id and version.
func (q *Questionnaire) Ref() Ref { return Ref{ID: q.ID, Version: q.Version} }

// Core returns the shared core this questionnaire is or extends.
func (q *Questionnaire) Core() Ref { return q.coreRef }

// InCore reports whether the item belongs to the shared core, whose scores a
// chamber's items never change.
func (q *Questionnaire) InCore(it *Item) bool { return it.pos < q.core }

// Field returns the indicator field with the given id.
func (q *Questionnaire) Field(id string) (Field, bool) {
	for _, f := range q.Fields {
		if f.ID == id {
			return f, true
		}
	}
	return Field{}, false
}

// option returns the option with the given code.
func (it *Item) option(code string) (*Option, bool) {
	for i := range it.Options {
		if it.Options[i].Code == code {
			return &it.Options[i], true
		}
	}
	return nil, false
}

// firstCode returns codes()[0] without building the list; the item must be
// choice-like and valid (a scale has at least 2 points, a choice 2 options).
func (it *Item) firstCode() string {
	switch it.Type {
	case YesNo:
		return CodeYes
	case Scale:
		return "1"
	}
	return it.Options[0].Code
}

// maxScalePoints is the largest number of points a scale may have.
const maxScalePoints = 11

// codes returns the answer codes a choice-like item accepts (without "na").
func (it *Item) codes() []string {
	switch it.Type {
	case YesNo:
		return []string{CodeYes, CodeNo}
	case Scale:
		// Clamped: the validator calls this for conditions on scales whose
		// points it is about to report as invalid (negative or huge).
		cs := make([]string, min(max(it.Points, 0), maxScalePoints))
		for i := range cs {
			cs[i] = fmt.Sprint(i + 1)
		}
		return cs
	}
	cs := make([]string, len(it.Options))
	for i, o := range it.Options {
		cs[i] = o.Code
	}
	return cs
}
