package indicators_test

import (
	"fmt"
	"testing"

	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
	"pgregory.net/rapid"
)

// peerCells makes composite cells of the given sizes by "sector/size".
func peerCells(ns map[[2]string]int) []survey.PeerCell {
	var out []survey.PeerCell
	for k, n := range ns {
		out = append(out, survey.PeerCell{Sector: k[0], Size: k[1], Field: survey.CompositeField, N: n, Sum: float64(50 * n)})
	}
	return out
}

func TestPeers(t *testing.T) {
	tests := []struct {
		name         string
		cells        map[[2]string]int
		sector, size string
		ok           bool
		level        survey.PeerLevel
		n            int
	}{
		{"own sector and size", map[[2]string]int{{"hw", "s"}: 8, {"hw", "m"}: 9, {"in", "s"}: 12}, "hw", "s", true, survey.PeersSectorSize, 8},
		{"own size too small: the sector", map[[2]string]int{{"hw", "s"}: 3, {"hw", "m"}: 9, {"in", "s"}: 12}, "hw", "s", true, survey.PeersSector, 12},
		// The reviewer's attack: sizes of 6, 6 and 2 in one sector. Showing
		// both 6s and the sector of 14 would reveal the 2; one 6 is hidden.
		{"siblings 6, 6, 2: the sector instead", map[[2]string]int{{"hw", "a"}: 6, {"hw", "b"}: 6, {"hw", "c"}: 2, {"in", "a"}: 30}, "hw", "c", true, survey.PeersSector, 14},
		{"too few at all", map[[2]string]int{{"hw", "s"}: 3, {"in", "s"}: 2}, "hw", "s", false, 0, 0},
		{"no sector given: everyone", map[[2]string]int{{"", ""}: 2, {"hw", "s"}: 9}, "", "", true, survey.PeersAll, 11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, shown, ok := indicators.Peers(peerCells(tc.cells), tc.sector, tc.size)
			if ok != tc.ok || (ok && (l != tc.level || shown[survey.CompositeField].N != tc.n)) {
				t.Errorf("Peers = level %v, %v, %v; want level %v with n %d, %v", l, shown[survey.CompositeField], ok, tc.level, tc.n, tc.ok)
			}
		})
	}
	// With sizes 6, 6, 2, the two 6s are not both shown.
	cells := peerCells(map[[2]string]int{{"hw", "a"}: 6, {"hw", "b"}: 6, {"hw", "c"}: 2, {"in", "a"}: 30})
	la, _, _ := indicators.Peers(cells, "hw", "a")
	lb, _, _ := indicators.Peers(cells, "hw", "b")
	if la == survey.PeersSectorSize && lb == survey.PeersSectorSize {
		t.Errorf("both size groups of 6 shown beside the sector of 14: the group of 2 could be worked out")
	}
}

// TestPeersRevealNoSmallGroup generates populations and checks every
// comparison any respondent could be shown: each describes at least 6 (the
// respondent and 5 others), and no wider group minus the narrower groups
// shown inside it leaves 1 to 4.
func TestPeersRevealNoSmallGroup(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sectors := []string{"", "hw", "in", "ha"}
		sizes := []string{"", "s", "m", "l"}
		ns := map[[2]string]int{}
		for _, se := range sectors {
			for _, si := range sizes {
				if n := rapid.IntRange(0, 9).Draw(t, fmt.Sprintf("n %s/%s", se, si)); n > 0 {
					ns[[2]string{se, si}] = n
				}
			}
		}
		cells := peerCells(ns)
		sizeShown := map[[2]string]int{} // sector/size groups someone sees
		sectorShown := map[string]int{}
		allShown := -1
		for k := range ns {
			l, shown, ok := indicators.Peers(cells, k[0], k[1])
			if !ok {
				continue
			}
			n := shown[survey.CompositeField].N
			if n < indicators.MinN+1 {
				t.Fatalf("%v sees a group of %d", k, n)
			}
			switch l {
			case survey.PeersSectorSize:
				sizeShown[k] = n
			case survey.PeersSector:
				sectorShown[k[0]] = n
			default:
				allShown = n
			}
		}
		sectorTotal := map[string]int{}
		total := 0
		for k, n := range ns {
			sectorTotal[k[0]] += n
			total += n
		}
		for se, tot := range sectorTotal {
			inside := 0
			for k, n := range sizeShown {
				if k[0] == se {
					inside += n
				}
			}
			// What a sector's total (shown, or the whole population) minus its shown sizes leaves.
			if rest := tot - inside; inside > 0 && rest > 0 && rest < indicators.MinN {
				t.Fatalf("sector %q: %d minus shown sizes %d leaves %d", se, tot, inside, rest)
			}
		}
		inside := 0
		for _, n := range sectorShown {
			inside += n
		}
		if allShown > 0 {
			if rest := total - inside; inside > 0 && rest > 0 && rest < indicators.MinN {
				t.Fatalf("everyone %d minus shown sectors %d leaves %d", total, inside, rest)
			}
		}
	})
}
