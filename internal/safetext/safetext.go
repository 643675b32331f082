// Package safetext says whether a string can be stored and shown as it
// is: PostgreSQL refuses NUL and invalid UTF-8 in text, control
// characters break CSV exports, terminals and messengers, and U+FFFD is
// what decoders leave of invalid UTF-8 and lone UTF-16 surrogates. Every
// input boundary checks text with it before anything is stored.
package safetext

import (
	"fmt"
	"unicode/utf8"
)

// Error says what is wrong with a string and where.
type Error struct {
	Offset int    // byte offset of the first bad character
	Rune   rune   // the character; utf8.RuneError for invalid UTF-8
	Reason string // "invalid UTF-8", "control character", "replacement character"
}

func (e *Error) Error() string {
	if e.Reason == "invalid UTF-8" {
		return fmt.Sprintf("invalid UTF-8 at byte %d", e.Offset)
	}
	return fmt.Sprintf("%s U+%04X at byte %d", e.Reason, e.Rune, e.Offset)
}

// Check returns nil if s can be stored: valid UTF-8 without control
// characters (tab, line feed and carriage return are text) and without
// U+FFFD or the noncharacters U+FFFE and U+FFFF.
func Check(s string) error {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return &Error{Offset: i, Rune: r, Reason: "invalid UTF-8"}
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || (r >= 0x7f && r < 0xa0):
			return &Error{Offset: i, Rune: r, Reason: "control character"}
		case r == utf8.RuneError:
			return &Error{Offset: i, Rune: r, Reason: "replacement character"}
		case r == 0xfffe || r == 0xffff:
			return &Error{Offset: i, Rune: r, Reason: "noncharacter"}
		}
		i += size
	}
	return nil
}
