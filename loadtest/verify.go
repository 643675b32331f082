package loadtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// Verify checks in the database dsn names that every respondent of the
// report has exactly one response, completed, whose answers are exactly
// those its script gave: none lost, none doubled or shifted to another
// question, none extra. It records the differences in the report.
func Verify(ctx context.Context, dsn string, rep *Report) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	raw, err := openRaw(dsn)
	if err != nil {
		return err
	}
	defer raw.Close()
	for _, r := range rep.Respondents {
		if r.Who.External == "" {
			rep.Differences = append(rep.Differences, fmt.Sprintf("%s: never started (%v)", r.Name, r.Err))
			continue
		}
		diffs, err := verifyOne(ctx, db, raw, r)
		if err != nil {
			return fmt.Errorf("verify %s: %w", r.Name, err)
		}
		rep.Verified++
		for _, d := range diffs {
			rep.Differences = append(rep.Differences, r.Name+": "+d)
		}
	}
	return nil
}

func verifyOne(ctx context.Context, db *store.DB, raw *sqlx.DB, r *Respondent) ([]string, error) {
	resp, err := db.CurrentResponse(ctx, r.Who)
	if errors.Is(err, survey.ErrNotFound) {
		return []string{"no response stored"}, nil
	}
	if err != nil {
		return nil, err
	}
	var diffs []string
	const countResponses = `SELECT COUNT(*) FROM responses r JOIN identities i ON i.respondent_id = r.respondent_id
		WHERE i.channel = ? AND i.external_id = ?`
	var n int
	if err := raw.GetContext(ctx, &n, raw.Rebind(countResponses), r.Who.Channel, r.Who.External); err != nil {
		return nil, fmt.Errorf("count responses: %w", err)
	}
	if n != 1 {
		diffs = append(diffs, fmt.Sprintf("%d responses, want 1", n))
	}
	if resp.Status != survey.StatusCompleted {
		diffs = append(diffs, fmt.Sprintf("response %s is %s, want completed", resp.ID, resp.Status))
	}
	got, err := db.Answers(ctx, resp.ID)
	if err != nil {
		return nil, err
	}
	return append(diffs, compareAnswers(r.Script.Answers, got)...), nil
}

// compareAnswers lists the items whose stored answer differs from the one
// given, in item order.
func compareAnswers(want, got map[string]dialogs.Answer) []string {
	var items []string
	for k := range want {
		items = append(items, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			items = append(items, k)
		}
	}
	slices.Sort(items)
	var diffs []string
	for _, it := range items {
		w, inW := want[it]
		g, inG := got[it]
		switch {
		case !inG:
			diffs = append(diffs, fmt.Sprintf("answer %s lost (gave %s)", it, show(w)))
		case !inW:
			diffs = append(diffs, fmt.Sprintf("answer %s stored (%s) but never given", it, show(g)))
		case !sameAnswer(w, g):
			diffs = append(diffs, fmt.Sprintf("answer %s is %s, gave %s", it, show(g), show(w)))
		}
	}
	return diffs
}

func sameAnswer(a, b dialogs.Answer) bool {
	if a.NA != b.NA || a.Skipped != b.Skipped || a.Fixed != b.Fixed {
		return false
	}
	// A multiple choice's codes in any order are the same answer.
	x, y := strings.Split(a.Value, ","), strings.Split(b.Value, ",")
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func show(a dialogs.Answer) string {
	switch {
	case a.NA:
		return "keine Angabe"
	case a.Skipped:
		return "skipped"
	}
	return fmt.Sprintf("%q", a.Value)
}

// openRaw opens the database for the harness's own queries.
func openRaw(dsn string) (*sqlx.DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return sqlx.Open("pgx", dsn)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	path, _, _ = strings.Cut(path, "?")
	return sqlx.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
}
