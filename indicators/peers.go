package indicators

import (
	"sort"

	"github.com/surveybot/surveybot/survey"
)

// peerMinN is the smallest peer group a respondent is shown: they are in it
// themselves and know their own answers, so a group of MinN would tell
// them the mean of MinN-1 others.
const peerMinN = MinN + 1

// PeerStep is by how many responses a published peer cell must grow
// before it is replaced (store.PublishPeers). A respondent who finishes
// between two versions knows their own row among the new ones, so the
// new ones must be themselves and at least MinN others.
const PeerStep = MinN + 1

// Peers chooses the peer group a respondent of a sector and size band is
// compared with: the closest level (same sector and size band, else same
// sector, else everyone) at which their group is shown. A group is shown
// only under the rules of a published table, with its siblings as the other
// cells (the other size bands of the sector; the other sectors) and a
// smallest size of peerMinN, so that neither a group nor the difference of
// a wider group and its shown parts describes fewer than MinN others. Of
// that level it returns the fields whose group is shown the same way; ok is
// false if no level qualifies.
func Peers(cells []survey.PeerCell, sector, size string) (survey.PeerLevel, map[string]survey.Cell, bool) {
	// n and sum by level group and field.
	sizes := map[string]map[string]map[string]*survey.Cell{} // field -> sector -> size
	sectors := map[string]map[string]*survey.Cell{}          // field -> sector
	all := map[string]*survey.Cell{}                         // field
	add := func(c *survey.Cell, pc survey.PeerCell) { c.N += pc.N; c.Sum += pc.Sum }
	for _, pc := range cells {
		f := pc.Field
		if sizes[f] == nil {
			sizes[f], sectors[f], all[f] = map[string]map[string]*survey.Cell{}, map[string]*survey.Cell{}, &survey.Cell{Field: f}
		}
		if sizes[f][pc.Sector] == nil {
			sizes[f][pc.Sector] = map[string]*survey.Cell{}
			sectors[f][pc.Sector] = &survey.Cell{Field: f, Group: pc.Sector}
		}
		if sizes[f][pc.Sector][pc.Size] == nil {
			sizes[f][pc.Sector][pc.Size] = &survey.Cell{Field: f, Group: pc.Size}
		}
		add(sizes[f][pc.Sector][pc.Size], pc)
		add(sectors[f][pc.Sector], pc)
		add(all[f], pc)
	}
	// shownAmong reports whether the group named mine is shown among its siblings.
	shownAmong := func(siblings map[string]*survey.Cell, mine string) (survey.Cell, bool) {
		names := make([]string, 0, len(siblings))
		for name := range siblings {
			names = append(names, name)
		}
		sort.Strings(names) // ties must break the same way for every respondent
		ns := make([]int, len(names))
		for i, name := range names {
			ns[i] = siblings[name].N
		}
		hide := hideParts(ns, nil, peerMinN, smallestFirst(ns), nil)
		for i, name := range names {
			if name == mine {
				return *siblings[name], !hide[i] && ns[i] >= peerMinN
			}
		}
		return survey.Cell{}, false
	}
	levels := []struct {
		level survey.PeerLevel
		pick  func(field string) (survey.Cell, bool)
	}{
		{survey.PeersSectorSize, func(f string) (survey.Cell, bool) {
			if sector == "" || size == "" {
				return survey.Cell{}, false
			}
			return shownAmong(sizes[f][sector], size)
		}},
		{survey.PeersSector, func(f string) (survey.Cell, bool) {
			if sector == "" {
				return survey.Cell{}, false
			}
			return shownAmong(sectors[f], sector)
		}},
		{survey.PeersAll, func(f string) (survey.Cell, bool) {
			c, ok := all[f]
			if !ok || c.N < peerMinN {
				return survey.Cell{}, false
			}
			return *c, true
		}},
	}
	for _, l := range levels {
		if _, ok := l.pick(survey.CompositeField); !ok {
			continue
		}
		shown := map[string]survey.Cell{}
		for f := range all {
			if c, ok := l.pick(f); ok {
				shown[f] = c
			}
		}
		return l.level, shown, true
	}
	return 0, nil, false
}
