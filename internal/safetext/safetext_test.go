package safetext_test

import (
	"errors"
	"testing"

	"github.com/surveybot/surveybot/internal/safetext"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		in     string
		offset int // -1: accepted
		reason string
	}{
		{"Glasfaser bitte", -1, ""},
		{"Zeile 1\nZeile 2\r\n\tEinzug", -1, ""},
		{"Größe: 10–49 €, 日本, 🙂", -1, ""},
		{"", -1, ""},
		{"Glasfaser\x00bitte", 9, "control character"},
		{"\x07", 0, "control character"},
		{"a\x7f", 1, "control character"},
		{"a\u0085b", 1, "control character"}, // C1 "next line"
		{"ab\xffcd", 2, "invalid UTF-8"},
		{"\xed\xa0\x80", 0, "invalid UTF-8"}, // a lone surrogate encoded as UTF-8
		{"x\uFFFDy", 1, "replacement character"},
		{"\uFFFF", 0, "noncharacter"},
	}
	for _, tc := range tests {
		err := safetext.Check(tc.in)
		if tc.offset < 0 {
			if err != nil {
				t.Errorf("Check(%q) = %v, want accepted", tc.in, err)
			}
			continue
		}
		var e *safetext.Error
		if !errors.As(err, &e) || e.Offset != tc.offset || e.Reason != tc.reason {
			t.Errorf("Check(%q) = %v, want %s at byte %d", tc.in, err, tc.reason, tc.offset)
		}
	}
}
