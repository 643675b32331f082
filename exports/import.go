package exports

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/indicators"
	"github.com/surveybot/surveybot/internal/safetext"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/survey"
)

// Importer stores imported responses, all of them or none.
type Importer interface {
	ImportResponses(ctx context.Context, fn func(add func(store.ImportedResponse) (string, error)) error) error
}

// ImportOptions change how ImportCSV treats a file.
type ImportOptions struct {
	// SkipBad imports the good rows of a file with bad ones; without it a
	// single bad row imports nothing.
	SkipBad bool
	// Chamber, if set, is the chamber answer of every row, as an invitation
	// fixes it; a row that names another chamber is bad.
	Chamber string
	// Now is the clock that decides which weeks lie in the future (tests).
	Now func() time.Time
}

// Problem is one thing wrong with an import file.
type Problem struct {
	Line    int    // the file's line, 1 for the header
	Item    string // the column, if the problem is one cell's
	Message string
}

func (p Problem) String() string {
	if p.Item == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return fmt.Sprintf("line %d, %s: %s", p.Line, p.Item, p.Message)
}

// Report is what an import did.
type Report struct {
	Rows     int // data rows read, blank ones not counted
	Imported int // rows stored as completed responses
	BadRows  int
	Problems []Problem // in file order; a bad row has one or more
}

// ErrRejected is returned (wrapped) when a file is not imported: a bad
// header, a bad row without SkipBad, or a file that cannot be read as CSV.
var ErrRejected = errors.New("nothing imported")

// ImportCSV reads answers a chamber collected in its own survey tool and
// stores each good row as a completed response of q, so that it counts in
// the indicators. The header names the columns by the codebook's item
// codes; the columns of a responses export that are not answers (response,
// panel_id, wave, week, the scores) may be there too: panel_id and wave are
// ignored (an imported row is a firm of its own), the scores are computed afresh, and
// week, if given, is the week the response counts in. Separators ";" and
// "," and a UTF-8 byte order mark are accepted, as Excel writes them.
//
// Every row is checked as the dialog would have checked it: each value
// with dialogs.ParseValue, then its path — a value for an item the row's
// other answers skip is an error, and so is a missing answer to a required
// item on the path ("na" says "keine Angabe"); an optional item left empty
// counts as skipped. All rows are stored in one transaction: a file is
// imported whole, or with SkipBad its good rows, or not at all, so a
// corrected file can simply be imported again.
func ImportCSV(ctx context.Context, q *dialogs.Questionnaire, r io.Reader, st Importer, opts ImportOptions) (Report, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Chamber != "" {
		it, ok := q.Item(chamberItem)
		if !ok || !slices.Contains(it.Codes(), opts.Chamber) {
			return Report{}, fmt.Errorf("%w: %q is not a chamber of the questionnaire %s", ErrRejected, opts.Chamber, q.Ref())
		}
	}
	var rep Report
	err := st.ImportResponses(ctx, func(add func(store.ImportedResponse) (string, error)) error {
		rep = Report{}
		err := readRows(q, r, opts, &rep, func(ir store.ImportedResponse) error {
			if rep.BadRows > 0 && !opts.SkipBad {
				return nil // the file is lost already; go on only to report every problem
			}
			if _, err := add(ir); err != nil {
				return err
			}
			rep.Imported++
			return nil
		})
		if err != nil {
			return err
		}
		if rep.BadRows > 0 && !opts.SkipBad {
			return fmt.Errorf("%w: %d of %d rows are bad", ErrRejected, rep.BadRows, rep.Rows)
		}
		return nil
	})
	if err != nil {
		rep.Imported = 0
		return rep, err
	}
	return rep, nil
}

const chamberItem = "chamber"

// importColumn is one column of an import file.
type importColumn struct {
	item   *dialogs.Item // an answer column
	week   bool          // the week the response counts in
	ignore bool          // a computed column of an export
}

// readRows parses the file and calls good for every row without problems.
func readRows(q *dialogs.Questionnaire, r io.Reader, opts ImportOptions, rep *Report, good func(store.ImportedResponse) error) error {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(bom)); err == nil && string(b) == bom {
		_, _ = br.Discard(len(bom))
	}
	first, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read import file: %w", err)
	}
	if strings.TrimSpace(first) == "" {
		rep.Problems = append(rep.Problems, Problem{Line: 1, Message: "the file is empty; it needs a header row with the item codes of the codebook"})
		return fmt.Errorf("%w: no header row", ErrRejected)
	}
	cr := csv.NewReader(io.MultiReader(strings.NewReader(first), br))
	cr.Comma = ';'
	if strings.Count(first, ",") > strings.Count(first, ";") {
		cr.Comma = ','
	}
	header, err := cr.Read()
	if err != nil {
		rep.Problems = append(rep.Problems, Problem{Line: 1, Message: "the header row cannot be read: " + err.Error()})
		return fmt.Errorf("%w: the header row cannot be read", ErrRejected)
	}
	cols, probs := importColumns(q, header)
	if len(probs) > 0 {
		rep.Problems = append(rep.Problems, probs...)
		return fmt.Errorf("%w: %s", ErrRejected, probs[0].Message)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && !errors.Is(err, csv.ErrFieldCount) {
			// No record was read, so FieldPos has no field to tell (it
			// panics): the line is the error's.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			rep.Problems = append(rep.Problems, Problem{Line: line, Message: "cannot be read as CSV: " + err.Error()})
			return fmt.Errorf("%w: line %d cannot be read as CSV", ErrRejected, line)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		rep.Rows++
		if err != nil { // a row with more or fewer fields than the header
			rep.BadRows++
			rep.Problems = append(rep.Problems, Problem{Line: line,
				Message: fmt.Sprintf("%d fields but the header row has %d", len(rec), len(cols))})
			continue
		}
		ir, probs := parseRow(q, cols, rec, line, opts)
		if len(probs) > 0 {
			rep.BadRows++
			rep.Problems = append(rep.Problems, probs...)
			continue
		}
		if err := good(ir); err != nil {
			return err
		}
	}
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// importColumns maps the header to items; unknown and repeated columns are
// problems of line 1.
func importColumns(q *dialogs.Questionnaire, header []string) ([]importColumn, []Problem) {
	computed := map[string]bool{ColResponse: true, ColPanelID: true, ColWave: true, ColComposite: true, ColTechCount: true}
	for _, f := range q.Fields {
		computed[ScorePrefix+f.ID] = true
	}
	cols := make([]importColumn, len(header))
	seen := map[string]bool{}
	var unknown, twice []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if seen[name] {
			twice = append(twice, name)
		}
		seen[name] = true
		if it, ok := q.Item(name); ok {
			cols[i].item = it
			continue
		}
		switch {
		case name == ColWeek:
			cols[i].week = true
		case computed[name]:
			cols[i].ignore = true
		default:
			unknown = append(unknown, strconv.Quote(h))
		}
	}
	var probs []Problem
	if len(unknown) > 0 {
		probs = append(probs, Problem{Line: 1, Message: fmt.Sprintf("unknown columns %s: the columns are the item codes of the codebook of %s",
			strings.Join(unknown, ", "), q.Ref())})
	}
	if len(twice) > 0 {
		probs = append(probs, Problem{Line: 1, Message: "columns named twice: " + strings.Join(twice, ", ")})
	}
	return cols, probs
}

// parseRow checks one row and builds its response.
func parseRow(q *dialogs.Questionnaire, cols []importColumn, rec []string, line int, opts ImportOptions) (store.ImportedResponse, []Problem) {
	var probs []Problem
	bad := func(item, format string, args ...any) {
		probs = append(probs, Problem{Line: line, Item: item, Message: fmt.Sprintf(format, args...)})
	}
	answers := map[string]dialogs.Answer{}
	week := ""
	for i, c := range cols {
		v := strings.TrimSpace(rec[i])
		if err := safetext.Check(v); err != nil && !c.ignore {
			name := ColWeek
			if c.item != nil {
				name = c.item.ID
			}
			bad(name, "contains a character that cannot be stored (%v)", err)
			continue
		}
		switch {
		case v == "" || c.ignore:
		case c.week:
			if msg := checkWeek(v, opts.Now()); msg != "" {
				bad(ColWeek, "%s", msg)
			}
			week = v
		default:
			a, msg := parseCell(c.item, v)
			if msg != "" {
				bad(c.item.ID, "%s", msg)
				continue
			}
			answers[c.item.ID] = a
		}
	}
	if opts.Chamber != "" {
		if a, ok := answers[chamberItem]; ok && a.Value != opts.Chamber {
			bad(chamberItem, "%q contradicts the chamber %s the file is imported for", describe(a), opts.Chamber)
		}
		answers[chamberItem] = dialogs.Answer{Value: opts.Chamber, Fixed: true}
	}
	// A wrong answer to a routing question would make every answer after
	// it look off the path: the path is only checked once the values are right.
	if len(probs) > 0 {
		return store.ImportedResponse{}, probs
	}
	final, offPath, missing := walkPath(q, answers)
	for _, it := range q.Items() {
		if offPath[it.ID] {
			bad(it.ID, "%q: the row's other answers do not lead to this question (asked only if %s)", describe(answers[it.ID]), askedWhen(it))
		}
	}
	if missing != nil {
		bad(missing.ID, "answer missing (write na for \"prefer not to say\")")
	}
	if len(probs) > 0 {
		return store.ImportedResponse{}, probs
	}
	return store.ImportedResponse{
		Questionnaire: q.Ref(), Lang: dialogs.German, Week: week, Answers: final,
		Scores: dialogs.Score(q, final), Dims: indicators.DimsOf(q, final),
	}, nil
}

// walkPath follows the row's answers through the questionnaire as the
// dialog would: answers the path skips are offPath, optional items on the
// path without an answer count as skipped, and missing is the first
// required item on the path without an answer.
func walkPath(q *dialogs.Questionnaire, answers map[string]dialogs.Answer) (map[string]dialogs.Answer, map[string]bool, *dialogs.Item) {
	work := make(map[string]dialogs.Answer, len(answers))
	for k, v := range answers {
		work[k] = v
	}
	for {
		st := dialogs.Restore(q, dialogs.German, dialogs.PhaseAsking, work)
		offPath := map[string]bool{}
		for id := range answers {
			if _, kept := st.Answers[id]; !kept {
				offPath[id] = true
			}
		}
		if st.Phase == dialogs.PhaseDone {
			return st.Answers, offPath, nil
		}
		it, _ := q.Item(st.Current)
		if !it.Optional {
			return st.Answers, offPath, it
		}
		work[it.ID] = dialogs.Answer{Skipped: true}
	}
}

// parseCell checks one cell; the message says what the item accepts.
func parseCell(it *dialogs.Item, v string) (dialogs.Answer, string) {
	orig := v
	invalid := func() string { return fmt.Sprintf("%q is not a valid answer (%s)", orig, acceptedValues(it)) }
	if strings.EqualFold(v, dialogs.CodeNA) {
		return dialogs.Answer{NA: true}, ""
	}
	switch it.Type {
	case dialogs.Single, dialogs.YesNo:
		v = strings.ToLower(v) // codes are lower case; a tool may have capitalised them
	case dialogs.Multi:
		codes := strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return r == '|' || r == ',' })
		for i := range codes {
			codes[i] = strings.TrimSpace(codes[i])
			if !slices.Contains(it.Codes(), codes[i]) {
				return dialogs.Answer{}, invalid()
			}
		}
		slices.Sort(codes)
		codes = slices.Compact(codes)
		for _, o := range it.Options {
			if o.Exclusive && len(codes) > 1 && slices.Contains(codes, o.Code) {
				return dialogs.Answer{}, fmt.Sprintf("%q excludes the other answers (%s)", o.Code, v)
			}
		}
		v = strings.Join(codes, ",")
	case dialogs.FreeText:
		v = unneutralise(v)
	case dialogs.Integer:
		// Spreadsheets may write whole numbers as "12,0" or "12.0".
		if f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64); err == nil && f == float64(int64(f)) && !strings.Contains(v, ".") {
			v = strconv.FormatInt(int64(f), 10)
		}
	}
	a, ok := dialogs.ParseValue(it, v)
	if !ok {
		return dialogs.Answer{}, invalid()
	}
	return a, ""
}

func describe(a dialogs.Answer) string {
	if a.NA {
		return dialogs.CodeNA
	}
	return strings.ReplaceAll(a.Value, ",", "|")
}

var weekPattern = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// checkWeek accepts an ISO week such as "2026-W48" that has begun by now.
func checkWeek(v string, now time.Time) string {
	m := weekPattern.FindStringSubmatch(v)
	if m == nil {
		return fmt.Sprintf("%q is not a calendar week (YYYY-Www, such as 2026-W48)", v)
	}
	y, _ := strconv.Atoi(m[1])
	w, _ := strconv.Atoi(m[2])
	// The Monday of week w: week 1 holds 4 January.
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(w-1))
	if w < 1 || survey.ISOWeek(monday) != v {
		return fmt.Sprintf("%q: the year %d has no week %d", v, y, w)
	}
	if monday.After(now) {
		return fmt.Sprintf("%q is in the future", v)
	}
	return ""
}
