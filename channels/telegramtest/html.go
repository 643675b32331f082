package telegramtest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// render turns text as the bot sent it into the text Telegram stores and
// shows, with its entities: parse_mode HTML is parsed like Telegram does
// (tdlib's parse_html, including its error messages); explicit entities
// are taken as given; Markdown and MarkdownV2 are not emulated and pass
// through unchanged.
func render(text, parseMode, entitiesJSON string) (string, []models.MessageEntity, *apiError) {
	switch strings.ToLower(parseMode) {
	case "":
		if entitiesJSON == "" {
			return text, nil, nil
		}
		var ents []models.MessageEntity
		if err := json.Unmarshal([]byte(entitiesJSON), &ents); err != nil {
			return "", nil, badRequest("can't parse entities JSON object")
		}
		return text, ents, nil
	case "html":
		out, ents, err := parseHTML(text)
		if err != nil {
			return "", nil, badRequest("can't parse entities: " + err.Error())
		}
		return out, ents, nil
	case "markdown", "markdownv2":
		return text, nil, nil
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
}

// htmlTag is an open tag while parsing HTML.
type htmlTag struct {
	name       string
	arg        string
	expandable bool
	offset     int // UTF-16 offset in the result where the entity starts
	beginPos   int // byte offset in the result where the entity starts
}

func supportedHTMLTag(name string) bool {
	switch name {
	case "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
		"tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote":
		return true
	}
	return false
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// parseHTML follows tdlib's parse_html: it returns the text without tags,
// with the supported HTML entities decoded, and the entities the tags
// stand for, with offsets and lengths in UTF-16 code units.
func parseHTML(s string) (string, []models.MessageEntity, error) {
	var (
		out    []byte
		u16    int
		stack  []htmlTag
		ents   []models.MessageEntity
		badU16 bool
	)
	for i := 0; i < len(s); {
		c := s[i]
		if c == '&' {
			if r, next, ok := decodeHTMLEntity(s, i); ok {
				if r >= 0xd800 && r <= 0xdfff {
					badU16 = true
				}
				out = utf8.AppendRune(out, r)
				u16++
				if r > 0xffff {
					u16++
				}
				i = next
				continue
			}
		}
		if c != '<' {
			if c < 0x80 || c >= 0xc0 {
				u16++
				if c >= 0xf0 {
					u16++
				}
			}
			out = append(out, c)
			i++
			continue
		}

		begin := i
		i++
		if i < len(s) && s[i] != '/' {
			for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '>' {
				i++
			}
			if i >= len(s) {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			name := strings.ToLower(s[begin+1 : i])
			if !supportedHTMLTag(name) {
				return "", nil, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, begin)
			}
			tag := htmlTag{name: name, offset: u16, beginPos: len(out)}
			for i < len(s) && s[i] != '>' {
				for i < len(s) && isHTMLSpace(s[i]) {
					i++
				}
				if i >= len(s) || s[i] == '>' {
					break
				}
				attrBegin := i
				for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '=' && s[i] != '>' {
					i++
				}
				attr := s[attrBegin:i]
				if attr == "" {
					return "", nil, fmt.Errorf("Empty attribute name in the tag \"%s\" at byte offset %d", name, begin)
				}
				for i < len(s) && isHTMLSpace(s[i]) {
					i++
				}
				if i >= len(s) || s[i] != '=' {
					if name == "blockquote" && attr == "expandable" {
						tag.expandable = true
						continue
					}
					return "", nil, fmt.Errorf("Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", name, begin)
				}
				i++
				for i < len(s) && isHTMLSpace(s[i]) {
					i++
				}
				if i >= len(s) {
					return "", nil, fmt.Errorf("Unclosed start tag \"%s\" at byte offset %d", name, begin)
				}
				var val string
				if q := s[i]; q != '\'' && q != '"' {
					tokenBegin := i
					for i < len(s) && (isAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
						i++
					}
					val = strings.ToLower(s[tokenBegin:i])
					if i < len(s) && !isHTMLSpace(s[i]) && s[i] != '>' {
						return "", nil, fmt.Errorf("Unexpected end of name token at byte offset %d", tokenBegin)
					}
				} else {
					i++
					var vb []byte
					for i < len(s) && s[i] != q {
						if s[i] == '&' {
							if r, next, ok := decodeHTMLEntity(s, i); ok {
								vb = utf8.AppendRune(vb, r)
								i = next
								continue
							}
						}
						vb = append(vb, s[i])
						i++
					}
					if i < len(s) {
						i++
					}
					val = string(vb)
				}
				if i >= len(s) {
					return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				switch {
				case name == "a" && attr == "href":
					tag.arg = val
				case name == "code" && attr == "class" && strings.HasPrefix(val, "language-"):
					tag.arg = val[len("language-"):]
				case name == "span" && attr == "class" && strings.HasPrefix(val, "tg-"):
					tag.arg = val[len("tg-"):]
				case name == "tg-emoji" && attr == "emoji-id":
					tag.arg = val
				}
			}
			if i >= len(s) {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			if name == "span" && tag.arg != "spoiler" {
				return "", nil, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			stack = append(stack, tag)
			i++ // '>'
			continue
		}

		// An end tag (or a '<' at the very end of the text).
		if len(stack) == 0 {
			return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", begin)
		}
		for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '>' {
			i++
		}
		endName := ""
		if begin+2 <= i {
			endName = strings.ToLower(s[begin+2 : i])
		}
		for i < len(s) && isHTMLSpace(s[i]) {
			i++
		}
		if i >= len(s) || s[i] != '>' {
			return "", nil, fmt.Errorf("Unclosed end tag at byte offset %d", begin)
		}
		top := stack[len(stack)-1]
		if endName != "" && endName != top.name {
			return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, endName)
		}
		if u16 > top.offset {
			var err error
			ents, err = appendHTMLEntity(ents, top, u16-top.offset, string(out[top.beginPos:]))
			if err != nil {
				return "", nil, err
			}
		}
		stack = stack[:len(stack)-1]
		i++ // '>'
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag %s", stack[len(stack)-1].name)
	}
	if badU16 {
		return "", nil, fmt.Errorf("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units")
	}
	for k := range ents {
		if ents[k].Type == models.MessageEntityTypeCode {
			ents[k].Language = ""
		}
	}
	sort.SliceStable(ents, func(a, b int) bool {
		if ents[a].Offset != ents[b].Offset {
			return ents[a].Offset < ents[b].Offset
		}
		if ents[a].Length != ents[b].Length {
			return ents[a].Length > ents[b].Length
		}
		return entityPriority(ents[a].Type) < entityPriority(ents[b].Type)
	})
	return string(out), ents, nil
}

// entityPriority orders entities with the same range, as tdlib does.
func entityPriority(t models.MessageEntityType) int {
	switch t {
	case models.MessageEntityTypeBlockquote, models.MessageEntityTypeExpandableBlockquote:
		return 0
	case models.MessageEntityTypePre:
		return 11
	case models.MessageEntityTypeCode:
		return 20
	case models.MessageEntityTypeTextLink, models.MessageEntityTypeTextMention:
		return 49
	case models.MessageEntityTypeBold:
		return 90
	case models.MessageEntityTypeItalic:
		return 91
	case models.MessageEntityTypeUnderline:
		return 92
	case models.MessageEntityTypeStrikethrough:
		return 93
	case models.MessageEntityTypeSpoiler:
		return 94
	case models.MessageEntityTypeCustomEmoji:
		return 99
	}
	return 50
}

// appendHTMLEntity adds the entity a closed tag stands for.
func appendHTMLEntity(ents []models.MessageEntity, tag htmlTag, length int, inner string) ([]models.MessageEntity, error) {
	e := models.MessageEntity{Offset: tag.offset, Length: length}
	switch tag.name {
	case "i", "em":
		e.Type = models.MessageEntityTypeItalic
	case "b", "strong":
		e.Type = models.MessageEntityTypeBold
	case "s", "strike", "del":
		e.Type = models.MessageEntityTypeStrikethrough
	case "u", "ins":
		e.Type = models.MessageEntityTypeUnderline
	case "tg-spoiler", "span":
		e.Type = models.MessageEntityTypeSpoiler
	case "blockquote":
		e.Type = models.MessageEntityTypeBlockquote
		if tag.expandable {
			e.Type = models.MessageEntityTypeExpandableBlockquote
		}
	case "tg-emoji":
		id, err := strconv.ParseInt(tag.arg, 10, 64)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("Invalid custom emoji identifier specified")
		}
		e.Type = models.MessageEntityTypeCustomEmoji
		e.CustomEmojiID = tag.arg
	case "a":
		url := tag.arg
		if url == "" {
			url = inner
		}
		if !strings.Contains(url, ".") && !strings.HasPrefix(url, "tg://") {
			return ents, nil // not a link Telegram accepts: the text stays plain
		}
		e.Type = models.MessageEntityTypeTextLink
		e.URL = url
	case "pre":
		if n := len(ents); n > 0 && ents[n-1].Type == models.MessageEntityTypeCode &&
			ents[n-1].Offset == e.Offset && ents[n-1].Length == length && ents[n-1].Language != "" {
			ents[n-1].Type = models.MessageEntityTypePre
			return ents, nil
		}
		e.Type = models.MessageEntityTypePre
	case "code":
		if n := len(ents); n > 0 && ents[n-1].Type == models.MessageEntityTypePre &&
			ents[n-1].Offset == e.Offset && ents[n-1].Length == length && tag.arg != "" {
			ents[n-1].Language = tag.arg
			return ents, nil
		}
		e.Type = models.MessageEntityTypeCode
		e.Language = tag.arg
	}
	return append(ents, e), nil
}

// decodeHTMLEntity decodes the entity at s[pos] == '&' as tdlib does: the
// named entities lt, gt, amp and quot and numeric ones, the ';' optional.
func decodeHTMLEntity(s string, pos int) (rune, int, bool) {
	end := pos + 1
	res := 0
	if end < len(s) && s[end] == '#' {
		end++
		if end < len(s) && s[end] == 'x' {
			end++
			for end < len(s) && end-pos < 10 && isHexDigit(s[end]) {
				res = res*16 + hexValue(s[end])
				end++
			}
		} else {
			for end < len(s) && end-pos < 10 && s[end] >= '0' && s[end] <= '9' {
				res = res*10 + int(s[end]-'0')
				end++
			}
		}
		if res == 0 || res >= 0x10ffff || end-pos >= 10 {
			return 0, pos, false
		}
	} else {
		for end < len(s) && (s[end] >= 'a' && s[end] <= 'z' || s[end] >= 'A' && s[end] <= 'Z') {
			end++
		}
		switch s[pos+1 : end] {
		case "lt":
			res = '<'
		case "gt":
			res = '>'
		case "amp":
			res = '&'
		case "quot":
			res = '"'
		default:
			return 0, pos, false
		}
	}
	if end < len(s) && s[end] == ';' {
		end++
	}
	return rune(res), end, true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	default:
		return int(c-'A') + 10
	}
}

// utf16Len is the length of s in UTF-16 code units, as Telegram counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xffff {
			n++
		}
	}
	return n
}

func utf8Len(s string) int { return len([]rune(s)) }
