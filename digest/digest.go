// Package digest builds the council's weekly digest of the indicators: per
// field the value of the week, the change against the week before and n;
// the completed responses per chamber; the largest changes; and a chart of
// every field over the last twelve weeks. Every figure passes the
// disclosure control of package indicators.
package digest

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/go-analyze/charts"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
)

// Source is where the digest's figures come from.
type Source interface {
	AggregateHeld(ctx context.Context, q dialogs.Ref, dim survey.Dimension, week string) ([]survey.HeldCell, error)
	InvitedByChamber(ctx context.Context, until time.Time) (map[string]survey.Invited, error)
	waveSource
}

// Weeks is how many weeks the chart shows.
const Weeks = 12

// Field is one indicator in the digest.
type Field struct {
	ID, Title  string
	Figure     indicators.Figure // of the week
	Change     float64
	HasChange  bool // both weeks have n ≥ 5
	Suppressed bool // fewer than 5 this week: shown as "·" with "n<5"
}

// Chamber is one chamber's completed responses: of the week, and in all
// against the invitations it sent (the response rate).
type Chamber struct {
	Code, Name string
	N          int  // completed in the week
	Suppressed bool // N is 1 to 4
	Invited    int  // respondents invited for the chamber
	Completed  int  // of them, those who completed
	Rate       float64
	HasRate    bool // shown where at least 5 invited completed
}

// Digest is one week's digest.
type Digest struct {
	Week     string
	Fields   []Field
	Chambers []Chamber
	Wave     *Wave  // the wave under way at the week's end; nil if none
	Chart    []byte // PNG
	Width    int
	Height   int
}

// Chart size in pixels.
const (
	ChartWidth  = 960
	ChartHeight = 540
)

// ParseWeek reads "2026-W48" and returns the Monday of that ISO week.
func ParseWeek(s string) (time.Time, error) {
	var y, w int
	if _, err := fmt.Sscanf(s, "%d-W%d", &y, &w); err != nil || w < 1 || w > 53 || fmt.Sprintf("%04d-W%02d", y, w) != s {
		return time.Time{}, fmt.Errorf("week %q: write it like 2026-W48", s)
	}
	// January 4th is always in week 1.
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(w-1)*7)
	if survey.ISOWeek(monday) != s {
		return time.Time{}, fmt.Errorf("week %q does not exist", s)
	}
	return monday, nil
}

// Build computes the digest of a week from the completed responses.
func Build(ctx context.Context, src Source, q *dialogs.Questionnaire, week string) (Digest, error) {
	monday, err := ParseWeek(week)
	if err != nil {
		return Digest{}, err
	}
	weeks := make([]string, Weeks)
	for i := range weeks {
		weeks[i] = survey.ISOWeek(monday.AddDate(0, 0, -7*(Weeks-1-i)))
	}
	// Chambers that get the digest know their own members' answers:
	// Disclose counts them against every figure.
	cells, err := src.AggregateHeld(ctx, q.Ref(), survey.ByWeek, "")
	if err != nil {
		return Digest{}, err
	}
	byWeek := map[string]map[string]indicators.Figure{} // field -> week -> figure
	for _, t := range indicators.Disclose(survey.ByWeek, cells) {
		byWeek[t.Field] = map[string]indicators.Figure{}
		for _, f := range t.Cells {
			byWeek[t.Field][f.Group] = f
		}
	}
	d := Digest{Week: week, Width: ChartWidth, Height: ChartHeight}
	last := weeks[len(weeks)-2]
	for _, f := range append(append([]dialogs.Field{}, q.Fields...), dialogs.Field{ID: survey.CompositeField, Title: dialogs.Text{De: "Gesamtindex", En: "Composite index"}}) {
		this, ok := byWeek[f.ID][week]
		fl := Field{ID: f.ID, Title: f.Title.De, Figure: this, Suppressed: !ok || this.Suppressed}
		if !fl.Suppressed {
			fl.Change, fl.HasChange = indicators.Change(this, byWeek[f.ID][last])
		}
		d.Fields = append(d.Fields, fl)
	}
	chambers, err := src.AggregateHeld(ctx, q.Ref(), survey.ByChamber, week)
	if err != nil {
		return Digest{}, err
	}
	names := map[string]string{}
	if it, ok := q.Item("chamber"); ok {
		for _, o := range it.Options {
			names[o.Code] = o.Label.De
		}
	}
	invited, err := src.InvitedByChamber(ctx, monday.AddDate(0, 0, 7))
	if err != nil {
		return Digest{}, err
	}
	seen := map[string]bool{}
	add := func(code string, week indicators.Figure, inWeek bool) {
		name := names[code]
		if code == "" {
			name = "ohne Angabe"
		}
		inv := invited[code]
		c := Chamber{Code: code, Name: name, N: week.N, Suppressed: inWeek && week.Suppressed, Invited: inv.Invited, Completed: inv.Completed}
		// Completions are counted in fives: this week's rate minus last
		// week's must not tell a week's count the figures above withhold.
		if done := inv.Completed / indicators.MinN * indicators.MinN; done >= indicators.MinN && inv.Invited > 0 {
			c.Completed = done
			c.Rate, c.HasRate = 100*float64(done)/float64(inv.Invited), true
		}
		seen[code] = true
		d.Chambers = append(d.Chambers, c)
	}
	for _, t := range indicators.Disclose(survey.ByChamber, chambers) {
		if t.Field != survey.CompositeField {
			continue
		}
		for _, c := range t.Cells {
			add(c.Group, c, true)
		}
	}
	for code := range invited { // chambers that invited but had no answers this week
		if !seen[code] {
			add(code, indicators.Figure{}, false)
		}
	}
	sort.Slice(d.Chambers, func(i, j int) bool { return d.Chambers[i].Name < d.Chambers[j].Name })
	if d.Wave, err = currentWave(ctx, src, q, monday.AddDate(0, 0, 7)); err != nil {
		return Digest{}, err
	}
	if d.Chart, err = chart(q, weeks, byWeek); err != nil {
		return Digest{}, err
	}
	return d, nil
}

// chart draws every field over the weeks; suppressed weeks are gaps.
func chart(q *dialogs.Questionnaire, weeks []string, byWeek map[string]map[string]indicators.Figure) ([]byte, error) {
	var values [][]float64
	var names []string
	for _, f := range q.Fields {
		series := make([]float64, len(weeks))
		for i, w := range weeks {
			series[i] = charts.GetNullValue()
			if fig, ok := byWeek[f.ID][w]; ok && !fig.Suppressed {
				series[i] = math.Round(fig.Mean*10) / 10
			}
		}
		values = append(values, series)
		names = append(names, f.Title.De)
	}
	labels := make([]string, len(weeks))
	for i, w := range weeks {
		labels[i] = strings.TrimPrefix(w[5:], "W") // "48"
		labels[i] = "KW " + labels[i]
	}
	p, err := charts.LineRender(values,
		charts.TitleTextOptionFunc("Digitalisierungsindikatoren Niedersachsen, letzte 12 Wochen (0–100)"),
		charts.XAxisLabelsOptionFunc(labels),
		charts.LegendLabelsOptionFunc(names),
		charts.DimensionsOptionFunc(ChartWidth, ChartHeight),
		charts.PNGOutputOptionFunc(),
	)
	if err != nil {
		return nil, fmt.Errorf("draw chart: %w", err)
	}
	png, err := p.Bytes()
	if err != nil {
		return nil, fmt.Errorf("draw chart: %w", err)
	}
	return png, nil
}

// Text renders the digest in German, as it is sent.
func (d Digest) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Digitalisierungsindikatoren Niedersachsen – Wochenbericht %s\n\n", d.Week)
	b.WriteString("Indikatoren (0–100), Veränderung zur Vorwoche, Anzahl Antworten:\n")
	for _, f := range d.Fields {
		if f.Suppressed {
			fmt.Fprintf(&b, "• %s: · (n<5)\n", f.Title)
			continue
		}
		change := "Vorwoche: zu wenige Antworten"
		if f.HasChange {
			change = fmt.Sprintf("%+.1f", f.Change)
		}
		fmt.Fprintf(&b, "• %s: %.1f (%s; n = %d)\n", f.Title, f.Figure.Mean, change, f.Figure.N)
	}
	if moves := d.largestChanges(3); len(moves) > 0 {
		b.WriteString("\nGrößte Veränderungen:\n")
		for _, f := range moves {
			fmt.Fprintf(&b, "• %s: %+.1f Punkte\n", f.Title, f.Change)
		}
	}
	b.WriteString("\nAbgeschlossene Antworten der Woche nach Kammer (Rücklauf insgesamt):\n")
	if len(d.Chambers) == 0 {
		b.WriteString("• keine\n")
	}
	for _, c := range d.Chambers {
		week := fmt.Sprint(c.N)
		if c.Suppressed {
			week = "· (n<5)"
		}
		rate := ""
		if c.HasRate {
			rate = fmt.Sprintf(" (Rücklauf mind. %.0f %%: mind. %d von %d Eingeladenen)", c.Rate, c.Completed, c.Invited)
		}
		fmt.Fprintf(&b, "• %s: %s%s\n", c.Name, week, rate)
	}
	d.Wave.text(&b)
	b.WriteString("\nZahlen werden nur für Gruppen ab 5 Antworten gezeigt; „·“ steht für weniger.\n")
	return b.String()
}

// largestChanges returns the fields with the largest shown changes.
func (d Digest) largestChanges(n int) []Field {
	var out []Field
	for _, f := range d.Fields {
		if f.HasChange && f.Change != 0 && f.ID != survey.CompositeField {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return math.Abs(out[i].Change) > math.Abs(out[j].Change) })
	return out[:min(n, len(out))]
}
