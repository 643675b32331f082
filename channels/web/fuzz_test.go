package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/channels/web"
	"github.com/surveybot/surveybot/survey"
)

// fuzzBoundary separates the parts of a multipart body in FuzzAnswerForm.
const fuzzBoundary = "fuzzboundary"

// FuzzAnswerForm posts arbitrary form fields to the answer form of a
// valid personal link, with the page's CSRF token first, so that the
// fields reach the dialog; with multipart the fields are parts of a
// multipart/form-data body. No input may make a server error.
func FuzzAnswerForm(f *testing.F) {
	for _, seed := range []string{
		"item=%40consent&choice=yes",
		"item=%40consent&choice=no",
		"item=chamber&choice=hwk_h",
		"item=mat_tech&choices=cloud&choices=erp",
		"item=mat_tech&choices=none&choices=cloud",
		"item=postcode&text=30159",
		"item=employees&text=%00%01%7F",
		"item=size&cmd=back",
		"cmd=language&lang=en",
		"cmd=restart",
		"cmd=%2Fdelete",
		"item=&choice=",
		"item=postcode&text=" + strings.Repeat("3", 300),
		"%zz=1",
		"a=1;b=2",
	} {
		f.Add(seed, false)
	}
	f.Add("--"+fuzzBoundary+"\r\nContent-Disposition: form-data; name=\"item\"\r\n\r\n@consent\r\n--"+fuzzBoundary+
		"\r\nContent-Disposition: form-data; name=\"choice\"\r\n\r\nyes\r\n--"+fuzzBoundary+"--\r\n", true)
	f.Add("--"+fuzzBoundary+"\r\nContent-Disposition: form-data; name=\"text\"; filename=\"a.txt\"\r\n\r\nx\r\n--"+fuzzBoundary+"--\r\n", true)
	f.Add("--"+fuzzBoundary, true)

	r := newRig(f, nil, web.Config{})
	_, token := r.invite(survey.NewInvitation{})
	csrf := r.get("/s/"+token).form(f, "answer").controls("hidden")[0].attr("value")
	f.Fuzz(func(t *testing.T, fields string, multipart bool) {
		body, contentType := "csrf="+csrf+"&"+fields, "application/x-www-form-urlencoded"
		if multipart {
			body = "--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n" + fields
			contentType = "multipart/form-data; boundary=" + fuzzBoundary
		}
		req := httptest.NewRequest(http.MethodPost, "/s/"+token, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		r.mux.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("answered %d for %q (multipart %v)", rec.Code, fields, multipart)
		}
	})
}
