package indicators_test

import (
	"testing"

	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/store"
)

func levels(ss, s, all map[string]int) map[store.PeerLevel][]store.Cell {
	out := map[store.PeerLevel][]store.Cell{}
	for l, m := range map[store.PeerLevel]map[string]int{store.PeersSectorSize: ss, store.PeersSector: s, store.PeersAll: all} {
		for f, n := range m {
			out[l] = append(out[l], store.Cell{Field: f, N: n, Sum: float64(50 * n)})
		}
	}
	return out
}

func TestPeers(t *testing.T) {
	tests := []struct {
		name   string
		in     map[store.PeerLevel][]store.Cell
		ok     bool
		level  store.PeerLevel
		fields []string
	}{
		{"sector and size", levels(map[string]int{"composite": 6, "maturity": 6, "skills": 3}, map[string]int{"composite": 12, "maturity": 11, "skills": 9}, map[string]int{"composite": 40, "maturity": 30, "skills": 20}),
			true, store.PeersSectorSize, []string{"composite", "maturity"}},
		{"too few with the same size: the sector", levels(map[string]int{"composite": 4}, map[string]int{"composite": 9, "maturity": 9}, map[string]int{"composite": 30, "maturity": 30}),
			true, store.PeersSector, []string{"composite", "maturity"}},
		{"sector would reveal the 3 others: everyone", levels(map[string]int{"composite": 2}, map[string]int{"composite": 7}, map[string]int{"composite": 10, "skills": 10}),
			true, store.PeersAll, []string{"composite", "skills"}},
		{"too few at all", levels(map[string]int{"composite": 1}, map[string]int{"composite": 2}, map[string]int{"composite": 4}),
			false, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, shown, ok := indicators.Peers(tc.in)
			if ok != tc.ok || l != tc.level || len(shown) != len(tc.fields) {
				t.Fatalf("Peers = %v %v %v, want %v %v %v", l, shown, ok, tc.level, tc.fields, tc.ok)
			}
			for _, f := range tc.fields {
				if c, ok := shown[f]; !ok || c.N < indicators.MinN {
					t.Errorf("field %s: %+v", f, c)
				}
			}
		})
	}
}
