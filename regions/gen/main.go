// Command gen writes regions/niedersachsen.csv, the postcodes of Lower
// Saxony with their district, from GeoNames' German postal codes as
// zauberware/postal-codes-json-xml-csv publishes them (data/DE.zip,
// zipcodes.de.csv; CC BY 4.0, www.geonames.org):
//
//	go run ./regions/gen -in zipcodes.de.csv -out regions/niedersachsen.csv
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// names are the districts' names as the official municipality register
// (Gemeindeverzeichnis) writes them, by their key (AGS, 5 digits); GeoNames
// spells them unevenly.
func districtNames() map[string]string {
	return map[string]string{
		"03101": "Braunschweig, Stadt", "03102": "Salzgitter, Stadt", "03103": "Wolfsburg, Stadt",
		"03151": "Gifhorn", "03153": "Goslar", "03154": "Helmstedt", "03155": "Northeim", "03157": "Peine",
		"03158": "Wolfenbüttel", "03159": "Göttingen",
		"03241": "Region Hannover", "03251": "Diepholz", "03252": "Hameln-Pyrmont", "03254": "Hildesheim",
		"03255": "Holzminden", "03256": "Nienburg (Weser)", "03257": "Schaumburg",
		"03351": "Celle", "03352": "Cuxhaven", "03353": "Harburg", "03354": "Lüchow-Dannenberg", "03355": "Lüneburg",
		"03356": "Osterholz", "03357": "Rotenburg (Wümme)", "03358": "Heidekreis", "03359": "Stade", "03360": "Uelzen",
		"03361": "Verden",
		"03401": "Delmenhorst, Stadt", "03402": "Emden, Stadt", "03403": "Oldenburg (Oldenburg), Stadt",
		"03404": "Osnabrück, Stadt", "03405": "Wilhelmshaven, Stadt",
		"03451": "Ammerland", "03452": "Aurich", "03453": "Cloppenburg", "03454": "Emsland", "03455": "Friesland",
		"03456": "Grafschaft Bentheim", "03457": "Leer", "03458": "Oldenburg", "03459": "Osnabrück", "03460": "Vechta",
		"03461": "Wesermarsch", "03462": "Wittmund",
	}
}

func main() {
	in := flag.String("in", "zipcodes.de.csv", "GeoNames' postal codes of Germany as CSV")
	out := flag.String("out", "regions/niedersachsen.csv", "the table to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"zipcode", "state_code", "community", "community_code"} {
		if _, ok := col[need]; !ok {
			return fmt.Errorf("no column %q", need)
		}
	}
	type district struct{ ags, name string }
	names := districtNames()
	byPostcode := map[string]map[district]int{} // places per district
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if rec[col["state_code"]] != "NI" {
			continue
		}
		pc, ags := rec[col["zipcode"]], rec[col["community_code"]]
		name, ok := names[ags]
		if !ok {
			return fmt.Errorf("postcode %s: district %s (%s) is not one of Lower Saxony's 45", pc, ags, rec[col["community"]])
		}
		d := district{ags, name}
		if byPostcode[pc] == nil {
			byPostcode[pc] = map[district]int{}
		}
		byPostcode[pc][d]++
	}
	postcodes := make([]string, 0, len(byPostcode))
	for pc := range byPostcode {
		postcodes = append(postcodes, pc)
	}
	sort.Strings(postcodes)
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	_ = cw.Write([]string{"postcode", "ags", "district"})
	for _, pc := range postcodes {
		// A postcode whose places lie in several districts counts in the
		// one with most of them (ties: the lower key).
		var best district
		most := 0
		for d, n := range byPostcode[pc] {
			if n > most || (n == most && d.ags < best.ags) {
				best, most = d, n
			}
		}
		_ = cw.Write([]string{pc, best.ags, best.name})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return w.Close()
}
