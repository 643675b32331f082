package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestChamberKeys adds a chamber twice (refused as existing, its first key
// untouched), issues it a second key, and revokes both.
func TestChamberKeys(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			_, first, err := db.AddChamber(ctx, "hwk_h", "HWK Hannover")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.AddChamber(ctx, "hwk_h", "HWK Hannover"); !errors.Is(err, store.ErrChamberExists) {
				t.Fatalf("adding hwk_h again: %v, want ErrChamberExists", err)
			}
			second, err := db.IssueChamberKey(ctx, "hwk_h")
			if err != nil || second == first {
				t.Fatalf("IssueChamberKey = %q, %v; want a new key", second, err)
			}
			for _, k := range []string{first, second} {
				if p, err := db.PrincipalByKey(ctx, k); err != nil || p.Chamber == nil || p.Chamber.Code != "hwk_h" {
					t.Errorf("key before revoking: %+v, %v; want hwk_h", p, err)
				}
			}
			if _, _, err := db.AddChamber(ctx, "ihk_h", "IHK Hannover"); err != nil {
				t.Fatal(err)
			}
			other, err := db.IssueChamberKey(ctx, "ihk_h")
			if err != nil {
				t.Fatal(err)
			}
			if n, err := db.RevokeChamberKeys(ctx, "hwk_h"); err != nil || n != 2 {
				t.Fatalf("RevokeChamberKeys = %d, %v; want 2", n, err)
			}
			for _, k := range []string{first, second} {
				if _, err := db.PrincipalByKey(ctx, k); !errors.Is(err, survey.ErrNotFound) {
					t.Errorf("revoked key: %v, want ErrNotFound", err)
				}
			}
			if _, err := db.PrincipalByKey(ctx, other); err != nil {
				t.Errorf("another chamber's key after revoking hwk_h's: %v", err)
			}
			if n, err := db.RevokeChamberKeys(ctx, "hwk_h"); err != nil || n != 0 {
				t.Errorf("revoking again = %d, %v; want 0", n, err)
			}
			if _, err := db.IssueChamberKey(ctx, "nope"); !errors.Is(err, survey.ErrNotFound) {
				t.Errorf("key for an unknown chamber: %v, want ErrNotFound", err)
			}
			if _, err := db.RevokeChamberKeys(ctx, "nope"); !errors.Is(err, survey.ErrNotFound) {
				t.Errorf("revoking an unknown chamber: %v, want ErrNotFound", err)
			}
		})
	}
}
