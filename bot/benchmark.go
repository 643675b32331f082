package bot

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/survey"
)

// peerCacheTTL is how long published peer figures are reused: every
// completion would otherwise scan all completed responses to publish.
const peerCacheTTL = 5 * time.Minute

// peerCache keeps the peer cells of a questionnaire version.
type peerCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[dialogs.Ref]peerEntry
}

type peerEntry struct {
	cells   []survey.PeerCell
	expires time.Time
}

// results is what the end of a dialog shows beside the respondent's
// scores: their change since their previous wave, and their peers.
func (s *Service) results(ctx context.Context, q *dialogs.Questionnaire, responseID string, st dialogs.State, sc dialogs.Scores) (string, error) {
	peers, err := s.benchmark(ctx, q, st, sc)
	if err != nil {
		return "", err
	}
	own, err := s.ownChange(ctx, q, responseID, st.Lang, sc)
	if err != nil {
		s.log.Warn("own change", slog.String("response", responseID), slog.Any("error", err))
	}
	if own == "" {
		return peers, nil
	}
	return own + "\n\n" + peers, nil
}

// benchmark puts the respondent's scores beside their peers' (same sector
// and size band, else same sector, else everyone), where package
// indicators lets the peer group be shown, and says so plainly where not.
func (s *Service) benchmark(ctx context.Context, q *dialogs.Questionnaire, st dialogs.State, sc dialogs.Scores) (string, error) {
	s.peers.mu.Lock()
	e, ok := s.peers.m[q.Ref()]
	s.peers.mu.Unlock()
	if !ok || time.Now().After(e.expires) {
		cells, err := s.store.PublishPeers(ctx, q.Ref(), indicators.PeerStep)
		if err != nil {
			return "", err
		}
		s.peers.mu.Lock()
		e = peerEntry{cells: cells, expires: time.Now().Add(s.peers.ttl)}
		if s.peers.m == nil {
			s.peers.m = map[dialogs.Ref]peerEntry{}
		}
		s.peers.m[q.Ref()] = e
		s.peers.mu.Unlock()
	}
	lang := st.Lang
	level, shown, ok := indicators.Peers(e.cells, given(st.Answers["sector"]), given(st.Answers["size"]))
	if !ok {
		return dialogs.UIPeerNone.In(lang), nil
	}
	head := map[survey.PeerLevel]dialogs.UIText{
		survey.PeersSectorSize: dialogs.UIPeerHeadSectorSize, survey.PeersSector: dialogs.UIPeerHeadSector, survey.PeersAll: dialogs.UIPeerHeadAll,
	}[level]
	lines := []string{fmt.Sprintf(head.In(lang), shown[survey.CompositeField].N)}
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
		comp := shown[survey.CompositeField]
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
