package dialogs

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a questionnaire file.
type Problem struct {
	File string
	Line int    // 0 if unknown
	Item string // item (or module) id, if any
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Item != "" {
		fmt.Fprintf(&b, "%s: ", p.Item)
	}
	b.WriteString(p.Msg)
	return b.String()
}

// InvalidError lists everything wrong with a questionnaire file.
type InvalidError struct {
	Problems []Problem
}

func (e *InvalidError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("questionnaire has %d problem(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// problems collects Problems for one file.
type problems struct {
	file string
	list []Problem
}

func (ps *problems) add(line int, item, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Item: item, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool { return ps.list[i].Line < ps.list[j].Line })
	return &InvalidError{Problems: ps.list}
}
