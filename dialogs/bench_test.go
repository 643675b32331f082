package dialogs

import "testing"

// BenchmarkStep drives whole dialogs: consent, then the business persona's
// 29 questions (buttons and typed text mixed) to the summary.
func BenchmarkStep(b *testing.B) {
	q := coreQ(b)
	b.ReportAllocs()
	steps := 0
	for b.Loop() {
		st, _, err := Start(q, German, nil)
		if err != nil {
			b.Fatal(err)
		}
		st, _, err = Step(q, st, Input{Choice: CodeYes})
		steps++
		for _, s := range businessPersona {
			if err != nil {
				break
			}
			st, _, err = Step(q, st, s.in)
			steps++
		}
		if err != nil || st.Phase != PhaseDone {
			b.Fatalf("dialog ended in %s: %v", st.Phase, err)
		}
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}
