package loadtest

import (
	"math/rand/v2"
	"testing"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
)

func TestCompilePersona(t *testing.T) {
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	inputs := dialogstest.CraftBusiness().Inputs
	tg, err := Compile(q, kindTelegram, inputs)
	if err != nil {
		t.Fatal(err)
	}
	web, err := Compile(q, kindWeb, inputs)
	if err != nil {
		t.Fatal(err)
	}
	if len(web.Actions) != len(inputs) || len(tg.Actions) <= len(inputs) {
		t.Errorf("%d web and %d Telegram actions for %d inputs", len(web.Actions), len(tg.Actions), len(inputs))
	}
	if len(tg.Answers) != len(web.Answers) {
		t.Errorf("Telegram leaves %d answers, the web %d", len(tg.Answers), len(web.Answers))
	}
	for item, a := range web.Answers {
		if tg.Answers[item] != a {
			t.Errorf("answer %s: Telegram %+v, web %+v", item, tg.Answers[item], a)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	differ := 0
	for range 10 {
		v := Variant(q, inputs, rng)
		if _, err := Compile(q, kindTelegram, v); err != nil {
			t.Fatalf("variant %q: %v", v, err)
		}
		for i := range v {
			if v[i] != inputs[i] {
				differ++
				break
			}
		}
	}
	if differ < 5 {
		t.Errorf("only %d of 10 variants differ from the persona", differ)
	}
	t.Logf("%d telegram actions; answers %v", len(tg.Actions), tg.Answers)
}
