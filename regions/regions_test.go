package regions_test

import (
	"testing"

	"github.com/surveybot/surveybot/regions"
)

// TestNiedersachsen checks the table against districts worked out from
// the official register: every one of the 45 districts has postcodes, and
// known postcodes land where they belong; postcodes outside Lower Saxony
// have no district.
func TestNiedersachsen(t *testing.T) {
	tab, err := regions.Niedersachsen()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tab.Districts()); n != 45 {
		t.Errorf("%d districts, want Lower Saxony's 45 (36 Landkreise, the Region Hannover, 8 kreisfreie Städte)", n)
	}
	for pc, want := range map[string]string{
		"30159": "03241", // Hannover, Mitte: Region Hannover
		"30855": "03241", // Langenhagen
		"26121": "03403", // Oldenburg (Oldb), a kreisfreie Stadt
		"26197": "03458", // Großenkneten, Landkreis Oldenburg
		"38100": "03101", // Braunschweig
		"37073": "03159", // Göttingen
		"49074": "03404", // Osnabrück, Stadt
		"49134": "03459", // Wallenhorst, Landkreis Osnabrück
		"21335": "03355", // Lüneburg
		"26721": "03402", // Emden
		"27472": "03352", // Cuxhaven
	} {
		if d, ok := tab.District(pc); !ok || d.AGS != want {
			t.Errorf("District(%s) = %+v, %v; want %s", pc, d, ok, want)
		}
	}
	for _, pc := range []string{"80331", "10115", "28195", "20095", "00000", "99084"} { // München, Berlin, Bremen, Hamburg, none, Erfurt
		if d, ok := tab.District(pc); ok {
			t.Errorf("District(%s) = %+v; it is not in Lower Saxony", pc, d)
		}
	}
	if got := tab.Name("03241"); got != "Region Hannover" {
		t.Errorf("Name(03241) = %q", got)
	}
}
