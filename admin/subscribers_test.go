package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/admin"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
)

// TestDigestSubscriberTargetsAreChecked adds digest subscribers: a target
// the digest could never be delivered to is refused with a message about
// the target and not stored; a usable one is added.
func TestDigestSubscriberTargetsAreChecked(t *testing.T) {
	db := storetest.SQLite(t)
	op, err := db.CreateOperatorKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	admin.New(admin.Config{DB: db, Questionnaire: dialogstest.Core(t), Log: testrig.Discard()}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	api := adminClient{t: t, url: srv.URL, key: op}

	for _, tc := range []struct {
		kind, target string
		want         int
	}{
		{"telegram", "abc", http.StatusBadRequest},
		{"telegram", "", http.StatusBadRequest},
		{"telegram", "12 34", http.StatusBadRequest},
		{"telegram", "+123456789", http.StatusBadRequest},
		{"telegram", "0", http.StatusBadRequest},
		{"telegram", "99999999999999999999", http.StatusBadRequest},
		{"telegram", "123456789", http.StatusCreated},
		{"telegram", "-1001234567890", http.StatusCreated},
		{"email", "rat", http.StatusBadRequest},
		{"email", "rat@", http.StatusBadRequest},
		{"email", "rat@example.org", http.StatusCreated},
		{"slack", "", http.StatusBadRequest},
		{"slack", "#digest", http.StatusBadRequest},
		{"slack", "c0123abcde", http.StatusBadRequest},
		{"slack", "X0123ABCDE", http.StatusBadRequest},
		{"slack", "C0123ABCDE", http.StatusCreated},
		{"slack", "G0123ABCDE", http.StatusCreated},
		{"slack", "U0123ABCDE", http.StatusCreated},
	} {
		body, _ := json.Marshal(map[string]string{"kind": tc.kind, "target": tc.target})
		code, got := api.do("POST", "/api/v1/digest/subscribers", "application/json", string(body))
		var e struct{ Error, Field string }
		_ = json.Unmarshal([]byte(got), &e)
		if code != tc.want {
			t.Errorf("%s %q: %d %s, want %d", tc.kind, tc.target, code, got, tc.want)
		}
		if tc.want == http.StatusBadRequest && (!strings.Contains(e.Error, "target") || e.Field != "target") {
			t.Errorf("%s %q: error %+v, want it to name the field target", tc.kind, tc.target, e)
		}
	}
	var list struct {
		Subscribers []map[string]string `json:"subscribers"`
	}
	api.json("GET", "/api/v1/digest/subscribers", "", "", http.StatusOK, &list)
	got := fmt.Sprint(list.Subscribers)
	if len(list.Subscribers) != 6 || strings.Contains(got, "abc") || strings.Contains(got, "#digest") {
		t.Errorf("subscribers = %s, want only the 6 usable ones", got)
	}
}
