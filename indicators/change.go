package indicators

import (
	"sort"

	"github.com/surveybot/surveybot/survey"
)

// The bases of a change between waves.
const (
	BasisPanel = "panel" // firms that completed both waves: the mean of their own changes
	BasisAll   = "all"   // everyone: the later wave's mean less the earlier one's
)

// Why a change is not shown.
const (
	WhyWave      = "wave figure suppressed"                  // a wave's figure is not shown in the table by wave
	WhyPanel     = "panel n<5"                               // fewer than 5 firms in both waves, or a chamber holds all but 1-4 of them
	WhyRest      = "panel and wave differ by 1-4 firms"      // a wave's figure less the panel's would describe 1-4 firms
	WhyPublished = "panel not yet published for these waves" // no version of the panel has passed the rules yet
)

// WaveChange is the change of one field (or the composite) between two
// waves on one basis. On the panel basis, NFrom and NTo are the waves'
// n, and MeanFrom and MeanTo the panel firms' means in each wave.
type WaveChange struct {
	Field              string
	Basis              string
	NFrom, NTo, NPanel int
	MeanFrom, MeanTo   float64
	Change             float64
	Suppressed         string // why it is not shown; "" if it is
}

// Panel computes the live panel of every field between the waves from
// and to (ids) from the firms' scores: firms with a score in the field in
// both waves.
func Panel(scores []survey.FirmScore, from, to string) map[string]survey.PanelFigure {
	type pair struct {
		from, to         float64
		hasFrom, hasTo   bool
		holdFrom, holdTo string
	}
	firms := map[[2]string]*pair{} // field, firm
	for _, s := range scores {
		if s.Wave != from && s.Wave != to {
			continue
		}
		k := [2]string{s.Field, s.Firm}
		p := firms[k]
		if p == nil {
			p = &pair{}
			firms[k] = p
		}
		if s.Wave == from {
			p.from, p.hasFrom, p.holdFrom = s.Value, true, s.Holder
		} else {
			p.to, p.hasTo, p.holdTo = s.Value, true, s.Holder
		}
	}
	out := map[string]survey.PanelFigure{}
	for k, p := range firms {
		if !p.hasFrom || !p.hasTo {
			continue
		}
		f, ok := out[k[0]]
		if !ok {
			f = survey.PanelFigure{Field: k[0], Both: map[string]int{}, FromHeld: map[string]int{}, ToHeld: map[string]int{}}
		}
		f.N++
		f.SumFrom += p.from
		f.SumTo += p.to
		if p.holdFrom != "" {
			f.FromHeld[p.holdFrom]++
		}
		if p.holdTo != "" {
			f.ToHeld[p.holdTo]++
		}
		if p.holdFrom != "" && p.holdFrom == p.holdTo {
			f.Both[p.holdFrom]++
		}
		out[k[0]] = f
	}
	return out
}

// Waves is what a change between two waves is read against: the table by
// wave (DiscloseWaves) as published, the cells it was built from (for
// what each chamber holds of a wave), and the two waves' names.
type Waves struct {
	Tables   []Table
	Cells    []survey.HeldCell
	From, To string
}

// side is one wave's shown figure of a field and what each chamber holds of it.
type side struct {
	fig  Figure
	held map[string]int
	ok   bool
}

func (w Waves) side(field, wave string) side {
	s := side{held: map[string]int{}}
	for _, t := range w.Tables {
		if t.Field == field {
			s.fig, s.ok = t.Find(wave)
		}
	}
	s.ok = s.ok && !s.fig.Suppressed
	for _, c := range w.Cells {
		if c.Field == field && c.Group == wave && c.Holder != "" {
			s.held[c.Holder] += c.N
		}
	}
	return s
}

// Check tells why a version of the panel of a field may not be shown
// beside the waves' published figures, or "" if it may. Every reader is
// played: the public, and each chamber, which takes away the rows it
// holds.
//
//   - Both waves' figures are shown in the table by wave.
//   - The panel has at least MinN firms, and not 1 to MinN-1 firms
//     whose two rows (or whose row in either wave) a chamber does not
//     hold: its change, or its mean in a wave, would be theirs.
//   - A wave's figure less the panel's sum in that wave (the firms of
//     that wave outside the panel: those who left, those who joined)
//     describes no one or at least MinN firms, also after a chamber
//     takes away its own rows there. Otherwise the later wave's sum less
//     the earlier one's less the panel's change would give away one firm
//     that joined or left.
func (w Waves) Check(p survey.PanelFigure) string {
	from, to := w.side(p.Field, w.From), w.side(p.Field, w.To)
	if !from.ok || !to.ok {
		return WhyWave
	}
	if p.N < MinN || !safe(p.N, values(p.Both), MinN) || !safe(p.N, values(p.FromHeld), MinN) || !safe(p.N, values(p.ToHeld), MinN) {
		return WhyPanel
	}
	rest := func(s side, panelHeld map[string]int) bool {
		n := s.fig.N - p.N
		if n < 0 || small(n, MinN) {
			return false
		}
		for h, k := range s.held {
			if small(n-(k-panelHeld[h]), MinN) {
				return false
			}
		}
		return true
	}
	if !rest(from, p.FromHeld) || !rest(to, p.ToHeld) {
		return WhyRest
	}
	return ""
}

// Changes returns the change of every field between the waves on both
// bases, the composite first: on all respondents from the published
// figures by wave, on the panel from its published version (store.
// PublishPanel), each shown only where Check lets it be. Where no
// version is published, the reason is the live panel's.
func (w Waves) Changes(live map[string]survey.PanelFigure, published []survey.PanelFigure) []WaveChange {
	pub := map[string]survey.PanelFigure{}
	for _, p := range published {
		pub[p.Field] = p
	}
	fields := []string{}
	for _, t := range w.Tables {
		if t.Field != survey.CompositeField {
			fields = append(fields, t.Field)
		}
	}
	sort.Strings(fields)
	fields = append([]string{survey.CompositeField}, fields...)
	var out []WaveChange
	for _, f := range fields {
		from, to := w.side(f, w.From), w.side(f, w.To)
		all := WaveChange{Field: f, Basis: BasisAll, Suppressed: WhyWave}
		panel := WaveChange{Field: f, Basis: BasisPanel, Suppressed: WhyWave}
		if from.ok && to.ok {
			all = WaveChange{Field: f, Basis: BasisAll, NFrom: from.fig.N, NTo: to.fig.N,
				MeanFrom: from.fig.Mean, MeanTo: to.fig.Mean, Change: to.fig.Mean - from.fig.Mean}
			panel.Suppressed = WhyPanel // no firm in both waves
			if p, ok := live[f]; ok {
				if panel.Suppressed = w.Check(p); panel.Suppressed == "" {
					panel.Suppressed = WhyPublished
				}
			}
			if p, ok := pub[f]; ok {
				panel.Suppressed = w.Check(p)
				if panel.Suppressed == "" {
					mf, mt := p.SumFrom/float64(p.N), p.SumTo/float64(p.N)
					panel = WaveChange{Field: f, Basis: BasisPanel, NFrom: from.fig.N, NTo: to.fig.N, NPanel: p.N,
						MeanFrom: mf, MeanTo: mt, Change: (p.SumTo - p.SumFrom) / float64(p.N)}
				}
			}
		}
		out = append(out, panel, all)
	}
	return out
}

// Publishable returns the live panel figures that may be published:
// those that Check lets be shown now.
func (w Waves) Publishable(live map[string]survey.PanelFigure) []survey.PanelFigure {
	var out []survey.PanelFigure
	for _, p := range live {
		if w.Check(p) == "" {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// Replaces reports whether a live panel figure may replace the published
// one. A firm that completes the later wave joins the panel and moves it
// by one: two versions whose difference is the change of 1 to MinN firms
// would give away theirs. So, as for peer figures (PeerStep), a new
// version must stand on at least PeerStep more firms (a firm that joined
// knows its own change), and, for every chamber, the firms whose rows it
// does not hold (both, or in either wave) must be as many as before or
// at least PeerStep more.
func Replaces(published, live survey.PanelFigure) bool {
	if live.N < published.N+PeerStep {
		return false
	}
	held := func(p survey.PanelFigure) []map[string]int { return []map[string]int{p.Both, p.FromHeld, p.ToHeld} }
	pub, now := held(published), held(live)
	for i := range pub {
		for _, m := range []map[string]int{pub[i], now[i]} {
			for h := range m {
				d := (live.N - now[i][h]) - (published.N - pub[i][h])
				if d != 0 && d < PeerStep {
					return false
				}
			}
		}
	}
	return true
}

func values(m map[string]int) []int {
	out := make([]int, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
