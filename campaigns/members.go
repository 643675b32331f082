package campaigns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/surveybot/surveybot/members"
	"github.com/surveybot/surveybot/survey"
)

// MembersImport is the outcome of a member list import.
type MembersImport struct {
	survey.ImportResult
	Skipped []members.RowError `json:"skipped,omitempty"` // bad rows left out (with skipBad)
}

// ErrBadRows is returned (wrapped in a *BadRowsError) when a member list
// has bad rows and they were not to be skipped: nothing was imported.
var ErrBadRows = errors.New("the member list has bad rows; nothing was imported")

// BadRowsError lists the bad rows of a member list.
type BadRowsError struct{ Rows []members.RowError }

func (e *BadRowsError) Error() string {
	lines := make([]string, len(e.Rows))
	for i, r := range e.Rows {
		lines[i] = r.Error()
	}
	return ErrBadRows.Error() + ":\n" + strings.Join(lines, "\n")
}

func (e *BadRowsError) Unwrap() error { return ErrBadRows }

// ImportMembers reads a chamber's member list (CSV) and adds or updates
// its members. A chamber's key imports into its own chamber; the operator
// names the chamber by its code. With bad rows nothing is imported unless
// skipBad, which imports the good rows and reports the bad. A file that is
// not a member list at all (no header, unknown columns) is an error too.
func (c *Service) ImportMembers(ctx context.Context, p survey.Principal, chamberCode string, r io.Reader, skipBad bool) (MembersImport, error) {
	ch, err := c.chamberFor(ctx, p, chamberCode)
	if err != nil {
		return MembersImport{}, err
	}
	rows, bad, err := members.Parse(r)
	if err != nil {
		return MembersImport{}, err
	}
	if len(bad) > 0 && !skipBad {
		return MembersImport{}, &BadRowsError{Rows: bad}
	}
	ms := make([]survey.Member, len(rows))
	var fields []string
	for i, row := range rows {
		ms[i], fields = row.Member, row.Fields
	}
	res, err := c.db.ImportMembers(ctx, ch.ID, ms, fields...)
	if err != nil {
		return MembersImport{}, err
	}
	return MembersImport{ImportResult: res, Skipped: bad}, nil
}

// Members lists a chamber's members.
func (c *Service) Members(ctx context.Context, p survey.Principal, chamberCode string) ([]survey.Member, error) {
	ch, err := c.chamberFor(ctx, p, chamberCode)
	if err != nil {
		return nil, err
	}
	return c.db.Members(ctx, ch.ID)
}

// ErrNoChamber is returned when the operator does not name a chamber that
// exists, or a chamber's key names another.
var ErrNoChamber = errors.New("no such chamber")

// chamberFor returns the chamber p acts for: its own, whatever code says
// (a different code is ErrNoChamber), or for the operator the chamber
// with that code.
func (c *Service) chamberFor(ctx context.Context, p survey.Principal, code string) (survey.Chamber, error) {
	if !p.Operator() {
		if code != "" && code != p.Chamber.Code {
			return survey.Chamber{}, ErrNoChamber
		}
		return *p.Chamber, nil
	}
	if code == "" {
		return survey.Chamber{}, fmt.Errorf("%w: name the chamber by its code", ErrNoChamber)
	}
	ch, err := c.db.ChamberByCode(ctx, code)
	if errors.Is(err, survey.ErrNotFound) {
		return survey.Chamber{}, fmt.Errorf("%w: %q (surveybot chamber add)", ErrNoChamber, code)
	}
	return ch, err
}
