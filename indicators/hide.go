package indicators

import "sort"

// small reports whether n responses form a group no figure may describe.
func small(n, min int) bool { return n > 0 && n < min }

// safe reports whether a whole of n responses may be shown to every
// reader: on its own, and less the rows each holder already knows
// (held[h]), it describes no one or at least min responses.
func safe(n int, held []int, min int) bool {
	if small(n, min) {
		return false
	}
	for _, k := range held {
		if small(n-k, min) {
			return false
		}
	}
	return true
}

// hideParts decides which parts of a shown whole to hide, so that no
// reader learns anything about 1 to min-1 responses. The public sees the
// whole and the shown parts, and so the sum of the hidden ones; a holder
// also knows its own rows in every part (own[h][i] of part i) and can
// take them away from every figure it sees.
//
// A part is hidden if it is small, or small without one holder's rows, or
// forced. Then, while what is hidden, less one reader's own rows there, is
// small, the first shown part in order that holds rows that reader does
// not know is hidden too. For a whole that is safe this always ends:
// hiding every part leaves each reader the whole less its own rows.
func hideParts(parts []int, own [][]int, min int, order []int, forced []bool) []bool {
	hide := make([]bool, len(parts))
	for i, n := range parts {
		hide[i] = (forced != nil && forced[i]) || small(n, min)
		for _, o := range own {
			hide[i] = hide[i] || small(n-o[i], min)
		}
	}
	readers := append([][]int{make([]int, len(parts))}, own...) // the public holds nothing
	for {
		var reader []int
		for _, o := range readers {
			rest := 0
			for i, h := range hide {
				if h {
					rest += parts[i] - o[i]
				}
			}
			if small(rest, min) {
				reader = o
				break
			}
		}
		if reader == nil {
			return hide
		}
		next := -1
		for _, i := range order {
			if !hide[i] && parts[i]-reader[i] > 0 {
				next = i
				break
			}
		}
		if next < 0 { // the whole is not safe for this reader: hide it all
			for i := range hide {
				hide[i] = true
			}
			return hide
		}
		hide[next] = true
	}
}

// Hide decides which parts of a shown total to hide from the public:
// every part below MinN (but not empty ones, which reveal nobody), and
// then, while the hidden parts together hold fewer than MinN (so that the
// total minus the shown parts would describe a small group), the smallest
// shown part too.
func Hide(parts []int) []bool { return hideParts(parts, nil, MinN, smallestFirst(parts), nil) }

// smallestFirst orders parts by size, smallest first.
func smallestFirst(parts []int) []int {
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return parts[order[a]] < parts[order[b]] })
	return order
}
