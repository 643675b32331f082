package jsonapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/internal/jsonapi"
)

type message struct {
	De string `json:"de"`
	En string `json:"en,omitempty"`
}

type spec struct {
	Name    string            `json:"name"`
	Message message           `json:"message"`
	Tags    []string          `json:"tags"`
	Extra   map[string]string `json:"extra"`
}

// TestRead: a body with a string SQL cannot store is a 400 naming the
// field, whatever the field's depth; a good body is decoded.
func TestRead(t *testing.T) {
	tests := []struct {
		body   string
		status int
		field  string
	}{
		{`{"name":"Herbst","message":{"de":"Hallo"}}`, 0, ""},
		{`{"name":"Glasfaser\u0000bitte"}`, 400, "name"},
		{`{"message":{"de":"a\u0007b"}}`, 400, "message.de"},
		{`{"tags":["ok","\ud800"]}`, 400, "tags[1]"},
		{"{\"name\":\"ab\xffcd\"}", 400, "name"},
		{`{"extra":{"k":"\u001b[31m"}}`, 400, "extra.k"},
		{`{"unknown":1}`, 400, ""},
		{`{"name":"a"} {"name":"b"}`, 400, ""},
		{`{"name":"` + strings.Repeat("x", 300) + `"}`, 413, ""},
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
		var v spec
		ok := jsonapi.Read(rec, req, 256, &v, "the body must be a spec")
		if tc.status == 0 {
			if !ok || v.Name != "Herbst" || v.Message.De != "Hallo" {
				t.Errorf("%s: not read (%v, %+v, %s)", tc.body, ok, v, rec.Body)
			}
			continue
		}
		var out struct{ Error, Field string }
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		if ok || rec.Code != tc.status || out.Field != tc.field || out.Error == "" {
			t.Errorf("%.40s: %v %d %+v, want %d naming %q", tc.body, ok, rec.Code, out, tc.status, tc.field)
		}
	}
}

// TestReadURL: a NUL in the path or a parameter is a 400 naming it.
func TestReadURL(t *testing.T) {
	for target, field := range map[string]string{
		"/api/v1/campaigns/abc":            "",
		"/api/v1/campaigns/a%00b":          "path",
		"/api/v1/responses?chamber=hwk%00": "chamber",
		"/api/v1/responses?chamber=%FF":    "chamber",
	} {
		rec := httptest.NewRecorder()
		ok := jsonapi.ReadURL(rec, httptest.NewRequest(http.MethodGet, target, nil))
		var out struct{ Field string }
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		if ok != (field == "") || out.Field != field || (!ok && rec.Code != http.StatusBadRequest) {
			t.Errorf("%s: %v %d %q, want field %q", target, ok, rec.Code, out.Field, field)
		}
	}
}
