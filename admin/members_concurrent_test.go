package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/admin"
	"github.com/surveybot/surveybot/campaigns/campaignstest"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestConcurrentIdenticalMemberImports sends one member list eight times
// at once, as a double-clicking user or a retrying script does: every
// request succeeds as if they had come one after another, and each
// member is stored once. It does so for a few new chambers in turn, so
// that the requests surely meet on the members' first import.
func TestConcurrentIdenticalMemberImports(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			for round := range 3 {
				importConcurrently(t, db, fmt.Sprintf("hwk_%d", round))
			}
		})
	}
}

func importConcurrently(t *testing.T, db *store.DB, code string) {
	ctx := context.Background()
	ch, key, err := db.AddChamber(ctx, code, "HWK "+code)
	if err != nil {
		t.Fatal(err)
	}
	e := &campaignstest.Env{DB: db, Chamber: ch, Clock: campaignstest.NewClock(time.Now()), Senders: campaignstest.NewRecorders()}
	mux := http.NewServeMux()
	admin.New(admin.Config{DB: db, Questionnaire: dialogstest.Core(t), Campaigns: e.Runner(t), Log: testrig.Discard()}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	api := adminClient{t: t, url: srv.URL, key: key}

	// Enough rows that the imports overlap in the database.
	var list strings.Builder
	list.WriteString("Mitgliedsnummer;Firma;E-Mail;Einwilligung\r\n")
	const rows = 100
	for i := range rows {
		fmt.Fprintf(&list, "%d;Firma %d;f%d@example.org;ja\r\n", 1000+i, i, i)
	}
	const n = 8
	codes, bodies := make([]int, n), make([]string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			codes[i], bodies[i] = api.do("POST", "/api/v1/members", "text/csv", list.String())
		})
	}
	close(start)
	wg.Wait()
	created := 0
	for i := range n {
		if codes[i] != http.StatusOK {
			t.Errorf("%s: import %d: %d %s, want 200", code, i, codes[i], bodies[i])
			continue
		}
		var imp importAnswer
		if err := json.Unmarshal([]byte(bodies[i]), &imp); err != nil {
			t.Fatalf("%s: import %d: %v in %s", code, i, err, bodies[i])
		}
		if imp.Created+imp.Updated != rows {
			t.Errorf("%s: import %d = %d created, %d updated; want all %d rows", code, i, imp.Created, imp.Updated, rows)
		}
		created += imp.Created
	}
	if created != rows {
		t.Errorf("%s: created over all imports = %d, want %d (the first creates, the others update)", code, created, rows)
	}
	var stored struct {
		Members []survey.Member `json:"members"`
	}
	api.json("GET", "/api/v1/members", "", "", http.StatusOK, &stored)
	if len(stored.Members) != rows {
		t.Errorf("%s: %d members stored, want %d", code, len(stored.Members), rows)
	}
}
