package store_test

import (
	"context"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestOptOutsAreKeyed: an address on the opt-out list cannot be confirmed
// by anyone who hashes a candidate address, and the lists written before
// the key was introduced still hold after the migration turns them into
// keyed ones, on SQLite and PostgreSQL.
func TestOptOutsAreKeyed(t *testing.T) {
	ctx := context.Background()
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			const fresh, old = "Neu@Example.org", "alt@example.org"
			if err := db.OptOut(ctx, fresh); err != nil {
				t.Fatal(err)
			}
			// An opt-out as the previous version kept it: the bare SHA-256.
			if err := db.ExecForTest(ctx, `INSERT INTO optouts (address_hash, created_at, keyed) VALUES (?, CURRENT_TIMESTAMP, ?)`, survey.HashKey(old), false); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil { // rekeys what is not keyed
				t.Fatal(err)
			}
			for _, a := range []string{fresh, "neu@example.org ", old} {
				if out, err := db.OptedOut(ctx, a); err != nil || !out {
					t.Errorf("OptedOut(%q) = %v, %v; want true", a, out, err)
				}
			}
			if out, _ := db.OptedOut(ctx, "someone@example.org"); out {
				t.Error("an address never opted out is on the list")
			}
			var bare int
			for _, a := range []string{"neu@example.org", old} {
				n, err := db.CountForTest(ctx, `SELECT COUNT(*) FROM optouts WHERE address_hash = ? OR keyed = ?`, survey.HashKey(a), false)
				if err != nil {
					t.Fatal(err)
				}
				bare += n
			}
			if bare != 0 {
				t.Errorf("%d opt-outs are kept as the bare SHA-256 of the address, which anyone can compute", bare)
			}
		})
	}
}

// TestRegionsBecomeDistricts: responses counted under the first two digits
// of their postcode, as before regions were districts, count under the
// district after the migrations; a postcode outside Lower Saxony under none.
func TestRegionsBecomeDistricts(t *testing.T) {
	ctx := context.Background()
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			complete(t, db, "hannover", map[string]string{"sector": "handwerk", "postcode": "30159"}, map[string]float64{"maturity": 10}, 10)
			complete(t, db, "muenchen", map[string]string{"sector": "handwerk", "postcode": "80331"}, map[string]float64{"maturity": 20}, 20)
			if n, err := db.CountForTest(ctx, `SELECT COUNT(*) FROM responses WHERE dim_region IN ('30', '80')`); err != nil || n != 2 {
				t.Fatalf("%d responses with two-digit regions before, %v", n, err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			q, _ := dialogs.LoadCore()
			cells, err := db.Aggregate(ctx, q.Ref(), survey.ByRegion)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, c := range cells {
				if c.Field == survey.CompositeField {
					got[c.Group] = c.N
				}
			}
			if len(got) != 2 || got["03241"] != 1 || got[""] != 1 {
				t.Errorf("composite by region %v, want one in 03241 (Region Hannover) and one without a region", got)
			}
		})
	}
}
