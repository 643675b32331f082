package survey

// FirmScore is one score (a field's, or the composite's under
// CompositeField) of a firm's completed response in a wave: the stuff of
// changes between waves. A firm is a respondent, the same in every wave.
type FirmScore struct {
	Firm   string  `db:"firm"`   // the respondent's id
	Wave   string  `db:"wave"`   // the wave's id
	Holder string  `db:"holder"` // the chamber the response is counted under, "" for none
	Field  string  `db:"field"`
	Value  float64 `db:"value"`
}

// PanelFigure is the panel of one field between two waves: the firms with
// a score in the field in both, the sums of their scores in each, and how
// many of them each chamber holds (its key exports their rows): both
// rows, the earlier one, the later one.
type PanelFigure struct {
	Field    string
	N        int
	SumFrom  float64
	SumTo    float64
	Both     map[string]int // chamber -> panel firms whose two rows it holds
	FromHeld map[string]int // chamber -> panel firms whose earlier row it holds
	ToHeld   map[string]int // chamber -> panel firms whose later row it holds
}
