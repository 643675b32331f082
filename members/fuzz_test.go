package members_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/surveybot/surveybot/members"
)

// FuzzParse reads arbitrary files as member lists. Whatever the file, a
// row Parse accepts is one the store and the campaign runner can use: a
// company, a way to reach the member, clean UTF-8 values without line
// breaks or NUL, and a real line number; and a file it rejects yields no
// rows at all, so nothing half-read is imported.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		members.Header + "\n1;Tischlerei Alt;alt@example.org;nein;;Handwerk;1-9;30159;de;ja\n",
		"\ufeffFirma,E-Mail,Sprache\r\nA,a@example.org,en\r\nB,b@example.org,\r\n",
		"Firma;Slack;Telegram\nA;U0ABCDEF1;ja\nB;b@example.org;nein\nC;;ja\n",
		"Firma;E-Mail\n\"Müller \"\"Holz\"\" GmbH\";m@example.org\n\"A\nB\";x@example.org\n",
		"Firma;E-Mail\nA \"B\";a@example.org\nC;c@example.org\n",
		"Firma;E-Mail;PLZ\nA;A@Example.ORG;1234\nA;a@example.org;ABC\n",
		"Firma;E-Mail\nA;a@example.org;extra\n;\n",
		"Mitgliedsnummer;Firma;E-Mail\n7;A;a@example.org\n7;B;b@example.org\n",
		"Firma;Firma;E-Mail\n",
		"Branche\n",
		"",
		"Firma;E-Mail\nA\x00;a@example.org\n\xff;b@example.org\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, bad, err := members.Parse(strings.NewReader(string(data)))
		if err != nil {
			if rows != nil || bad != nil {
				t.Fatalf("Parse failed (%v) but returned %d rows and %d bad rows", err, len(rows), len(bad))
			}
			return
		}
		lines := map[int]bool{}
		for _, r := range rows {
			m := r.Member
			if r.Line < 2 || lines[r.Line] {
				t.Fatalf("row on line %d: a line before the first data line, or twice", r.Line)
			}
			lines[r.Line] = true
			if m.Company == "" || (m.Email == "" && m.Slack == "") {
				t.Fatalf("line %d: accepted without a company or a way to reach it: %+v", r.Line, m)
			}
			if m.Lang != "de" && m.Lang != "en" {
				t.Fatalf("line %d: language %q", r.Line, m.Lang)
			}
			if m.Email != strings.ToLower(m.Email) {
				t.Fatalf("line %d: e-mail address %q not lower-cased", r.Line, m.Email)
			}
			for _, v := range []string{m.MemberNo, m.Company, m.ContactName, m.Email, m.Slack, m.Sector, m.SizeBand, m.District} {
				if !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\r\n") || utf8.RuneCountInString(v) > 200 || v != strings.TrimSpace(v) {
					t.Fatalf("line %d: value %q accepted", r.Line, v)
				}
			}
		}
		for _, b := range bad {
			if b.Line < 1 || b.Reason == "" || lines[b.Line] {
				t.Fatalf("bad row %+v: no line, no reason, or also a good row", b)
			}
		}
	})
}
