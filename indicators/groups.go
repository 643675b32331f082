package indicators

import (
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// DimsOf returns the screening answers a completed response is counted
// under: chamber, sector and size band as answered, and the region, the
// district (its AGS key) of the postcode. "keine Angabe", and a postcode
// outside the survey's area, count under none.
func DimsOf(q *dialogs.Questionnaire, answers map[string]dialogs.Answer) map[survey.Dimension]string {
	out := map[survey.Dimension]string{}
	for _, d := range []survey.Dimension{survey.ByChamber, survey.BySector, survey.BySize} {
		if a, ok := answers[string(d)]; ok && a.Given() {
			out[d] = a.Value
		}
	}
	if a, ok := answers["postcode"]; ok && a.Given() {
		if d, in := q.District(a.Value); in {
			out[survey.ByRegion] = d.AGS
		}
	}
	return out
}
