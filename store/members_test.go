package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

func TestImportMembersMatchesInsteadOfDuplicating(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ch, _, err := db.AddChamber(ctx, "hwk_h", "HWK Hannover")
			if err != nil {
				t.Fatal(err)
			}
			first := []survey.Member{
				{MemberNo: "1", Company: "Alt", Email: "a@example.org", Lang: "de"},
				{Company: "Berg", Email: "b@example.org", Lang: "de"},
				{Company: "Celle", Slack: "U0CELLE001", Lang: "de"},
			}
			if res, err := db.ImportMembers(ctx, ch.ID, first); err != nil || res.Created != 3 {
				t.Fatalf("first import = %+v, %v", res, err)
			}
			// Alt changes its address and a new member takes the old one;
			// Berg gets a number; Celle (Slack only) is matched by its user.
			second := []survey.Member{
				{MemberNo: "1", Company: "Alt GmbH", Email: "a2@example.org", Lang: "de"},
				{MemberNo: "3", Company: "Neu", Email: "a@example.org", Lang: "de"},
				{MemberNo: "2", Company: "Berg", Email: "B@Example.org", Lang: "en"},
				{Company: "Celle KG", Slack: "U0CELLE001", Lang: "de", Consent: true},
			}
			res, err := db.ImportMembers(ctx, ch.ID, second)
			if err != nil || res.Created != 1 || res.Updated != 3 {
				t.Fatalf("second import = %+v, %v; want 1 created, 3 updated", res, err)
			}
			ms, err := db.Members(ctx, ch.ID)
			if err != nil || len(ms) != 4 {
				t.Fatalf("members = %+v, %v; want 4", ms, err)
			}
			// A row whose number is one member's and address another's is refused, and nothing changes.
			third := []survey.Member{{MemberNo: "1", Company: "Wirr", Email: "b@example.org", Lang: "de"}}
			if _, err := db.ImportMembers(ctx, ch.ID, third); !errors.Is(err, store.ErrDuplicateMember) {
				t.Fatalf("conflicting row: err = %v, want ErrDuplicateMember", err)
			}
			after, _ := db.Members(ctx, ch.ID)
			for _, m := range after {
				if m.Company == "Wirr" {
					t.Error("the refused row was stored")
				}
			}
		})
	}
}

// TestMigrateConcurrently starts several instances on one empty
// PostgreSQL database at once: they take turns, and none fails.
func TestMigrateConcurrently(t *testing.T) {
	base := os.Getenv(storetest.PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests disabled: set %s", storetest.PostgresEnv)
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("t_migrate_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("%s is set but a database cannot be created: %v", storetest.PostgresEnv, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	const n = 6
	dbs := make([]*store.DB, n)
	for i := range dbs {
		if dbs[i], err = store.Open(ctx, u.String()); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, db := range dbs {
			db.Close()
		}
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database: %v", err)
		}
		admin.Close()
	})
	start := make(chan struct{})
	errs := make(chan error, n)
	for _, db := range dbs {
		go func() {
			<-start
			_, err := db.Migrate(ctx)
			errs <- err
		}()
	}
	close(start)
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("migrate: %v", err)
		}
	}
}

// TestImportMembersKeepsColumnsTheListLacks: a list without the consent
// and Slack columns updates names and addresses and leaves those as they were.
func TestImportMembersKeepsColumnsTheListLacks(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ch, _, err := db.AddChamber(ctx, "hwk_h", "HWK Hannover")
			if err != nil {
				t.Fatal(err)
			}
			full := []survey.Member{{MemberNo: "1", Company: "Alt", Email: "a@example.org", Slack: "U0ALT00001", Lang: "en", Consent: true}}
			if _, err := db.ImportMembers(ctx, ch.ID, full); err != nil {
				t.Fatal(err)
			}
			partial := []survey.Member{{MemberNo: "1", Company: "Alt & Söhne", Email: "neu@example.org", Lang: "de"}}
			if res, err := db.ImportMembers(ctx, ch.ID, partial, "member_no", "company", "email"); err != nil || res.Updated != 1 {
				t.Fatalf("partial import = %+v, %v", res, err)
			}
			ms, err := db.Members(ctx, ch.ID)
			if err != nil || len(ms) != 1 {
				t.Fatalf("members = %+v, %v", ms, err)
			}
			m := ms[0]
			if m.Company != "Alt & Söhne" || m.Email != "neu@example.org" || !m.Consent || m.Slack != "U0ALT00001" || m.Lang != "en" {
				t.Errorf("member after a partial import = %+v; want the new name and address, consent, Slack and language kept", m)
			}
		})
	}
}
