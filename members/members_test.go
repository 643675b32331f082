package members_test

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"

	"github.com/surveybot/surveybot/members"
	"github.com/surveybot/surveybot/survey"
)

// excel writes rows as Excel saves a CSV: sep between values, CRLF line
// ends, and with bom the UTF-8 byte order mark of "CSV UTF-8".
func excel(t *testing.T, sep rune, crlf, bom bool, rows [][]string) string {
	t.Helper()
	var b bytes.Buffer
	if bom {
		b.WriteString("\ufeff")
	}
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = sep, crlf
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func parse(t *testing.T, file string) ([]members.Row, []members.RowError) {
	t.Helper()
	rows, bad, err := members.Parse(strings.NewReader(file))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for i := range rows {
		if len(rows[i].Fields) == 0 {
			t.Fatalf("row on line %d does not say which columns the file has", rows[i].Line)
		}
		rows[i].Fields = nil // the tests below compare members; TestMembersFields the columns
	}
	return rows, bad
}

// TestMembersFields: each row names the member fields the file has
// columns for, so a re-import leaves the others as they are.
func TestMembersFields(t *testing.T) {
	rows, _, err := members.Parse(strings.NewReader("E-Mail;Firma;Sprache\na@example.org;A;en\n"))
	if err != nil || len(rows) != 1 {
		t.Fatalf("Parse = %v, %v", rows, err)
	}
	if got := rows[0].Fields; !reflect.DeepEqual(got, []string{"email", "company", "lang"}) {
		t.Errorf("fields %v, want email, company, lang", got)
	}
}

func TestMembersFormats(t *testing.T) {
	german := []string{"Mitgliedsnummer", "Firma", "Ansprechpartner", "E-Mail", "Telegram", "Slack", "Branche", "Größe", "PLZ", "Sprache", "Einwilligung"}
	english := []string{"Member No.", "Company", "Contact name", "Email", "telegram", "Slack ID", "Sector", "Size band", "Postcode", "Language", "Consent"}
	data := [][]string{
		{"101", "Tischlerei Alt", "Anna Alt", "Alt@Example.org", "nein", "", "handwerk", "1-9", "30159", "de", "ja"},
		{"102", "Elektro Berg", "", "", "ja", "U0BERG0001", "", "", "", "Englisch", "x"},
		{"", "Müller; Söhne GmbH", "Jörg \"Jo\" Müller", "mueller@example.org", "", "", "", "", "Region Hannover", "", "nein"},
	}
	want := []members.Row{
		{Line: 2, Member: survey.Member{MemberNo: "101", Company: "Tischlerei Alt", ContactName: "Anna Alt", Email: "alt@example.org",
			Sector: "handwerk", SizeBand: "s1_9", District: "30159", Lang: "de", Consent: true}},
		{Line: 3, Member: survey.Member{MemberNo: "102", Company: "Elektro Berg", Telegram: true, Slack: "U0BERG0001", Lang: "en", Consent: true}},
		{Line: 4, Member: survey.Member{Company: "Müller; Söhne GmbH", ContactName: "Jörg \"Jo\" Müller", Email: "mueller@example.org",
			District: "Region Hannover", Lang: "de"}},
	}
	for _, tc := range []struct {
		name   string
		header []string
		sep    rune
		crlf   bool
		bom    bool
	}{
		{"German Excel: semicolons, CRLF, BOM", german, ';', true, true},
		{"semicolons, CRLF, no BOM", german, ';', true, false},
		{"semicolons, LF", german, ';', false, false},
		{"English, commas, CRLF, BOM", english, ',', true, true},
		{"English, commas, LF", english, ',', false, false},
		{"German, commas, BOM, LF", german, ',', false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := excel(t, tc.sep, tc.crlf, tc.bom, append([][]string{tc.header}, data...))
			rows, bad := parse(t, file)
			if len(bad) > 0 {
				t.Fatalf("bad rows %v", bad)
			}
			if !reflect.DeepEqual(rows, want) {
				t.Errorf("rows\n%+v\nwant\n%+v", rows, want)
			}
		})
	}
}

// TestMembersBadRows puts every kind of bad row in one file between good
// ones and checks each is reported with its line and reason, and the good
// rows are kept.
func TestMembersBadRows(t *testing.T) {
	const header = "Mitgliedsnummer;Firma;E-Mail;Telegram;Slack;PLZ;Sprache;Einwilligung"
	lines := []struct {
		row    string
		reason string // "" for a good row
	}{
		{"1;Tischlerei Alt;alt@example.org;nein;;30159;de;ja", ""},
		{"2;Elektro Berg;berg(at)example.org;;;;;ja", `"berg(at)example.org" is not an e-mail address`},
		{"3;Elektro Berg;berg@localhost;;;;;ja", `"berg@localhost" is not an e-mail address`},
		{"4;;ohnefirma@example.org;;;;;ja", "the company (Firma) is empty"},
		{"5;Bäckerei Celle;;nein;;;;ja", "no way to reach the member"},
		{"5a;Bäckerei Celle;;ja;;;;ja", "Telegram alone cannot reach a member"},
		{"6;Dachdecker Dorn;dorn@example.org;;;;;vielleicht", `consent is "vielleicht"; write ja or nein`},
		{"7;Elektro Eck;eck@example.org;manchmal;;;;ja", `Telegram is "manchmal"; write ja or nein`},
		{"8;Fliesen Fuchs;ALT@example.org;;;;;ja", "e-mail address alt@example.org is already on line 2"},
		{"1;Glaserei Gans;gans@example.org;;;;;ja", "member number 1 is already on line 2"},
		{"10;Holzbau Hahn;hahn@example.org;;;;;ja;zu viel", "9 values but the header has 8 columns"},
		{"11;Imker \xe4rmel;imker@example.org;;;;;ja", "not UTF-8 text"},
		{"12;Juwelier Jung;jung@example.org;;;3015;;ja", `postcode "3015" does not have five digits`},
		{"13;Kfz Koch;koch@example.org;;;;fr;ja", `language "fr"; write de or en`},
		{"14;Lackiererei Lamm;;;slack-user;;;ja", `Slack is "slack-user"`},
		{"15;Maler " + strings.Repeat("M", 200) + ";maler@example.org;;;;;ja", "company is longer than 200 characters"},
		{"16;Nähstube Nord;nord@example.org;ja;;;;ja", ""},
		{"17;Optik Ost;ost@example.org;;;;;ja", ""},
	}
	for _, eol := range []string{"\n", "\r\n"} {
		var b strings.Builder
		b.WriteString(header + eol)
		for _, l := range lines {
			b.WriteString(l.row + eol)
		}
		rows, bad := parse(t, b.String())
		var wantBad []members.RowError
		var wantGood []int
		for i, l := range lines {
			if l.reason == "" {
				wantGood = append(wantGood, i+2)
			} else {
				wantBad = append(wantBad, members.RowError{Line: i + 2, Reason: l.reason})
			}
		}
		if len(bad) != len(wantBad) {
			t.Errorf("%q: %d bad rows, want %d:\n%v", eol, len(bad), len(wantBad), bad)
		}
		for i := range min(len(bad), len(wantBad)) {
			if bad[i].Line != wantBad[i].Line || !strings.Contains(bad[i].Reason, wantBad[i].Reason) {
				t.Errorf("%q: bad row %v, want line %d with %q", eol, bad[i], wantBad[i].Line, wantBad[i].Reason)
			}
		}
		var good []int
		for _, r := range rows {
			good = append(good, r.Line)
		}
		if !reflect.DeepEqual(good, wantGood) {
			t.Errorf("%q: good rows on lines %v, want %v", eol, good, wantGood)
		}
	}
}

// TestMembersLinesAfterQuotedLineBreak checks that a value spanning two
// lines is refused and later rows keep their line numbers in the file.
func TestMembersLinesAfterQuotedLineBreak(t *testing.T) {
	file := "Firma;Ansprechpartner;E-Mail\r\n" +
		"\"Alt; Söhne\";\"Anna\r\nAlt\";alt@example.org\r\n" +
		"\"Berg \"\"Strom\"\" GmbH\";;berg@example.org\r\n" +
		";;\r\n" + // an empty row, as Excel leaves below a table
		"Celle;;celle@example.org\r\n"
	rows, bad := parse(t, file)
	if len(bad) != 1 || bad[0].Line != 2 || !strings.Contains(bad[0].Reason, "line break") {
		t.Errorf("bad rows %v, want line 2 with a line break", bad)
	}
	if len(rows) != 2 || rows[0].Line != 4 || rows[0].Member.Company != `Berg "Strom" GmbH` || rows[1].Line != 6 {
		t.Errorf("rows %+v, want Berg on line 4 and Celle on line 6", rows)
	}
}

// TestMembersBareQuote checks a quote inside an unquoted value: that row is
// reported, and so are the rows after it, which cannot be told apart.
func TestMembersBareQuote(t *testing.T) {
	file := "E-Mail;Firma\na@example.org;A\nb@example.org;B \"Holz\" GmbH\nc@example.org;C\n"
	rows, bad := parse(t, file)
	if len(rows) != 1 || rows[0].Line != 2 {
		t.Errorf("rows %+v, want line 2 only", rows)
	}
	if len(bad) == 0 || bad[0].Line != 3 {
		t.Fatalf("bad rows %v, want line 3 first", bad)
	}
	// Line 4 cannot be told apart from line 3's broken value: it is not
	// imported, and the report says so, so --skip-bad loses nothing silently.
	if len(bad) != 1 || !strings.Contains(bad[0].Reason, "rest of the file") {
		t.Errorf("bad rows %v, want line 3 saying the rest of the file was not read", bad)
	}
}

// TestMembersQuoteInFirstColumn checks a quote error in a row's first value.
func TestMembersQuoteInFirstColumn(t *testing.T) {
	for _, file := range []string{
		"Firma;E-Mail\nMüller \"Holz\" GmbH;m@example.org\n",
		"Firma;E-Mail\n\"Müller\" Holz;m@example.org\n",
	} {
		_, bad := parse(t, file)
		if len(bad) != 1 || bad[0].Line != 2 {
			t.Errorf("%q: bad rows %v, want line 2", file, bad)
		}
	}
}

func TestMembersNotAMemberList(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"empty", "", "empty"},
		{"only a BOM", "\ufeff", "empty"},
		{"unknown column", "Firma;E-Mail;Umsatz\nA;a@example.org;1\n", `unknown column "Umsatz"`},
		{"no company column", "Name;E-Mail\nAnna;a@example.org\n", "Firma"},
		{"no column to reach members by", "Firma;Branche\nA;handwerk\n", "no column to reach"},
		{"a column twice", "Firma;E-Mail;Mail\nA;a@example.org;b@example.org\n", "twice"},
		{"another program's export", "Kundennr,Name1,Strasse\n1,A,B\n", "unknown column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := members.Parse(strings.NewReader(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one with %q", err, tc.want)
			}
		})
	}
}

// TestMembersRoundTrip is a property over tables of members: a file written
// from good members, in any of the formats Excel writes, reads back as
// the same members on the same lines.
func TestMembersRoundTrip(t *testing.T) {
	header := strings.Split(members.Header, ";")
	cells := func(m survey.Member) []string {
		yes := map[bool]string{true: "ja", false: "nein"}
		return []string{m.MemberNo, m.Company, m.ContactName, m.Email, yes[m.Telegram], m.Slack, m.Sector, m.SizeBand,
			m.District, m.Lang, yes[m.Consent]}
	}
	tables := map[string][]survey.Member{
		"one by e-mail": {{Company: "A", Email: "a@example.org", Lang: "de"}},
		"every field": {{MemberNo: "0042", Company: "Tischlerei Alt & Söhne", ContactName: "Anna Alt", Email: "anna.alt+umfrage@alt-holz.example.de",
			Telegram: true, Slack: "U0ALT00001", Sector: "handwerk", SizeBand: "s10_49", District: "30159", Lang: "en", Consent: true}},
		"separators and quotes in values": {
			{Company: `Müller; Söhne, "Holz"`, ContactName: "O'Neil, Jörg", Email: "m@example.org", Lang: "de", Consent: true},
			{Company: "Ärzte-Zentrum Süd", Slack: "berg@example.org", District: "Landkreis Göttingen", Lang: "de"},
		},
		"Telegram and Slack": {
			{MemberNo: "1", Company: "T", Telegram: true, Slack: "U0TELEGRAM1", Lang: "de"},
			{MemberNo: "2", Company: "S", Slack: "W0WORKSPACE1", Lang: "en", Consent: true},
		},
		"longest values": {{Company: strings.Repeat("ß", 200), ContactName: strings.Repeat("x", 200), Email: "l@example.org", Lang: "de"}},
		"many": func() []survey.Member {
			var ms []survey.Member
			for i := range 300 {
				no := string(rune('a'+i%26)) + strings.Repeat("0", i/26)
				ms = append(ms, survey.Member{MemberNo: no, Company: "Firma " + no, Email: no + "@example.org", Lang: "de", Consent: i%3 == 0, Telegram: i%2 == 0})
			}
			return ms
		}(),
	}
	formats := []struct {
		sep       rune
		crlf, bom bool
	}{{';', true, true}, {';', false, false}, {',', true, false}, {',', false, true}}
	for name, ms := range tables {
		for _, f := range formats {
			recs := [][]string{header}
			for _, m := range ms {
				recs = append(recs, cells(m))
			}
			rows, bad := parse(t, excel(t, f.sep, f.crlf, f.bom, recs))
			if len(bad) > 0 {
				t.Errorf("%s %+v: bad rows %v", name, f, bad)
				continue
			}
			if len(rows) != len(ms) {
				t.Errorf("%s %+v: %d rows, want %d", name, f, len(rows), len(ms))
				continue
			}
			for i, r := range rows {
				if r.Line != i+2 || r.Member != ms[i] {
					t.Errorf("%s %+v: line %d = %+v, want line %d = %+v", name, f, r.Line, r.Member, i+2, ms[i])
				}
			}
		}
	}
}

// TestMembersEveryProblem checks that a row is reported with each of its
// problems, each with its line and the column as the file names it: values
// that are not the questionnaire's sector and size codes or labels, and
// rows with fewer or more values than the header has columns.
func TestMembersEveryProblem(t *testing.T) {
	file := members.Header + "\n" +
		"1;Tischlerei Alt;;alt@example.org;nein;;Handwerk;1–9 Beschäftigte;30159;de;ja\n" +
		"2;Bau Berg;;berg@example.org;nein;;Bau;viele;30159;fr;ja\n" +
		"3;Celle;;celle@example.org\n" +
		"4;Dorn;;dorn@example.org;nein;;CRAFTS;S10_49;30159;en;ja;zu viel\n" +
		"5;Eck;;eck@example.org;nein;;dienstleistung;250 or more employees;;;ja\n"
	rows, bad := parse(t, file)
	want := []members.RowError{
		{Line: 3, Column: "Branche", Reason: `sector "Bau" is not one of the questionnaire's`},
		{Line: 3, Column: "Größe", Reason: `size "viele" is not one of the questionnaire's bands`},
		{Line: 3, Column: "Sprache", Reason: `language "fr"`},
		{Line: 4, Reason: "4 values but the header has 11 columns"},
		{Line: 5, Reason: "12 values but the header has 11 columns"},
	}
	if len(bad) != len(want) {
		t.Fatalf("bad rows\n%v\nwant\n%v", bad, want)
	}
	for i, w := range want {
		if bad[i].Line != w.Line || bad[i].Column != w.Column || !strings.Contains(bad[i].Reason, w.Reason) {
			t.Errorf("problem %d: %+v, want %+v", i, bad[i], w)
		}
	}
	if got := bad[0].Error(); !strings.HasPrefix(got, "line 3, column Branche: ") || !strings.Contains(got, "handwerk (Handwerk)") {
		t.Errorf("message %q, want the line, the column and the codes", got)
	}
	if len(rows) != 2 || rows[0].Member.Sector != "handwerk" || rows[0].Member.SizeBand != "s1_9" ||
		rows[1].Member.Sector != "dienstleistung" || rows[1].Member.SizeBand != "s250" {
		t.Errorf("rows %+v, want lines 2 and 6 with the codes of their labels", rows)
	}
}

// TestMembersEnglishHeader reads a list with the common English column
// names, and checks that an unknown column's error names both sets.
func TestMembersEnglishHeader(t *testing.T) {
	for _, header := range []string{
		members.HeaderEnglish,
		"Member number;Company;Contact;E-mail;Telegram;Slack;Sector;Size;District;Language;Consent",
	} {
		rows, bad := parse(t, header+"\n7;Alt GmbH;Anna Alt;anna@alt.example;no;;Crafts;10-49;30159;en;yes\n")
		want := survey.Member{MemberNo: "7", Company: "Alt GmbH", ContactName: "Anna Alt", Email: "anna@alt.example",
			Sector: "handwerk", SizeBand: "s10_49", District: "30159", Lang: "en", Consent: true}
		if len(bad) > 0 || len(rows) != 1 || rows[0].Member != want {
			t.Errorf("%s: rows %+v, bad %v; want %+v", header, rows, bad, want)
		}
	}
	_, _, err := members.Parse(strings.NewReader("Firma;E-Mail;Umsatz\nA;a@example.org;1\n"))
	if err == nil || !strings.Contains(err.Error(), members.Header) || !strings.Contains(err.Error(), members.HeaderEnglish) {
		t.Errorf("err = %v, want both the German and the English columns named", err)
	}
}
