package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/surveybot/surveybot/dialogs"
)

// checkCmd validates a questionnaire file and prints every problem, or a
// summary of a valid one.
func checkCmd(args []string, e env) error {
	if len(args) > 1 {
		return fmt.Errorf("%w: questionnaire check takes at most one file", errUsage)
	}
	file, data := dialogs.CoreFile, dialogs.CoreSource()
	if len(args) == 1 {
		file = args[0]
		var err error
		if data, err = os.ReadFile(file); err != nil {
			return fmt.Errorf("read questionnaire: %w", err)
		}
	}
	q, err := dialogs.Parse(file, data, dialogs.CoreResolver)
	var inv *dialogs.InvalidError
	if errors.As(err, &inv) {
		for _, p := range inv.Problems {
			fmt.Fprintln(e.stdout, p)
		}
		fmt.Fprintf(e.stdout, "%d problem(s) found\n", len(inv.Problems))
		return errFailed
	}
	if err != nil {
		return err
	}
	printSummary(e.stdout, file, q)
	return nil
}

func printSummary(w io.Writer, file string, q *dialogs.Questionnaire) {
	fmt.Fprintf(w, "%s: %s %q is valid\n", file, q.Ref(), q.Title.De)
	if q.Extends != nil {
		fmt.Fprintf(w, "extends the shared core %s\n", q.Core())
	}
	perField := map[string]int{}
	scored := 0
	for _, it := range q.Items() {
		if it.Score != nil {
			perField[it.Score.Field]++
			scored++
		}
	}
	fmt.Fprintf(w, "%d items in %d modules, %d of them scored\n\n", len(q.Items()), len(q.Modules), scored)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "module\titems\tscored")
	for _, m := range q.Modules {
		n := 0
		for _, it := range m.Items {
			if it.Score != nil {
				n++
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\n", m.ID, len(m.Items), n)
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "field\tscored items")
	for _, f := range q.Fields {
		fmt.Fprintf(tw, "%s\t%d\n", f.ID, perField[f.ID])
	}
	tw.Flush()

	all := q.Paths(nil)
	fmt.Fprintf(w, "\npath: shortest %d, longest %d questions\n", all.Shortest, all.Longest)
	for _, it := range q.RoutingItems() {
		for _, code := range it.Codes() {
			r := q.Paths(map[string]string{it.ID: code})
			fmt.Fprintf(w, "  %s = %s: %d to %d questions\n", it.ID, code, r.Shortest, r.Longest)
		}
	}
}
