package indicators

import (
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// DimsOf returns the screening answers a completed response is counted
// under: chamber, sector and size band as answered, and the region, the
// first two digits of the postcode. "keine Angabe" counts under none.
func DimsOf(answers map[string]dialogs.Answer) map[survey.Dimension]string {
	out := map[survey.Dimension]string{}
	for _, d := range []survey.Dimension{survey.ByChamber, survey.BySector, survey.BySize} {
		if a, ok := answers[string(d)]; ok && a.Given() {
			out[d] = a.Value
		}
	}
	if a, ok := answers["postcode"]; ok && a.Given() && len(a.Value) >= 2 {
		out[survey.ByRegion] = a.Value[:2]
	}
	return out
}
