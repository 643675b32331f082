// Package regions maps the postcodes of Lower Saxony to their district
// (Landkreis, Region Hannover or kreisfreie Stadt), by the district's
// official key (AGS, five digits, such as 03241 for the Region Hannover).
// A region in the figures is a district, the level the business register
// and the craft census count firms at.
//
// The table, niedersachsen.csv, is made by regions/gen from GeoNames'
// postal codes (www.geonames.org, CC BY 4.0). A postcode whose places lie
// in several districts counts in the one with most of them.
package regions

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"sort"
	"strings"
)

//go:embed niedersachsen.csv
var niedersachsen string

// District is one district of Lower Saxony.
type District struct {
	AGS  string // the official key, five digits
	Name string // as the municipality register writes it
}

// Table is the postcodes of an area and their districts.
type Table struct {
	byPostcode map[string]District
	districts  []District
}

// Niedersachsen returns the table of Lower Saxony.
func Niedersachsen() (*Table, error) { return parse(niedersachsen) }

func parse(data string) (*Table, error) {
	r := csv.NewReader(strings.NewReader(data))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	t := &Table{byPostcode: make(map[string]District, len(recs))}
	seen := map[string]bool{}
	for _, rec := range recs[1:] {
		if len(rec) != 3 {
			return nil, fmt.Errorf("regions: row %v", rec)
		}
		d := District{AGS: rec[1], Name: rec[2]}
		t.byPostcode[rec[0]] = d
		if !seen[d.AGS] {
			seen[d.AGS] = true
			t.districts = append(t.districts, d)
		}
	}
	sort.Slice(t.districts, func(i, j int) bool { return t.districts[i].AGS < t.districts[j].AGS })
	return t, nil
}

// District returns the district of a postcode, if it lies in the area.
func (t *Table) District(postcode string) (District, bool) {
	d, ok := t.byPostcode[postcode]
	return d, ok
}

// Districts lists the area's districts by key.
func (t *Table) Districts() []District { return append([]District(nil), t.districts...) }

// Name returns the name of the district with a key, or "" if there is none.
func (t *Table) Name(ags string) string {
	i := sort.Search(len(t.districts), func(i int) bool { return t.districts[i].AGS >= ags })
	if i < len(t.districts) && t.districts[i].AGS == ags {
		return t.districts[i].Name
	}
	return ""
}
