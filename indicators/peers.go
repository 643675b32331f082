package indicators

import "github.com/surveybot/surveybot/store"

// Peers chooses the peer group a respondent is compared with: the closest
// level (same sector and size band, else same sector, else everyone) whose
// composite covers at least MinN responses and is not 1 to MinN-1 short of
// the next wider level (else the difference of the two would describe a
// small group). Of that level it returns the figures of the fields that
// pass the same two rules. ok is false if no level qualifies.
func Peers(levels map[store.PeerLevel][]store.Cell) (store.PeerLevel, map[string]store.Cell, bool) {
	byField := func(l store.PeerLevel) map[string]store.Cell {
		m := map[string]store.Cell{}
		for _, c := range levels[l] {
			m[c.Field] = c
		}
		return m
	}
	safe := func(n, wider int) bool { d := wider - n; return n >= MinN && (d == 0 || d >= MinN) }
	for l := store.PeersSectorSize; l <= store.PeersAll; l++ {
		here := byField(l)
		wider := here
		if l < store.PeersAll {
			wider = byField(l + 1)
		}
		comp := here[store.CompositeField]
		if !safe(comp.N, wider[store.CompositeField].N) {
			continue
		}
		shown := map[string]store.Cell{}
		for f, c := range here {
			if safe(c.N, wider[f].N) {
				shown[f] = c
			}
		}
		return l, shown, true
	}
	return 0, nil, false
}
