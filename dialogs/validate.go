package dialogs

import (
	"slices"
	"strings"
)

func validateText(ps *problems, line int, id, what string, t Text, required bool) {
	switch {
	case t.IsZero() && required:
		ps.add(line, id, "%s is missing (de and en)", what)
	case t.IsZero():
	case strings.TrimSpace(t.De) == "":
		ps.add(line, id, "%s has no German text (de)", what)
	case strings.TrimSpace(t.En) == "":
		ps.add(line, id, "%s has no English text (en)", what)
	}
}

func validateChamberTop(ps *problems, q *Questionnaire) {
	if !q.Privacy.IsZero() {
		ps.add(0, "", "a chamber questionnaire may not set privacy: the shared core's notice applies")
	}
	if len(q.Fields) > 0 {
		ps.add(0, "", "a chamber questionnaire may not declare fields: the core's scores come from the core alone")
	}
}

// validate checks a built questionnaire. For a chamber file, only its own
// items are checked; the core was checked when it was loaded.
func validate(ps *problems, q *Questionnaire, ns nodes) {
	if !idPattern.MatchString(q.ID) {
		ps.add(0, "", "id %q: use lower case letters, digits, _ and - (at most 63)", q.ID)
	}
	if q.Version < 1 {
		ps.add(0, "", "version must be a whole number of at least 1")
	}
	validateText(ps, 0, "", "title", q.Title, true)
	if q.Extends == nil {
		validateText(ps, 0, "", "privacy notice", q.Privacy, true)
		if len(q.Fields) == 0 {
			ps.add(0, "", "no indicator fields declared")
		}
		seen := map[string]bool{}
		for _, f := range q.Fields {
			if !idPattern.MatchString(f.ID) {
				ps.add(0, f.ID, "field id: use lower case letters, digits, _ and -")
			}
			if seen[f.ID] {
				ps.add(0, f.ID, "field declared twice")
			}
			seen[f.ID] = true
			validateText(ps, 0, f.ID, "field title", f.Title, true)
		}
	}
	if len(q.items) == q.core && q.Extends != nil {
		ps.add(0, "", "the chamber questionnaire adds no items")
	}
	if len(q.Modules) == 0 {
		ps.add(0, "", "no modules")
	}

	modIDs := map[string]bool{}
	for mi := range q.Modules {
		m := &q.Modules[mi]
		own := q.Extends == nil || len(m.Items) == 0 || !q.InCore(&m.Items[0])
		if modIDs[m.ID] && own {
			ps.add(m.line, m.ID, "module id used twice")
		}
		modIDs[m.ID] = true
		if !own {
			continue
		}
		if !idPattern.MatchString(m.ID) {
			ps.add(m.line, m.ID, "module id: use lower case letters, digits, _ and -")
		}
		validateText(ps, ns.at(m.line, "title"), m.ID, "module title", m.Title, true)
		if len(m.Items) == 0 {
			ps.add(m.line, m.ID, "module has no items")
		}
		validatePrefill(ps, m, ns)
	}

	itemIDs := map[string]int{}
	for _, it := range q.items {
		if first, dup := itemIDs[it.ID]; dup {
			if q.InCore(q.items[first]) && !q.InCore(it) {
				ps.add(it.line, it.ID, "item id is already used by the shared core")
			} else {
				ps.add(it.line, it.ID, "item id used twice (first at line %d)", q.items[first].line)
			}
			continue
		}
		itemIDs[it.ID] = it.pos
	}
	for _, it := range q.items {
		if q.InCore(it) && q.Extends != nil {
			continue
		}
		validateItem(ps, q, it, ns)
	}
	unreachable := map[string]bool{}
	for _, it := range q.items {
		if q.InCore(it) && q.Extends != nil {
			continue
		}
		if why := neverShown(q, it, unreachable); why != "" {
			unreachable[it.ID] = true
			ps.add(it.line, it.ID, "can never be shown: %s", why)
		}
	}
}

func validateItem(ps *problems, q *Questionnaire, it *Item, ns nodes) {
	line, id := it.line, it.ID
	at := func(path ...any) int { return ns.at(line, path...) }
	if !itemPattern.MatchString(id) {
		ps.add(line, id, "item id: use lower case letters, digits, _ and - (at most 40)")
	}
	if !slices.Contains(itemTypes, it.Type) {
		ps.add(at("type"), id, "unknown type %q (want single, multi, scale, yesno, integer, text or postcode)", it.Type)
		return
	}
	validateText(ps, at("text"), id, "text", it.Text, true)
	validateText(ps, at("help"), id, "help", it.Help, false)

	hasOptions := it.Type == Single || it.Type == Multi
	switch {
	case hasOptions && len(it.Options) < 2:
		ps.add(line, id, "a %s item needs at least 2 options", it.Type)
	case !hasOptions && len(it.Options) > 0:
		ps.add(at("options", 0), id, "a %s item has no options (yes/no and scales bring their own)", it.Type)
	}
	codes := map[string]bool{}
	for oi, o := range it.Options {
		switch {
		case o.Code == CodeNA:
			ps.add(at("options", oi, "code"), id, "option code %q is reserved for \"keine Angabe\", which every item offers by itself", o.Code)
		case !codePattern.MatchString(o.Code):
			ps.add(at("options", oi, "code"), id, "option code %q: use lower case letters, digits and _ (at most 20)", o.Code)
		case codes[o.Code]:
			ps.add(at("options", oi, "code"), id, "option code %q used twice", o.Code)
		}
		codes[o.Code] = true
		validateText(ps, at("options", oi, "label"), id, "label of option "+o.Code, o.Label, true)
		if o.Score != nil && (*o.Score < 0 || *o.Score > 100) {
			ps.add(at("options", oi, "score"), id, "option %s: score %g is outside 0–100", o.Code, *o.Score)
		}
		if o.Exclusive && it.Type != Multi {
			ps.add(at("options", oi, "exclusive"), id, "option %s: exclusive only makes sense in a multi item", o.Code)
		}
		if o.Tech && it.Type != Multi {
			ps.add(at("options", oi, "tech"), id, "option %s: tech only makes sense in a multi item", o.Code)
		}
	}

	if it.Type == Scale {
		if it.Points < 2 || it.Points > maxScalePoints {
			ps.add(at("points"), id, "a scale needs points between 2 and %d, has %d", maxScalePoints, it.Points)
		}
		validateText(ps, at("low"), id, "low (label of 1)", it.Low, true)
		validateText(ps, at("high"), id, "high (label of the top point)", it.High, true)
	} else if it.Points != 0 || !it.Low.IsZero() || !it.High.IsZero() {
		ps.add(line, id, "points, low and high only apply to scale items")
	}
	if it.Type == Integer {
		if it.Min != nil && it.Max != nil && *it.Min > *it.Max {
			ps.add(at("max"), id, "min %d is above max %d", *it.Min, *it.Max)
		}
	} else if it.Min != nil || it.Max != nil {
		ps.add(line, id, "min and max only apply to integer items")
	}
	if it.Type == FreeText {
		if it.MaxLen < 1 || it.MaxLen > maxMaxLen {
			ps.add(at("max_len"), id, "max_len must be between 1 and %d", maxMaxLen)
		}
	} else if it.MaxLen != 0 {
		ps.add(at("max_len"), id, "max_len only applies to text items")
	}

	validateScoring(ps, q, it, ns)
	validateConditions(ps, q, it, ns)
}

func validateScoring(ps *problems, q *Questionnaire, it *Item, ns nodes) {
	line, id := ns.at(it.line, "score"), it.ID
	s := it.Score
	if s == nil {
		for oi, o := range it.Options {
			if o.Score != nil {
				ps.add(ns.at(it.line, "options", oi, "score"), id, "option %s has a score, but the item has no score block naming its field", o.Code)
				break
			}
		}
		return
	}
	if q.Extends != nil {
		ps.add(line, id, "a chamber's items cannot be scored: the indicator scores come from the shared core alone")
		return
	}
	if s.Field == "" {
		ps.add(line, id, "score block names no field")
	} else if _, ok := q.Field(s.Field); !ok {
		ps.add(ns.at(it.line, "score", "field"), id, "score field %q is not declared in fields", s.Field)
	}
	switch it.Type {
	case Single, Multi:
		scored := false
		for _, o := range it.Options {
			scored = scored || o.Score != nil
		}
		if !scored {
			ps.add(line, id, "scored item, but no option has a score")
		}
	case Scale, YesNo:
	default:
		ps.add(line, id, "%s items cannot be scored", it.Type)
	}
	if s.Reversed && it.Type != Scale && it.Type != YesNo {
		ps.add(line, id, "reversed only applies to scale and yes/no items; give the options their scores instead")
	}
	if s.Max != 0 && it.Type != Multi {
		ps.add(line, id, "score max only applies to multi items")
	}
	if s.Max < 0 {
		ps.add(line, id, "score max must be positive")
	}
}

func validateConditions(ps *problems, q *Questionnaire, it *Item, ns nodes) {
	for ci, c := range it.conds {
		// it.conds are the module's conditions, then the item's own.
		at := func(path ...any) int {
			if m := it.module; m != nil && ci < len(m.When) {
				return ns.at(m.line, append([]any{"when", ci}, path...)...)
			}
			if m := it.module; m != nil {
				return ns.at(it.line, append([]any{"when", ci - len(m.When)}, path...)...)
			}
			return ns.at(it.line, append([]any{"when", ci}, path...)...)
		}
		ref, ok := q.Item(c.Item)
		switch {
		case c.Item == "":
			ps.add(at(), it.ID, "a condition names no item")
			continue
		case !ok:
			ps.add(at("item"), it.ID, "condition refers to unknown item %q", c.Item)
			continue
		case ref.pos >= it.pos:
			ps.add(at("item"), it.ID, "condition refers to item %q, which does not come before it", c.Item)
			continue
		case !ref.Type.choiceLike():
			ps.add(at("item"), it.ID, "condition refers to %s item %q; only single, multi, scale and yesno items can be tested", ref.Type, c.Item)
			continue
		}
		if len(c.In) == 0 && len(c.NotIn) == 0 {
			ps.add(at(), it.ID, "condition on %q has neither in nor not_in", c.Item)
		}
		if len(c.In) > 0 && len(c.NotIn) > 0 {
			ps.add(at("not_in"), it.ID, "condition on %q has both in and not_in; write two conditions", c.Item)
		}
		valid := ref.codes()
		for key, list := range map[string][]string{"in": c.In, "not_in": c.NotIn} {
			for i, code := range list {
				if !slices.Contains(valid, code) {
					ps.add(at(key, i), it.ID, "condition on %q: %q is not one of its answers (%s)", c.Item, code, strings.Join(valid, ", "))
				}
			}
		}
	}
}

// neverShown says why no respondent can ever reach the item, or "" if one can.
func neverShown(q *Questionnaire, it *Item, unreachable map[string]bool) string {
	// For single-valued items, all conditions on one item must be met by one answer.
	allowed := map[string][]string{}
	for _, c := range it.conds {
		ref, ok := q.Item(c.Item)
		if !ok || ref.pos >= it.pos || !ref.Type.choiceLike() {
			continue
		}
		if unreachable[ref.ID] {
			return "it depends on " + ref.ID + ", which can never be shown"
		}
		codes := ref.codes()
		var set []string
		if len(c.In) > 0 {
			for _, code := range codes {
				if slices.Contains(c.In, code) {
					set = append(set, code)
				}
			}
			if len(set) == 0 {
				return "no answer of " + ref.ID + " matches its condition"
			}
		} else {
			// not_in is also met by "keine Angabe" or no answer.
			set = []string{CodeNA}
			for _, code := range codes {
				if !slices.Contains(c.NotIn, code) {
					set = append(set, code)
				}
			}
		}
		if ref.Type == Multi {
			continue // several options can be selected at once
		}
		prev, seen := allowed[ref.ID]
		allowed[ref.ID] = intersect(prev, set, !seen)
		if len(allowed[ref.ID]) == 0 {
			return "its conditions on " + ref.ID + " contradict each other"
		}
	}
	// For multiple choice items, an option in every `in` list must survive the not_in lists.
	for _, c := range it.conds {
		ref, ok := q.Item(c.Item)
		if !ok || ref.Type != Multi || len(c.NotIn) == 0 {
			continue
		}
		for _, d := range it.conds {
			if d.Item != c.Item || len(d.In) == 0 {
				continue
			}
			left := false
			for _, code := range d.In {
				left = left || !slices.Contains(c.NotIn, code)
			}
			if !left {
				return "its conditions on " + ref.ID + " contradict each other"
			}
		}
	}
	return ""
}

func intersect(prev, set []string, first bool) []string {
	if first {
		return set
	}
	var out []string
	for _, s := range prev {
		if slices.Contains(set, s) {
			out = append(out, s)
		}
	}
	return out
}

// validatePrefill checks a module marked `prefill: true`. Its answers are
// carried over from a previous wave, so they must be facts about the firm
// that last wave's answer can stand for: no scored item (a score must come
// from this wave's answer) and no free text (what a respondent wrote in
// their own words is not offered back to whoever answers next).
func validatePrefill(ps *problems, m *Module, ns nodes) {
	if !m.Prefill {
		return
	}
	for i := range m.Items {
		it := &m.Items[i]
		switch {
		case it.Score != nil:
			ps.add(ns.at(it.line, "score"), it.ID, "a scored item cannot be in a prefill module: its score must come from this wave's answer")
		case it.Type == FreeText:
			ps.add(it.line, it.ID, "a free text item cannot be in a prefill module: its answer is not offered to the next wave")
		}
	}
}
