package store_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// panelFirms stores three firms over two waves: a (hwk_h) answers both,
// b (hwk_h) only the second, c (ihk_h) only the first. It returns their
// respondents and the waves.
func panelFirms(t *testing.T, db *store.DB) (map[string]string, [2]survey.Wave) {
	t.Helper()
	ctx := testCtx(t)
	start := time.Now().Add(-72 * time.Hour)
	ws := [2]survey.Wave{newWave(t, db, "2027-1", start), newWave(t, db, "2027-2", start.Add(24*time.Hour))}
	rids := map[string]string{}
	complete := func(firm, chamber string, w survey.Wave, maturity float64) {
		rid, ok := rids[firm]
		if !ok {
			var err error
			if rid, err = db.EnsureRespondent(ctx, survey.Identity{Channel: "telegram", External: "panel-" + firm}); err != nil {
				t.Fatal(err)
			}
			rids[firm] = rid
		}
		r, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: coreRef(t), Lang: dialogs.German, Channel: "telegram", WaveID: w.ID})
		if err != nil {
			t.Fatal(err)
		}
		apply(t, db, survey.Step{ResponseID: r.ID, Seq: 0, Phase: dialogs.PhaseDone,
			Changes: []dialogs.Change{{Item: "chamber", Answer: dialogs.Answer{Value: chamber}}},
			Scores:  &dialogs.Scores{Fields: map[string]float64{"maturity": maturity}, Composite: ptr(maturity)},
			Dims:    map[survey.Dimension]string{survey.ByChamber: chamber, survey.BySize: "small"}})
	}
	complete("a", "hwk_h", ws[0], 40)
	complete("a", "hwk_h", ws[1], 60)
	complete("b", "hwk_h", ws[1], 50)
	complete("c", "ihk_h", ws[0], 30)
	return rids, ws
}

func panelRows(t *testing.T, db *store.DB, f store.PanelFilter) []store.PanelResponse {
	t.Helper()
	var out []store.PanelResponse
	if err := db.EachPanel(testCtx(t), f, func(r store.PanelResponse) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func completedRows(t *testing.T, db *store.DB, f store.CompletedFilter) []store.CompletedResponse {
	t.Helper()
	var out []store.CompletedResponse
	if err := db.EachCompleted(testCtx(t), f, func(r store.CompletedResponse) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPanel: a firm has one panel id in every wave and every export,
// firms have different ones, a chamber sees its own, and erasure takes a
// firm out of the panel in every wave.
func TestPanel(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		rids, ws := panelFirms(t, db)
		rows := panelRows(t, db, store.PanelFilter{Questionnaire: coreRef(t).ID})
		if len(rows) != 4 {
			t.Fatalf("%d panel rows, want 4: %+v", len(rows), rows)
		}
		ids := map[string][]string{} // panel id -> waves
		for i, r := range rows {
			if len(r.PanelID) != store.PanelIDLen {
				t.Errorf("panel id %q: want %d characters", r.PanelID, store.PanelIDLen)
			}
			if i > 0 && (rows[i-1].PanelID > r.PanelID || rows[i-1].PanelID == r.PanelID && !rows[i-1].WaveStart.Before(r.WaveStart)) {
				t.Errorf("rows not ordered by panel id and wave: %s/%s after %s/%s", r.PanelID, r.Wave, rows[i-1].PanelID, rows[i-1].Wave)
			}
			for _, rid := range rids {
				if strings.Contains(rid, r.PanelID) || strings.Contains(r.PanelID, rid) {
					t.Errorf("panel id %q shows respondent %q", r.PanelID, rid)
				}
			}
			if r.Dims[survey.BySize] != "small" || r.Composite == nil {
				t.Errorf("row %+v lacks its dimensions or composite", r)
			}
			ids[r.PanelID] = append(ids[r.PanelID], r.Wave)
		}
		if len(ids) != 3 {
			t.Fatalf("%d panel ids for 3 firms: %v", len(ids), ids)
		}
		var both string
		for id, w := range ids {
			if slices.Equal(w, []string{"2027-1", "2027-2"}) {
				both = id
			}
		}
		if both == "" {
			t.Fatalf("no panel id has both waves: %v", ids)
		}

		// The responses export shows the same panel ids, and the wave.
		all := completedRows(t, db, store.CompletedFilter{Questionnaire: coreRef(t)})
		inBoth := 0
		for _, r := range all {
			if _, ok := ids[r.PanelID]; !ok {
				t.Errorf("responses export: panel id %q not in the panel", r.PanelID)
			}
			if r.PanelID == both {
				inBoth++
			}
			if r.Wave != "2027-1" && r.Wave != "2027-2" {
				t.Errorf("responses export: wave %q", r.Wave)
			}
		}
		if inBoth != 2 {
			t.Errorf("firm a has %d rows with its panel id in the responses export, want 2", inBoth)
		}
		first := completedRows(t, db, store.CompletedFilter{Questionnaire: coreRef(t), Wave: ws[0].ID})
		if len(first) != 2 || first[0].Wave != "2027-1" || first[1].Wave != "2027-1" {
			t.Errorf("wave filter: %+v, want the 2 responses of 2027-1", first)
		}

		// A chamber sees its own members only.
		own := panelRows(t, db, store.PanelFilter{Questionnaire: coreRef(t).ID, Chamber: "hwk_h"})
		if len(own) != 3 {
			t.Errorf("hwk_h: %d rows, want a's 2 and b's 1", len(own))
		}
		for _, r := range own {
			if r.Dims[survey.ByChamber] != "hwk_h" {
				t.Errorf("hwk_h sees a row of %q", r.Dims[survey.ByChamber])
			}
		}

		// Erasing a takes it out of both waves; its erased responses stay
		// in the responses export with no panel id.
		if _, err := db.EraseRespondent(testCtx(t), rids["a"]); err != nil {
			t.Fatal(err)
		}
		for _, r := range panelRows(t, db, store.PanelFilter{Questionnaire: coreRef(t).ID}) {
			if r.PanelID == both {
				t.Errorf("erased firm still in the panel, wave %s", r.Wave)
			}
		}
		if n := len(panelRows(t, db, store.PanelFilter{Questionnaire: coreRef(t).ID})); n != 2 {
			t.Errorf("%d panel rows after erasure, want b's and c's", n)
		}
		for _, r := range completedRows(t, db, store.CompletedFilter{Questionnaire: coreRef(t)}) {
			if r.PanelID == both || r.Erased && r.PanelID != "" {
				t.Errorf("erased response %s has panel id %q", r.ID, r.PanelID)
			}
		}
	})
}

// TestPanelIDNeedsTheKey: the panel id is the keyed HMAC of the respondent,
// not the respondent id or a plain hash of it, and another key gives
// another id.
func TestPanelIDNeedsTheKey(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	keyed := map[string]*store.DB{"sqlite": storetest.SQLite(t, store.WithPanelKey(key))}
	if storetest.ServersEnabled(t) {
		keyed["postgres"] = storetest.Postgres(t, store.WithPanelKey(key))
	}
	for name, db := range keyed {
		t.Run(name, func(t *testing.T) {
			rids, _ := panelFirms(t, db)
			got := map[string]bool{}
			for _, r := range panelRows(t, db, store.PanelFilter{Questionnaire: coreRef(t).ID}) {
				got[r.PanelID] = true
			}
			enc := base32.StdEncoding.WithPadding(base32.NoPadding)
			for firm, rid := range rids {
				m := hmac.New(sha256.New, key)
				m.Write([]byte("panel:" + rid))
				want := strings.ToLower(enc.EncodeToString(m.Sum(nil)))[:store.PanelIDLen]
				if !got[want] {
					t.Errorf("firm %s: panel ids %v lack HMAC(key, panel:respondent) %s", firm, got, want)
				}
				other := hmac.New(sha256.New, []byte("another key, also 32 characters!"))
				other.Write([]byte("panel:" + rid))
				plain := sha256.Sum256([]byte("panel:" + rid))
				bare := sha256.Sum256([]byte(rid))
				for what, id := range map[string]string{
					"another key's": strings.ToLower(enc.EncodeToString(other.Sum(nil)))[:store.PanelIDLen],
					"a plain hash":  strings.ToLower(enc.EncodeToString(plain[:]))[:store.PanelIDLen],
					"a bare hash":   strings.ToLower(enc.EncodeToString(bare[:]))[:store.PanelIDLen],
					"a hex hash":    hex.EncodeToString(bare[:])[:store.PanelIDLen],
					"the id":        rid,
				} {
					if got[id] {
						t.Errorf("firm %s: the panel id is %s", firm, what)
					}
				}
			}
		})
	}
	// Without a configured key, the database's own secret: still not a
	// plain hash, and not the configured key's ids.
	db := storetest.SQLite(t)
	rids, _ := panelFirms(t, db)
	for _, r := range panelRows(t, db, store.PanelFilter{Questionnaire: coreRef(t).ID}) {
		for _, rid := range rids {
			m := hmac.New(sha256.New, key)
			m.Write([]byte("panel:" + rid))
			if r.PanelID == strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)))[:store.PanelIDLen] {
				t.Errorf("the database's key gives the configured key's panel id")
			}
		}
	}
}
