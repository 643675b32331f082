// Package indicators turns aggregates into the figures that may leave the
// system. One rule holds for every output: no figure, and no difference of
// figures a reader can take, describes 1 to MinN-1 responses. Readers are
// the public and every principal that already holds rows (a chamber holds
// its members' answers and can take them away from any figure). It is
// pure: the SQL that aggregates lives in store.
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

// Disclose builds the tables of one dimension, one per field, from its
// aggregates split by holder (store.AggregateHeld), with primary and
// secondary suppression applied to the cells and to the band counts of
// every shown figure, against the public and against every holder. It is
// the one gate every output passes: exports, the admin API, the digest.
//
// Where a cell must be hidden in addition, it is the smallest; by week it
// is the oldest week's, so that the recent weeks, which the digest
// reports, stay visible.
//
// By wave, groups are wave names and sort by name; DiscloseWaves sorts
// them by the waves' start instead.
func Disclose(dim survey.Dimension, cells []survey.HeldCell) []Table {
	return disclose(cells, nil, dim == survey.ByWeek || dim == survey.ByWave)
}

// DiscloseWaves is Disclose by wave with the groups in the order of
// waves (earliest first, as store.Waves lists them), responses without a
// wave first; where a cell must be hidden in addition, it is the
// earliest wave's, so that the current wave stays visible.
func DiscloseWaves(cells []survey.HeldCell, waves []survey.Wave) []Table {
	rank := make(map[string]int, len(waves))
	for i, w := range waves {
		rank[w.Name] = i + 1
	}
	return disclose(cells, rank, true)
}

// held is one cell with its holders' parts of it.
type held struct {
	all  survey.Cell
	by   map[string]survey.Cell // holder -> its rows; "" (nobody's) left out
	list []string               // the holders, sorted, so that ties break the same way every time
}

func (h *held) add(c survey.HeldCell) {
	h.all = sum(h.all, c.Cell)
	if c.Holder == "" {
		return
	}
	if h.by == nil {
		h.by = map[string]survey.Cell{}
	}
	if _, ok := h.by[c.Holder]; !ok {
		h.list = append(h.list, c.Holder)
		sort.Strings(h.list)
	}
	h.by[c.Holder] = sum(h.by[c.Holder], c.Cell)
}

func sum(a, b survey.Cell) survey.Cell {
	a.Group, a.Field = b.Group, b.Field
	a.N += b.N
	a.Sum += b.Sum
	a.B1 += b.B1
	a.B2 += b.B2
	a.B3 += b.B3
	a.B4 += b.B4
	a.B5 += b.B5
	return a
}

// disclose builds the tables; groups sort by rank (0 for a group without
// one), then by name.
func disclose(cells []survey.HeldCell, rank map[string]int, oldestFirst bool) []Table {
	byField := map[string]map[string]*held{} // field -> group -> cell
	totals := map[string]*held{}             // field -> its total
	for _, c := range cells {
		if byField[c.Field] == nil {
			byField[c.Field] = map[string]*held{}
			totals[c.Field] = &held{}
		}
		totals[c.Field].add(c)
		h := byField[c.Field][c.Group]
		if h == nil {
			h = &held{}
			byField[c.Field][c.Group] = h
		}
		h.add(c)
	}
	fields := make([]string, 0, len(byField))
	for f := range byField {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	tables := make([]Table, 0, len(fields))
	for _, f := range fields {
		groups := make([]*held, 0, len(byField[f]))
		for _, h := range byField[f] {
			groups = append(groups, h)
		}
		sort.Slice(groups, func(i, j int) bool {
			a, b := groups[i].all.Group, groups[j].all.Group
			if rank[a] != rank[b] {
				return rank[a] < rank[b]
			}
			return a < b
		})
		total := totals[f]
		total.all.Group = ""
		tables = append(tables, table(f, groups, total, oldestFirst))
	}
	return tables
}

func table(field string, groups []*held, total *held, oldestFirst bool) Table {
	t := Table{Field: field, Cells: make([]Figure, len(groups))}
	if !safe(total.all.N, heldNs(total), MinN) {
		t.Total = suppressed(Figure{Field: field})
		for i, g := range groups {
			t.Cells[i] = suppressed(Figure{Group: g.all.Group, Field: field})
		}
		return t
	}
	ns := make([]int, len(groups))
	own := make([][]int, len(total.list))
	for i, g := range groups {
		ns[i] = g.all.N
	}
	for h, name := range total.list {
		own[h] = make([]int, len(groups))
		for i, g := range groups {
			own[h][i] = g.by[name].N
		}
	}
	order := smallestFirst(ns)
	if oldestFirst {
		order = make([]int, len(groups)) // groups are sorted by time: week names sort by it, waves by rank
		for i := range order {
			order[i] = i
		}
	}
	hide := hideParts(ns, own, MinN, order, nil)
	var hiddenBands [5]bool // a band hidden in any shown cell is hidden in the total
	anyHidden := false
	for i, g := range groups {
		if hide[i] {
			t.Cells[i] = suppressed(Figure{Group: g.all.Group, Field: field})
			anyHidden = true
			continue
		}
		t.Cells[i] = figure(g, [5]bool{})
		for b, shown := range t.Cells[i].BandShown {
			hiddenBands[b] = hiddenBands[b] || !shown
		}
	}
	if anyHidden {
		// The total's bands minus the shown cells' bands would count the
		// hidden cells band by band.
		hiddenBands = [5]bool{true, true, true, true, true}
	}
	t.Total = figure(total, hiddenBands)
	return t
}

func heldNs(h *held) []int {
	ns := make([]int, len(h.list))
	for i, name := range h.list {
		ns[i] = h.by[name].N
	}
	return ns
}

// figure publishes one cell that its table lets be shown: suppressed if
// it is small for any reader, else with its bands under the table rule,
// the forced ones hidden.
func figure(h *held, forced [5]bool) Figure {
	c := h.all
	f := Figure{Group: c.Group, Field: c.Field, N: c.N, Mean: c.Mean(), Bands: c.Bands()}
	if !safe(c.N, heldNs(h), MinN) {
		return suppressed(f)
	}
	own := make([][]int, len(h.list))
	for i, name := range h.list {
		b := h.by[name].Bands()
		own[i] = b[:]
	}
	hide := hideParts(f.Bands[:], own, MinN, smallestFirst(f.Bands[:]), forced[:])
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
