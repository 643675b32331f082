// Package indicators turns aggregates into the figures that may leave the
// system: every cell of fewer than MinN responses is suppressed, and so many
// more that no suppressed cell can be worked out from a total and its
// siblings. It is pure: the SQL that aggregates lives in store.
package indicators

import (
	"slices"
	"sort"

	"github.com/surveybot/surveybot/survey"
)

// MinN is the smallest group a figure may describe.
const MinN = 5

// Figure is one published cell: suppressed, or with its n, mean and bands.
type Figure struct {
	Group      string
	Field      string
	N          int
	Mean       float64
	Bands      [5]int
	BandShown  [5]bool // a band count of fewer than MinN (or needed to hide one) is not shown
	Suppressed bool    // shown as "·" with "n<5"
}

// Table is one breakdown of one field: its total and its cells, which add
// up to the total (responses without a value form the group "").
type Table struct {
	Field string
	Total Figure
	Cells []Figure
}

// Disclose builds the tables of one dimension from its aggregates, one per
// field, with primary and secondary suppression applied to the cells and to
// the band counts of every shown figure.
func Disclose(cells []survey.Cell) []Table { return disclose(cells, false) }

// DiscloseByWeek is Disclose for a breakdown by week: where a second cell
// must be hidden, it is the oldest week's, so that the recent weeks, which
// the digest reports, stay visible.
func DiscloseByWeek(cells []survey.Cell) []Table { return disclose(cells, true) }

func disclose(cells []survey.Cell, oldestFirst bool) []Table {
	byField := map[string][]survey.Cell{}
	var fields []string
	for _, c := range cells {
		if _, ok := byField[c.Field]; !ok {
			fields = append(fields, c.Field)
		}
		byField[c.Field] = append(byField[c.Field], c)
	}
	sort.Strings(fields)
	tables := make([]Table, 0, len(fields))
	for _, f := range fields {
		tables = append(tables, table(f, byField[f], oldestFirst))
	}
	return tables
}

func table(field string, cells []survey.Cell, oldestFirst bool) Table {
	var total survey.Cell
	total.Field = field
	for _, c := range cells {
		total.N += c.N
		total.Sum += c.Sum
		total.B1 += c.B1
		total.B2 += c.B2
		total.B3 += c.B3
		total.B4 += c.B4
		total.B5 += c.B5
	}
	t := Table{Field: field, Total: figure(total)}
	for _, c := range cells {
		t.Cells = append(t.Cells, figure(c))
	}
	if t.Total.Suppressed {
		for i := range t.Cells {
			t.Cells[i] = suppressed(t.Cells[i])
		}
		return t
	}
	ns := make([]int, len(cells)) // the true sizes: figure() already blanked the small ones
	for i, c := range cells {
		ns[i] = c.N
	}
	hide := Hide(ns)
	if oldestFirst {
		hide = hideAt(ns, MinN, byGroup(cells))
	}
	anyHidden := false
	for i, hide := range hide {
		if hide {
			t.Cells[i] = suppressed(t.Cells[i])
			anyHidden = true
		}
	}
	if anyHidden {
		// The total's bands minus the shown cells' bands would count the
		// hidden cells band by band.
		t.Total.Bands, t.Total.BandShown = [5]int{}, [5]bool{}
	}
	return t
}

// figure publishes one cell on its own: suppressed below MinN, else with
// its bands under the same rule.
func figure(c survey.Cell) Figure {
	f := Figure{Group: c.Group, Field: c.Field, N: c.N, Mean: c.Mean(), Bands: c.Bands()}
	if c.N < MinN {
		return suppressed(f)
	}
	hide := Hide(f.Bands[:])
	for i := range f.Bands {
		f.BandShown[i] = !hide[i]
		if hide[i] {
			f.Bands[i] = 0
		}
	}
	return f
}

func suppressed(f Figure) Figure {
	return Figure{Group: f.Group, Field: f.Field, Suppressed: true}
}

// Hide decides which parts of a shown total to hide: every part below
// MinN (but not empty ones, which reveal nobody), and then, while the
// hidden parts together hold fewer than MinN (so that the total minus the
// shown parts would describe a small group), the smallest shown part too.
func Hide(parts []int) []bool { return hideAt(parts, MinN, smallestFirst(parts)) }

// smallestFirst orders parts by size, smallest first.
func smallestFirst(parts []int) []int {
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return parts[order[a]] < parts[order[b]] })
	return order
}

// byGroup orders cells by their group, oldest week first.
func byGroup(cells []survey.Cell) []int {
	order := make([]int, len(cells))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return cells[order[a]].Group < cells[order[b]].Group })
	return order
}

// hideAt is Hide with a smallest size of min and the order in which shown
// parts are hidden in addition.
func hideAt(parts []int, min int, order []int) []bool {
	hide := make([]bool, len(parts))
	hidden := 0
	for i, n := range parts {
		if n > 0 && n < min {
			hide[i] = true
			hidden += n
		}
	}
	for _, i := range order {
		if hidden == 0 || hidden >= min {
			break
		}
		if !hide[i] && parts[i] > 0 {
			hide[i] = true
			hidden += parts[i]
		}
	}
	return hide
}

// Change is the week-over-week change of a figure, shown only where both
// weeks describe at least MinN responses.
func Change(this, last Figure) (float64, bool) {
	if this.Suppressed || last.Suppressed || this.N < MinN || last.N < MinN {
		return 0, false
	}
	return this.Mean - last.Mean, true
}

// Find returns the figure of a group in a table.
func (t Table) Find(group string) (Figure, bool) {
	i := slices.IndexFunc(t.Cells, func(f Figure) bool { return f.Group == group })
	if i < 0 {
		return Figure{}, false
	}
	return t.Cells[i], true
}

// Complements reports whether a total may be shown to readers who each
// know one of its parts (a chamber knows its own members' answers): for
// every part, the total without it must describe no one or at least MinN.
func Complements(total int, parts []int) bool {
	for _, p := range parts {
		if rest := total - p; rest > 0 && rest < MinN {
			return false
		}
	}
	return true
}
