package bot

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/store"
)

// peerCacheTTL is how long peer figures are reused: a benchmark need not
// count the answers of the last minutes, and every completion would
// otherwise scan all completed responses.
const peerCacheTTL = 5 * time.Minute

// peerCache keeps peer figures per questionnaire, sector and size band.
type peerCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]peerEntry
}

// SetPeerCacheTTL sets how long peer figures are reused (default 5
// minutes; 0 asks the database at every completion).
func (s *Service) SetPeerCacheTTL(d time.Duration) {
	s.peers.mu.Lock()
	defer s.peers.mu.Unlock()
	s.peers.ttl = d
}

type peerEntry struct {
	levels  map[store.PeerLevel][]store.Cell
	asOf    time.Time // taken before the query: it saw what was committed by then
	expires time.Time
}

// benchmark puts the respondent's scores beside their peers' (same sector
// and size band, else same sector, else everyone), only where the peer
// group is large enough, and says so plainly where it is not. The peers
// are the others: with the respondent's own scores in it, a group of five
// would let them work out the mean of the four others. committed is when
// the respondent's completion was stored.
func (s *Service) benchmark(ctx context.Context, q *dialogs.Questionnaire, st dialogs.State, sc dialogs.Scores, committed time.Time) (string, error) {
	sector, size := st.Answers["sector"], st.Answers["size"]
	key := fmt.Sprintf("%s|%s|%s", q.Ref(), given(sector), given(size))
	s.peers.mu.Lock()
	e, ok := s.peers.m[key]
	s.peers.mu.Unlock()
	if !ok || time.Now().After(e.expires) {
		asOf := time.Now()
		levels, err := s.store.PeerCells(ctx, q.Ref(), given(sector), given(size))
		if err != nil {
			return "", err
		}
		s.peers.mu.Lock()
		e = peerEntry{levels: levels, asOf: asOf, expires: time.Now().Add(s.peers.ttl)}
		if s.peers.m == nil {
			s.peers.m = map[string]peerEntry{}
		}
		s.peers.m[key] = e
		s.peers.mu.Unlock()
	}
	levels := e.levels
	if !e.asOf.Before(committed) { // the figures include the respondent: take them out
		levels = withoutOwn(levels, sc, given(sector) != "", given(sector) != "" && given(size) != "")
	}
	lang := st.Lang
	level, shown, ok := indicators.Peers(levels)
	if !ok {
		return dialogs.UIPeerNone.In(lang), nil
	}
	head := map[store.PeerLevel]dialogs.UIText{
		store.PeersSectorSize: dialogs.UIPeerHeadSectorSize, store.PeersSector: dialogs.UIPeerHeadSector, store.PeersAll: dialogs.UIPeerHeadAll,
	}[level]
	lines := []string{fmt.Sprintf(head.In(lang), shown[store.CompositeField].N)}
	for _, f := range q.Fields {
		mine, has := sc.Fields[f.ID]
		if !has {
			continue
		}
		if peer, ok := shown[f.ID]; ok {
			lines = append(lines, fmt.Sprintf(dialogs.UIPeerLine.In(lang), f.Title.In(lang), round(mine), round(peer.Mean())))
		} else {
			lines = append(lines, fmt.Sprintf(dialogs.UIPeerFew.In(lang), f.Title.In(lang)))
		}
	}
	if sc.Composite != nil {
		comp := shown[store.CompositeField]
		lines = append(lines, fmt.Sprintf(dialogs.UIPeerLine.In(lang), compositeLabel(lang), round(*sc.Composite), round(comp.Mean())))
	}
	return strings.Join(lines, "\n"), nil
}

func given(a dialogs.Answer) string {
	if !a.Given() {
		return ""
	}
	return a.Value
}

func round(v float64) int { return int(math.Round(v)) }

func compositeLabel(lang dialogs.Lang) string {
	if lang == dialogs.English {
		return "Composite index"
	}
	return "Gesamtindex"
}

// withoutOwn takes one respondent's scores out of the peer levels they are
// counted in: everyone always, the sector and the sector-and-size levels
// when they gave those answers.
func withoutOwn(levels map[store.PeerLevel][]store.Cell, sc dialogs.Scores, inSector, inSectorSize bool) map[store.PeerLevel][]store.Cell {
	own := map[string]float64{}
	for f, v := range sc.Fields {
		own[f] = v
	}
	if sc.Composite != nil {
		own[store.CompositeField] = *sc.Composite
	}
	out := map[store.PeerLevel][]store.Cell{}
	for l, cells := range levels {
		counted := l == store.PeersAll || (l == store.PeersSector && inSector) || (l == store.PeersSectorSize && inSectorSize)
		for _, c := range cells {
			if v, ok := own[c.Field]; ok && counted && c.N > 0 {
				c.N--
				c.Sum -= v
			}
			out[l] = append(out[l], c)
		}
	}
	return out
}
