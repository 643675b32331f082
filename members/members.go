// Package members reads a chamber's member list from CSV as Excel and
// most member databases write it: separated by semicolons or commas, UTF-8
// with or without a byte order mark, a header row in German or English.
// Every row is checked, and every bad row is reported with its line number
// and reason.
package members

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/surveybot/surveybot/internal/safetext"
	"github.com/surveybot/surveybot/survey"
)

// RowError is one problem of a bad row: its line in the file, the column
// (as the header names it; empty for a problem of the whole row) and what
// is wrong. A row with several problems has several RowErrors.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// BadLines counts the rows the problems are on.
func BadLines(bad []RowError) int {
	lines := map[int]bool{}
	for _, b := range bad {
		lines[b.Line] = true
	}
	return len(lines)
}

// Row is a good row and its line.
type Row struct {
	Line   int
	Member survey.Member
	Fields []string // the member fields the file has columns for (survey.Member's db names)
}

// column returns the field a header names (lower-cased, without spaces,
// hyphens, underscores and dots), in German or English.
func column(key string) (string, bool) {
	switch key {
	case "mitgliedsnummer", "mitgliednr", "membernumber", "memberno", "nummer", "number", "no":
		return "member_no", true
	case "firma", "unternehmen", "company", "companyname", "betrieb":
		return "company", true
	case "ansprechpartner", "ansprechperson", "kontakt", "contactname", "contact", "name":
		return "contact_name", true
	case "email", "mail", "emailadresse", "emailaddress":
		return "email", true
	case "telegram":
		return "telegram", true
	case "slack", "slackid", "slackuser", "slackemail":
		return "slack", true
	case "branche", "sector", "gewerk":
		return "sector", true
	case "größe", "groesse", "betriebsgröße", "betriebsgroesse", "mitarbeiter", "size", "sizeband", "employees":
		return "size_band", true
	case "kreis", "landkreis", "district", "plz", "postleitzahl", "postcode", "zip":
		return "district", true
	case "sprache", "language", "lang":
		return "lang", true
	case "einwilligung", "kontakterlaubnis", "consent":
		return "consent", true
	}
	return "", false
}

// Header describes the columns Parse understands, for error messages and
// documentation.
const Header = "Mitgliedsnummer;Firma;Ansprechpartner;E-Mail;Telegram;Slack;Branche;Größe;Kreis;Sprache;Einwilligung"

// HeaderEnglish is Header in English, in the same order.
const HeaderEnglish = "Number;Company;Contact;Email;Telegram;Slack;Sector;Size;District;Language;Consent"

// columns names both sets of columns, for error messages.
const columns = Header + " (German) or " + HeaderEnglish + " (English)"

var (
	slackIDRE  = regexp.MustCompile(`^[UW][A-Z0-9]{6,20}$`)
	postcodeRE = regexp.MustCompile(`^\d{5}$`)
)

// maxLen is the longest value a field takes, in characters.
const maxLen = 200

// Parse reads a member list. It returns the good rows and the bad ones;
// the error is for a file that cannot be read as a member list at all (no
// header, an unknown column, no company column).
func Parse(r io.Reader) ([]Row, []RowError, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	first, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, fmt.Errorf("read member list: %w", err)
	}
	headerLine, _, _ := bytes.Cut(first, []byte("\n"))
	cr := csv.NewReader(br)
	cr.Comma = ';'
	if bytes.Count(headerLine, []byte(",")) > bytes.Count(headerLine, []byte(";")) {
		cr.Comma = ','
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("the member list is empty; it needs a header row such as " + columns)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("header row: %w", err)
	}
	fields := make([]string, len(header))
	names := map[string]string{} // member field -> its column's name in the file
	has := map[string]bool{}
	for i, h := range header {
		key := strings.NewReplacer(" ", "", "-", "", "_", "", ".", "").Replace(strings.ToLower(strings.TrimSpace(h)))
		f, ok := column(key)
		if !ok {
			return nil, nil, fmt.Errorf("header row: unknown column %q; the columns are %s", h, columns)
		}
		if has[f] {
			return nil, nil, fmt.Errorf("header row: column %q appears twice", h)
		}
		fields[i], has[f], names[f] = f, true, strings.TrimSpace(h)
	}
	if !has["company"] {
		return nil, nil, errors.New("header row: the column Firma (Company) is missing; the columns are " + columns)
	}
	if !has["email"] && !has["slack"] && !has["telegram"] {
		return nil, nil, errors.New("header row: no column to reach members by (E-Mail, Slack or Telegram)")
	}
	var rows []Row
	var bad []RowError
	seenNo, seenEmail := map[string]int{}, map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			reason := pe.Err.Error()
			if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
				// Where a quote is wrong, the rows after it cannot be told apart.
				bad = append(bad, RowError{Line: pe.StartLine, Reason: reason +
					"; the rest of the file cannot be read from here on: put values with quotes in double quotes (\"Müller \"\"Holz\"\" GmbH\") or remove the quotes"})
				return rows, bad, nil
			}
			bad = append(bad, RowError{Line: pe.StartLine, Reason: reason})
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read member list: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		m, probs := member(fields, rec)
		if len(rec) != len(fields) {
			probs = append(probs, problem{reason: fmt.Sprintf("%d values but the header has %d columns", len(rec), len(fields))})
		}
		if m.MemberNo != "" && seenNo[m.MemberNo] > 0 {
			probs = append(probs, problem{field: "member_no", reason: fmt.Sprintf("member number %s is already on line %d", m.MemberNo, seenNo[m.MemberNo])})
		}
		if m.Email != "" && seenEmail[m.Email] > 0 {
			probs = append(probs, problem{field: "email", reason: fmt.Sprintf("e-mail address %s is already on line %d", m.Email, seenEmail[m.Email])})
		}
		if len(probs) > 0 {
			for _, pr := range probs {
				bad = append(bad, RowError{Line: line, Column: names[pr.field], Reason: pr.reason})
			}
			continue
		}
		if m.MemberNo != "" {
			seenNo[m.MemberNo] = line
		}
		if m.Email != "" {
			seenEmail[m.Email] = line
		}
		rows = append(rows, Row{Line: line, Member: m, Fields: fields})
	}
	return rows, bad, nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// problem is one thing wrong with a row: the member field it is in (""
// for the whole row) and why.
type problem struct{ field, reason string }

// member reads one row and says everything that is wrong with it.
func member(fields, rec []string) (survey.Member, []problem) {
	m := survey.Member{Lang: "de"}
	var probs []problem
	bad := func(field, format string, args ...any) {
		probs = append(probs, problem{field: field, reason: fmt.Sprintf(format, args...)})
	}
	for i, v := range rec[:min(len(rec), len(fields))] {
		v = strings.TrimSpace(v)
		f := fields[i]
		switch {
		case !utf8.ValidString(v):
			bad(f, "not UTF-8 text (save the file as \"CSV UTF-8\")")
			continue
		case utf8.RuneCountInString(v) > maxLen:
			bad(f, "%s is longer than %d characters", f, maxLen)
			continue
		case strings.ContainsAny(v, "\r\n"):
			bad(f, "%s contains a line break", f)
			continue
		}
		if err := safetext.Check(v); err != nil {
			bad(f, "%s cannot be stored: %v", f, err)
			continue
		}
		switch f {
		case "member_no":
			m.MemberNo = v
		case "company":
			m.Company = v
		case "contact_name":
			m.ContactName = v
		case "email":
			if v == "" {
				break
			}
			a, err := mail.ParseAddress(v)
			if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndexByte(v, '@'):], ".") {
				bad(f, "%q is not an e-mail address", v)
				break
			}
			m.Email = strings.ToLower(v)
		case "telegram":
			b, ok := yesNo(v)
			if !ok {
				bad(f, "Telegram is %q; write ja or nein", v)
			}
			m.Telegram = b
		case "slack":
			if v == "" {
				break
			}
			if _, err := mail.ParseAddress(v); err != nil && !slackIDRE.MatchString(v) {
				bad(f, "Slack is %q; write a Slack member id (U…) or the e-mail address used in Slack", v)
				break
			}
			m.Slack = v
		case "sector":
			code, ok := sectorCode(v)
			if !ok {
				bad(f, "sector %q is not one of the questionnaire's: %s", v, sectorList())
			}
			m.Sector = code
		case "size_band":
			code, ok := sizeCode(v)
			if !ok {
				bad(f, "size %q is not one of the questionnaire's bands: %s", v, sizeList())
			}
			m.SizeBand = code
		case "district":
			if looksLikePostcode(v) && !postcodeRE.MatchString(v) {
				bad(f, "postcode %q does not have five digits", v)
				break
			}
			m.District = v
		case "lang":
			switch strings.ToLower(v) {
			case "", "de", "deutsch", "german":
				m.Lang = "de"
			case "en", "englisch", "english":
				m.Lang = "en"
			default:
				bad(f, "language %q; write de or en", v)
			}
		case "consent":
			b, ok := yesNo(v)
			if !ok {
				bad(f, "consent is %q; write ja or nein", v)
			}
			m.Consent = b
		}
	}
	refused := map[string]bool{}
	for _, p := range probs {
		refused[p.field] = true
	}
	if m.Company == "" && !refused["company"] {
		bad("company", "the company (Firma) is empty")
	}
	// A refused address already says why the member cannot be reached.
	if !refused["email"] && !refused["slack"] && !refused["telegram"] {
		switch {
		case m.Email == "" && m.Slack == "" && !m.Telegram:
			bad("", "no way to reach the member: no e-mail address, Slack or Telegram")
		case m.Email == "" && m.Slack == "":
			bad("", "Telegram alone cannot reach a member (a bot may only write to people who wrote to it first): add an e-mail address or Slack")
		}
	}
	return m, probs
}

// looksLikePostcode reports whether v is digits only, so a district name
// is not mistaken for a bad postcode.
func looksLikePostcode(v string) bool {
	if v == "" {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func yesNo(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "ja", "j", "yes", "y", "1", "x", "true", "wahr":
		return true, true
	case "", "nein", "n", "no", "0", "false", "falsch", "-":
		return false, true
	}
	return false, false
}
