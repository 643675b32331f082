package dialogs

import "strconv"

// Scores are one response's results: a 0–100 score per indicator field the
// respondent answered, their mean (the composite) and the number of
// technologies in use (0–12, as in the Eurostat Digital Intensity Index).
type Scores struct {
	Fields    map[string]float64 `json:"fields"`
	Composite *float64           `json:"composite,omitempty"`
	TechCount *int               `json:"tech_count,omitempty"`
}

// Score computes a response's scores from its answers. Only the shared
// core's items count; "keine Angabe" and skipped items are missing, never
// zero. A field without any answered item has no score, and the composite is
// the mean of the fields the respondent has.
func Score(q *Questionnaire, answers map[string]Answer) Scores {
	sum := map[string]float64{}
	n := map[string]int{}
	sc := Scores{Fields: map[string]float64{}}
	for _, it := range q.items[:q.core] {
		a, ok := answers[it.ID]
		if !ok || !a.Given() {
			continue
		}
		if tc, ok := techCount(it, a); ok {
			total := tc
			if sc.TechCount != nil {
				total += *sc.TechCount
			}
			sc.TechCount = &total
		}
		if it.Score == nil {
			continue
		}
		if v, ok := ItemScore(it, a); ok {
			sum[it.Score.Field] += v
			n[it.Score.Field]++
		}
	}
	var total float64
	fields := 0
	for _, f := range q.Fields { // fixed order keeps the float sums reproducible
		if n[f.ID] == 0 {
			continue
		}
		v := sum[f.ID] / float64(n[f.ID])
		sc.Fields[f.ID] = v
		total += v
		fields++
	}
	if fields > 0 {
		c := total / float64(fields)
		sc.Composite = &c
	}
	return sc
}

// ItemScore maps one answer to 0–100, as the questionnaire's scoring says.
// It reports false for an unscored item or a missing answer.
func ItemScore(it *Item, a Answer) (float64, bool) {
	if it.Score == nil || !a.Given() {
		return 0, false
	}
	switch it.Type {
	case Single:
		o, ok := it.option(a.Value)
		if !ok || o.Score == nil {
			return 0, false // such as "weiß nicht": missing
		}
		return *o.Score, true
	case Multi:
		var got, all float64
		for _, o := range it.Options {
			if o.Score != nil {
				all += *o.Score
			}
		}
		if it.Score.Max > 0 {
			all = it.Score.Max
		}
		for _, c := range a.Codes() {
			if o, ok := it.option(c); ok && o.Score != nil {
				got += *o.Score
			}
		}
		if all == 0 {
			return 0, false
		}
		return min(100, 100*got/all), true
	case Scale:
		x, err := strconv.Atoi(a.Value)
		if err != nil || x < 1 || x > it.Points {
			return 0, false
		}
		if it.Score.Reversed {
			x = it.Points + 1 - x
		}
		return float64(x-1) / float64(it.Points-1) * 100, true
	case YesNo:
		yes := a.Value == CodeYes
		if it.Score.Reversed {
			yes = !yes
		}
		if yes {
			return 100, true
		}
		return 0, true
	}
	return 0, false
}

// techCount counts the selected technology options of a multiple choice
// answer; it reports false if the item lists no technologies.
func techCount(it *Item, a Answer) (int, bool) {
	if it.Type != Multi {
		return 0, false
	}
	has := false
	for _, o := range it.Options {
		has = has || o.Tech
	}
	if !has {
		return 0, false
	}
	n := 0
	for _, c := range a.Codes() {
		if o, ok := it.option(c); ok && o.Tech {
			n++
		}
	}
	return n, true
}
