package exports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/exports"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// answerer drives the real engine through a whole dialog with varied
// answers: every path, "keine Angabe", skipped optional items.
type answerer struct {
	rng      *rand.Rand
	chamber  string // the chamber answered
	text     string // the answer to free text items
	postcode string // the postcode answered; "" for one of four at random
}

func (a answerer) input(it *dialogs.Item) dialogs.Input {
	r := a.rng
	switch {
	case it.ID == "chamber":
		return dialogs.Input{Choice: a.chamber}
	case it.ID == "org_type":
		if r.IntN(5) == 0 {
			return dialogs.Input{Choice: "education"}
		}
		return dialogs.Input{Choice: "business"}
	case it.Optional && r.IntN(4) == 0:
		return dialogs.Input{Command: dialogs.CmdSkip}
	case r.IntN(10) == 0:
		return dialogs.Input{Choice: dialogs.CodeNA}
	}
	switch it.Type {
	case dialogs.Single, dialogs.Scale, dialogs.YesNo:
		codes := it.Codes()
		return dialogs.Input{Choice: codes[r.IntN(len(codes))]}
	case dialogs.Multi:
		var sel []string
		for _, o := range it.Options {
			if !o.Exclusive && r.IntN(3) == 0 {
				sel = append(sel, o.Code)
			}
		}
		if len(sel) == 0 {
			sel = []string{it.Options[0].Code}
		}
		return dialogs.Input{Selection: sel}
	case dialogs.Integer:
		lo, hi := 0, 100
		if it.Min != nil {
			lo = *it.Min
		}
		if it.Max != nil {
			hi = min(*it.Max, lo+100)
		}
		return dialogs.TextInput(strconv.Itoa(lo + r.IntN(hi-lo+1)))
	case dialogs.Postcode:
		if a.postcode != "" {
			return dialogs.TextInput(a.postcode)
		}
		return dialogs.TextInput([]string{"26121", "30159", "38100", "49074"}[r.IntN(4)])
	}
	return dialogs.TextInput(a.text)
}

// answer runs one dialog to its end.
func (a answerer) answer(t *testing.T, q *dialogs.Questionnaire) dialogs.State {
	t.Helper()
	st, _, err := dialogs.Start(q, dialogs.German, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st, _, err = dialogs.Step(q, st, dialogs.Input{Choice: dialogs.CodeYes}); err != nil {
		t.Fatal(err)
	}
	for st.Phase != dialogs.PhaseDone {
		it, _ := q.Item(st.Current)
		in := a.input(it)
		next, _, err := dialogs.Step(q, st, in)
		if err != nil || next.Equal(st) {
			t.Fatalf("%s: input %+v not accepted (%v)", it.ID, in, err)
		}
		st = next
	}
	return st
}

var respondents atomic.Int64

// complete stores a completed response as the bot does and returns its id.
func complete(t *testing.T, db *store.DB, q *dialogs.Questionnaire, st dialogs.State) string {
	t.Helper()
	ctx := context.Background()
	rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: fmt.Sprint(respondents.Add(1))})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: "test"})
	if err != nil {
		t.Fatal(err)
	}
	sc := dialogs.Score(q, st.Answers)
	if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: resp.ID, Channel: "test", Lang: dialogs.German, Phase: dialogs.PhaseDone,
		Changes: dialogs.Changes(q, dialogs.State{}, st), Scores: &sc, Dims: indicators.DimsOf(q, st.Answers)}); err != nil {
		t.Fatal(err)
	}
	return resp.ID
}

// fillAt stores n responses of members of chamber at a postcode.
func fillAt(t *testing.T, db *store.DB, q *dialogs.Questionnaire, seed uint64, chamber, postcode string, n int) {
	t.Helper()
	a := answerer{rng: rand.New(rand.NewPCG(seed, 1)), chamber: chamber, text: "ok", postcode: postcode}
	for range n {
		complete(t, db, q, a.answer(t, q))
	}
}

// fill stores n responses of members of chamber and returns their ids.
func fill(t *testing.T, db *store.DB, q *dialogs.Questionnaire, seed uint64, chamber string, n int) []string {
	t.Helper()
	a := answerer{rng: rand.New(rand.NewPCG(seed, 1)), chamber: chamber, text: "ok"}
	var ids []string
	for range n {
		ids = append(ids, complete(t, db, q, a.answer(t, q)))
	}
	return ids
}

func source(db *store.DB, f store.CompletedFilter) exports.Source {
	return func(fn func(store.CompletedResponse) error) error {
		return db.EachCompleted(context.Background(), f, fn)
	}
}

// readCSV parses an export as German Excel would: BOM, then ";".
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Fatalf("no UTF-8 byte order mark: %q", b[:min(len(b), 20)])
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %s", name, strings.Join(header, ";"))
	return -1
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 2)) }
