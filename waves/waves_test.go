package waves_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/waves"
)

func TestAdd(t *testing.T) {
	ctx := context.Background()
	q := dialogstest.Core(t)
	db := storetest.Memory(t).DB
	now := time.Date(2027, 2, 10, 12, 0, 0, 0, time.UTC)
	w, err := waves.Add(ctx, db, q, waves.Spec{Name: "2027-1", Start: "2027-03-01", End: "2027-04-30"}, now)
	if err != nil {
		t.Fatal(err)
	}
	// Days are Berlin days: 1 March starts at 23:00 UTC the day before; the
	// end day is whole.
	if want := time.Date(2027, 2, 28, 23, 0, 0, 0, time.UTC); !w.StartsAt.Equal(want) {
		t.Errorf("start %s, want %s", w.StartsAt, want)
	}
	if want := time.Date(2027, 4, 30, 22, 0, 0, 0, time.UTC); !w.EndsAt.Equal(want) {
		t.Errorf("end %s, want %s (the end of 30 April in summer time)", w.EndsAt, want)
	}
	if w.Questionnaire != q.Ref() {
		t.Errorf("questionnaire %s, want %s", w.Questionnaire, q.Ref())
	}
	for _, tc := range []struct {
		spec  waves.Spec
		field string
	}{
		{waves.Spec{Name: "", Start: "2027-09-01", End: "2027-10-01"}, "name"},
		{waves.Spec{Name: "a b", Start: "2027-09-01", End: "2027-10-01"}, "name"},
		{waves.Spec{Name: "2027-1", Start: "2027-09-01", End: "2027-10-01"}, "name"},
		{waves.Spec{Name: "2027-2", Start: "1.9.2027", End: "2027-10-01"}, "start"},
		{waves.Spec{Name: "2027-2", Start: "2027-09-01", End: ""}, "end"},
		{waves.Spec{Name: "2027-2", Start: "2027-09-01", End: "2027-08-01"}, "end"},
		{waves.Spec{Name: "2027-2", Start: "2027-01-01", End: "2027-10-01"}, "start"}, // in the past
		{waves.Spec{Name: "2027-2", Start: "2027-02-20", End: "2027-10-01"}, "start"}, // before 2027-1
		{waves.Spec{Name: "2027-2", Start: "2027-09-01", End: "2027-10-01", Questionnaire: "core@99"}, "questionnaire"},
	} {
		_, err := waves.Add(ctx, db, q, tc.spec, now)
		var bad *waves.Invalid
		if !errors.As(err, &bad) || bad.Field != tc.field || !errors.Is(err, waves.ErrInvalid) {
			t.Errorf("Add(%+v) = %v, want a refusal of %s", tc.spec, err, tc.field)
		}
	}
	if list, err := db.Waves(ctx); err != nil || len(list) != 1 {
		t.Errorf("after the refusals: %d waves (%v), want 1", len(list), err)
	}
}
