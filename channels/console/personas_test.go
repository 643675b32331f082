package console_test

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/console"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// The personas answer the whole shared questionnaire as a respondent would
// type it. Expected scores are worked out by hand from core.yaml: a scale x
// of k scores (x-1)/(k-1)*100 (reversed: (k-x)/(k-1)*100), a multiple choice
// 100*points/max capped at 100, "keine Angabe" and skipped items are missing.
func TestPersonasThroughConsole(t *testing.T) {
	tests := []struct {
		name      string
		lang      dialogs.Lang
		input     []string
		fields    map[string]float64
		composite float64
		tech      *int
		wantOut   []string // lines the respondent must see
		notOut    []string // text they must never see
	}{
		{
			name: "craft business",
			lang: dialogs.German,
			input: []string{
				"ja",
				"1", "1", "1", "26121", "11", // business, Handwerk, 1–9, Oldenburg, HWK Oldenburg
				"2 fertig", "4", "ja", "überspringen", // consulting: chamber; useful 4/5; led to a project; plan skipped
				"2", "nein", "2 3", "fertig", "2 fertig", // projects: 1; none planned; production+sales; Digitalbonus
				"2 7 8 10 fertig", "3", "2", "3", "-", "2", "1", "4", // maturity: 4 technologies; grade 3; DMA items, people n/a
				"nein", "2", "3", "2", // broadband: not enough; 50–99; VDSL; satisfaction 2/5
				"2", "ja", "2", "1", // skills: 1 vacancy; lack is an obstacle; 1–24 % trained; no IT apprentices
			},
			fields: map[string]float64{
				"consulting":         (50 + 75 + 100) / 3.0,
				"projects":           (40 + 0 + 50) / 3.0,
				"maturity":           (100*4/12.0 + 60 + 25 + 50 + 25 + 0 + 75) / 7,
				"broadband_business": (0 + 25 + 50 + 25) / 4.0,
				"skills":             (67 + 0 + 25 + 0) / 4.0,
			},
			composite: ((50+75+100)/3.0 + (40+0+50)/3.0 + (100*4/12.0+60+25+50+25+0+75)/7 + (0+25+50+25)/4.0 + (67+0+25+0)/4.0) / 5,
			tech:      intPtr(4),
			wantOut:   []string{"Frage 1 von ca.", "Digitalberatung: 75", "Gesamtindex: 38", "Eingesetzte Technologien: 4 von 12"},
			notOut:    []string{"Lehrgänge", "Question"},
		},
		{
			name: "industrial firm, in English, going back to add a technology",
			lang: dialogs.English,
			input: []string{
				"yes",
				"1", "2", "3", "30159", "2", // business, manufacturing, 50–249, Hannover, IHK Hannover
				"3 4 done", "5", "yes", "yes", // consulting: MDZ and EDIH; useful 5/5; project; plans more
				"4", "yes", "2 3 4 5 6 done", "-", // projects: 4+; planned; five areas; funding n/a
				"2 3 4 5 7 9 10 11 12 done", "back", "13 done", // 9 technologies, then back to add robotics
				"2", "4", "4", "3", "4", "5", "3", // grade 2; DMA items
				"yes", "5", "1", "4", // broadband: enough; ≥1000; fibre; 4/5
				"3", "yes", "4", "3", // skills: 2–3 vacancies; lack is an obstacle; 50–74 %; 2+ apprentices
			},
			fields: map[string]float64{
				"consulting":         100,
				"projects":           100,
				"maturity":           (100*10/12.0 + 80 + 75 + 75 + 50 + 75 + 100 + 50) / 8,
				"broadband_business": (100 + 100 + 100 + 75) / 4.0,
				"skills":             (33 + 0 + 75 + 100) / 4.0,
			},
			composite: (100 + 100 + (100*10/12.0+80+75+75+50+75+100+50)/8 + (100+100+100+75)/4.0 + (33+0+75+100)/4.0) / 5,
			tech:      intPtr(10),
			wantOut:   []string{"Question 1 of about", "Your answer so far: E-invoicing, Cloud services", "Composite index: 84", "Technologies in use: 10 of 12"},
			notOut:    []string{"Frage", "Gesamtindex"},
		},
		{
			name: "education provider, after changing the organisation type",
			lang: dialogs.German,
			input: []string{
				"ja",
				"1", "1", "zurück", "zurück", "2", // first "business, Handwerk", then back to the organisation type: education
				"2", "31134", "10", // 10–49, Hildesheim, HWK Hildesheim-Südniedersachsen
				"3", "2", "2", "ja", "4", "2", // education: 5–9 courses; 50–199 participants; some online; platform; equipment 4/5; grade 2
				"3", "2", "4", "überspringen", // broadband: gigabit unknown; partial Wi-Fi; 1 device per 2; satisfaction skipped
				"1", "nein", "5", "3", // skills: no vacancies; no lack; 75–100 % trained; 10–49 IT graduates
			},
			fields: map[string]float64{
				"education":           (50 + 50 + 50 + 100 + 75 + 80) / 6.0,
				"broadband_education": (50 + 75) / 2.0,
				"skills":              (100 + 100 + 100 + 67) / 4.0,
			},
			composite: ((50+50+50+100+75+80)/6.0 + (50+75)/2.0 + (100+100+100+67)/4.0) / 3,
			wantOut:   []string{"(Ihre bisherige Antwort: Unternehmen / Betrieb)", "Bildungseinrichtungen: 68", "Gesamtindex: 74"},
			notOut:    []string{"Digitalberatung", "Technologien"},
		},
	}
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.SQLite(t)
			svc := bot.NewService(db, store.NewMemorySessions(time.Hour), slog.New(slog.DiscardHandler), q)
			conv := svc.Conversation(survey.Identity{Channel: "console", External: "persona"}, tc.lang)
			var out strings.Builder
			r, err := console.Run(context.Background(), conv, strings.NewReader(strings.Join(tc.input, "\n")+"\n"), &out)
			if err != nil {
				t.Fatal(err)
			}
			if r.Phase != dialogs.PhaseDone {
				t.Fatalf("dialog ended in phase %q, want done; output tail:\n%s", r.Phase, tail(out.String(), 1500))
			}
			if strings.Contains(out.String(), "> ! ") {
				t.Errorf("the scripted answers were rejected somewhere:\n%s", out.String())
			}
			ctx := context.Background()
			answers, err := db.Answers(ctx, r.ResponseID)
			if err != nil {
				t.Fatal(err)
			}
			got := dialogs.Score(q, answers)
			resp, err := db.Response(ctx, r.ResponseID)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := db.Scores(ctx, r.ResponseID)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != survey.StatusCompleted || resp.Composite == nil || math.Abs(*resp.Composite-tc.composite) > 1e-9 {
				t.Errorf("stored response: status %s composite %v, want completed with %v", resp.Status, resp.Composite, tc.composite)
			}
			for f, want := range tc.fields {
				if math.Abs(stored[f]-want) > 1e-9 {
					t.Errorf("stored score %s = %v, want %v", f, stored[f], want)
				}
			}
			if len(got.Fields) != len(tc.fields) {
				t.Errorf("fields scored = %v, want exactly %v", got.Fields, tc.fields)
			}
			for f, want := range tc.fields {
				if v, ok := got.Fields[f]; !ok || math.Abs(v-want) > 1e-9 {
					t.Errorf("field %s = %v (present %v), want %v", f, v, ok, want)
				}
			}
			if got.Composite == nil || math.Abs(*got.Composite-tc.composite) > 1e-9 {
				t.Errorf("composite = %v, want %v", got.Composite, tc.composite)
			}
			switch {
			case tc.tech == nil && got.TechCount != nil:
				t.Errorf("tech count = %d, want none", *got.TechCount)
			case tc.tech != nil && (got.TechCount == nil || *got.TechCount != *tc.tech):
				t.Errorf("tech count = %v, want %d", got.TechCount, *tc.tech)
			}
			for _, s := range tc.wantOut {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q", s)
				}
			}
			for _, s := range tc.notOut {
				if strings.Contains(out.String(), s) {
					t.Errorf("output contains %q", s)
				}
			}
		})
	}
}

func intPtr(n int) *int { return &n }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
