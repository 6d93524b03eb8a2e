package filter

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The lexical level of the grammar: characters, words and JSON values.

func (p *parser) at(c byte) bool { return p.pos < len(p.src) && p.src[p.pos] == c }

func (p *parser) spaces() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// nameRun returns the run of attribute path characters at the current
// position, without consuming it: letters, digits and - _ $ . :
func (p *parser) nameRun() string {
	i := p.pos
	for i < len(p.src) && isPathChar(p.src[i]) {
		i++
	}
	return p.src[p.pos:i]
}

// bareRun returns the unquoted word at the current position, without
// consuming it.
func (p *parser) bareRun() string { return bareWord(p.src[p.pos:]) }

// bareWord returns the prefix of s that can be an unquoted value: anything
// up to a space, a control character, a parenthesis, a bracket or a quote.
func bareWord(s string) string {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c <= ' ', c == '(', c == ')', c == '[', c == ']', c == '"':
			return s[:i]
		}
	}
	return s
}

// found describes the input at pos for an error message.
func (p *parser) found(pos int) string {
	if pos >= len(p.src) {
		return "the end of the " + p.noun
	}
	rest := p.src[pos:]
	tok := bareWord(rest)
	switch {
	case rest[0] == '"':
		tok = rest
		if i := strings.IndexByte(rest[1:], '"'); i >= 0 {
			tok = rest[:i+2]
		}
	case tok == "":
		_, n := utf8.DecodeRuneInString(rest)
		tok = rest[:n]
	}
	return quoted(tok)
}

// quoted quotes input for an error message, shortened if it is long.
func quoted(s string) string { return strconv.Quote(truncate(s, 100)) }

// truncate shortens s to at most n bytes, on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isPathChar(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '-' || c == '_' || c == '$' || c == '.' || c == ':'
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isName reports whether s is an ATTRNAME of RFC 7643 §2.1: a letter, then
// letters, digits, "-", "_" and "$". A leading "$" is allowed too, for
// "$ref", which RFC 7643 itself defines.
func isName(s string) bool {
	if s == "" || !isLetter(s[0]) && s[0] != '$' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !isDigit(c) && c != '-' && c != '_' && c != '$' {
			return false
		}
	}
	return true
}

// isNumber reports whether s is a JSON number (RFC 8259 §6).
func isNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		if i = digits(s, i+1); s[i-1] == '.' {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

// digits returns the end of the run of decimal digits at s[i:].
func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// str parses a JSON string. Strings without escapes are returned without
// copying.
func (p *parser) str() (string, error) {
	open := p.pos
	for i := open + 1; i < len(p.src); i++ {
		switch c := p.src[i]; {
		case c == '"':
			p.pos = i + 1
			return p.src[open+1 : i], nil
		case c == '\\':
			return p.unescape(open, i)
		case c < 0x20:
			return "", p.controlChar(i)
		}
	}
	return "", p.errorf(open, `the string that starts here has no closing '"'`)
}

// unescape parses the rest of the JSON string opened at open, from the
// first backslash at i.
func (p *parser) unescape(open, i int) (string, error) {
	var b strings.Builder
	b.WriteString(p.src[open+1 : i])
	for i < len(p.src) {
		c := p.src[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return b.String(), nil
		case c < 0x20:
			return "", p.controlChar(i)
		case c != '\\':
			b.WriteByte(c)
			i++
			continue
		}
		r, n, err := p.escape(i)
		if err != nil {
			return "", err
		}
		b.WriteRune(r)
		i += n
	}
	return "", p.errorf(open, `the string that starts here has no closing '"'`)
}

// escape decodes the JSON escape sequence at i and returns its length. As
// in encoding/json, a surrogate that is not part of a pair is U+FFFD.
func (p *parser) escape(i int) (rune, int, error) {
	if i+1 == len(p.src) {
		return 0, 0, p.errorf(i, `a string ends in "\"`)
	}
	switch c := p.src[i+1]; c {
	case '"', '\\', '/':
		return rune(c), 2, nil
	case 'b':
		return '\b', 2, nil
	case 'f':
		return '\f', 2, nil
	case 'n':
		return '\n', 2, nil
	case 'r':
		return '\r', 2, nil
	case 't':
		return '\t', 2, nil
	case 'u':
		r, ok := hex4(p.src, i+2)
		if !ok {
			return 0, 0, p.errorf(i, `"\u" in a string must be followed by four hexadecimal digits`)
		}
		if !utf16.IsSurrogate(r) {
			return r, 6, nil
		}
		if strings.HasPrefix(p.src[i+6:], `\u`) {
			if r2, ok := hex4(p.src, i+8); ok {
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					return pair, 12, nil
				}
			}
		}
		return utf8.RuneError, 6, nil
	}
	_, n := utf8.DecodeRuneInString(p.src[i+1:])
	return 0, 0, p.errorf(i, `%q is not a JSON escape sequence (use \", \\, \/, \b, \f, \n, \r, \t or \uXXXX)`, p.src[i:i+1+n])
}

func (p *parser) controlChar(i int) error {
	return p.errorf(i, `a string holds the control character U+%04X: write it as a JSON escape such as \n or \u0001`, p.src[i])
}

// hex4 decodes the four hexadecimal digits at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s[i:i+4], 16, 32)
	return rune(n), err == nil
}
