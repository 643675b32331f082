package survey

// Dimension is what figures are broken down by.
type Dimension string

// The dimensions. Chamber, sector and size come from the screening
// answers, region is the district of the postcode (its AGS key, such as
// 03241 for the Region Hannover; package regions), week from
// the ISO week of completion, wave the name of the response's wave.
const (
	Overall   Dimension = "overall"
	ByChamber Dimension = "chamber"
	BySector  Dimension = "sector"
	BySize    Dimension = "size"
	ByRegion  Dimension = "region"
	ByWeek    Dimension = "week"
	ByWave    Dimension = "wave"
)

// Dimensions lists every dimension.
func Dimensions() []Dimension {
	return []Dimension{Overall, ByChamber, BySector, BySize, ByRegion, ByWeek, ByWave}
}

// CompositeField is the Field of a cell that holds the composite index.
const CompositeField = "composite"

// Cell is one aggregate: the responses of one group with a score in one
// field. Group "" holds the responses without a value for the dimension
// (not answered, "keine Angabe", or erased).
type Cell struct {
	Group string  `db:"grp"`
	Field string  `db:"field"`
	N     int     `db:"n"`
	Sum   float64 `db:"total"`
	B1    int     `db:"b1"` // scores 0–19
	B2    int     `db:"b2"` // 20–39
	B3    int     `db:"b3"` // 40–59
	B4    int     `db:"b4"` // 60–79
	B5    int     `db:"b5"` // 80–100
}

// Mean is the cell's mean score.
func (c Cell) Mean() float64 {
	if c.N == 0 {
		return 0
	}
	return c.Sum / float64(c.N)
}

// Bands returns the distribution of the cell's scores in five bands of 20.
func (c Cell) Bands() [5]int { return [5]int{c.B1, c.B2, c.B3, c.B4, c.B5} }

// PeerLevel is how close a benchmark's peers are to the respondent.
type PeerLevel int

// The peer levels, closest first.
const (
	PeersSectorSize PeerLevel = iota // same sector and size band
	PeersSector                      // same sector
	PeersAll                         // everyone
)

// PeerCell is the completed responses of one sector and size band with a
// score in one field (or the composite): the stuff of peer comparisons.
type PeerCell struct {
	Sector string  `db:"sector"` // "" for no answer
	Size   string  `db:"size"`
	Field  string  `db:"field"`
	N      int     `db:"n"`
	Sum    float64 `db:"total"`
}

// HeldCell is the part of a cell that one principal already holds: a
// chamber's key exports the rows counted under that chamber, so it knows
// them in every figure and can take them away from it. Holder is the
// chamber's answer code, "" for rows nobody but the operator holds.
type HeldCell struct {
	Holder string `db:"holder"`
	Cell
}

// Slice narrows figures to the responses completed in one ISO week
// ("2026-W48") and of one wave (its id); an empty field narrows nothing.
type Slice struct {
	Week   string
	WaveID string
}
