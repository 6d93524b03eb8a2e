package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Filter is a SCIM filter expression (RFC 7644 §3.4.2.2) built from parts
// that cannot change its meaning: attribute names are checked against the
// grammar and values are encoded as JSON literals, strings quoted and
// escaped. So a filter built from user input matches what it says:
//
//	client.Eq("userName", `x" or userName pr or "`)
//	// userName eq "x\" or userName pr or \""
//
// The zero Filter is no filter. A Filter made from an invalid part carries
// the error, reported by Err and by any request it is given to, which is
// then not sent.
type Filter struct {
	expr  string
	prec  precedence
	inner bool // contains a value path, which may not be nested
	err   error
}

// precedence is how tightly a filter's outermost operator binds.
type precedence uint8

const (
	precRaw  precedence = iota // RawFilter: unknown, always parenthesized when combined
	precOr                     // a or b
	precAnd                    // a and b
	precAtom                   // comparison, presence, not (…), value path, (…)
)

// String returns the filter expression; it is empty for the zero Filter and
// for an invalid one.
func (f Filter) String() string {
	if f.err != nil {
		return ""
	}
	return f.expr
}

// Err returns the reason f is invalid, or nil.
func (f Filter) Err() error { return f.err }

// IsZero reports whether f is the zero Filter, which matches everything.
func (f Filter) IsZero() bool { return f.expr == "" && f.err == nil }

// RawFilter returns the filter expression expr as it is, for expressions
// written by hand or taken from a command line. It is not checked: the
// service provider parses it. Build filters that contain user input with
// Eq and the other constructors instead.
func RawFilter(expr string) Filter {
	expr = strings.TrimSpace(expr)
	return Filter{expr: expr, prec: precRaw, inner: strings.Contains(expr, "[")}
}

// Eq matches resources whose attribute attr equals value ("eq"). value is
// a string, bool, number, time.Time (a dateTime) or nil (null).
func Eq(attr string, value any) Filter { return compare(attr, "eq", value) }

// Ne matches resources whose attribute attr does not equal value ("ne").
func Ne(attr string, value any) Filter { return compare(attr, "ne", value) }

// Co matches resources whose attribute attr contains value ("co").
func Co(attr string, value any) Filter { return compare(attr, "co", value) }

// Sw matches resources whose attribute attr starts with value ("sw").
func Sw(attr string, value any) Filter { return compare(attr, "sw", value) }

// Ew matches resources whose attribute attr ends with value ("ew").
func Ew(attr string, value any) Filter { return compare(attr, "ew", value) }

// Gt matches resources whose attribute attr is greater than value ("gt").
func Gt(attr string, value any) Filter { return compare(attr, "gt", value) }

// Ge matches resources whose attribute attr is at least value ("ge").
func Ge(attr string, value any) Filter { return compare(attr, "ge", value) }

// Lt matches resources whose attribute attr is less than value ("lt").
func Lt(attr string, value any) Filter { return compare(attr, "lt", value) }

// Le matches resources whose attribute attr is at most value ("le").
func Le(attr string, value any) Filter { return compare(attr, "le", value) }

// Pr matches resources that have a value for attr ("pr").
func Pr(attr string) Filter {
	if err := checkAttrPath(attr); err != nil {
		return Filter{err: err}
	}
	return Filter{expr: attr + " pr", prec: precAtom}
}

func compare(attr, op string, value any) Filter {
	if err := checkAttrPath(attr); err != nil {
		return Filter{err: err}
	}
	lit, err := literal(value)
	if err != nil {
		return Filter{err: fmt.Errorf("scim client: filter %s %s: %w", attr, op, err)}
	}
	return Filter{expr: attr + " " + op + " " + lit, prec: precAtom}
}

// Not negates f ("not (…)").
func Not(f Filter) Filter {
	switch {
	case f.err != nil:
		return f
	case f.IsZero():
		return Filter{err: errors.New("scim client: not of an empty filter")}
	}
	return Filter{expr: "not (" + f.expr + ")", prec: precAtom, inner: f.inner}
}

// And matches resources that every one of fs matches. Zero filters among
// fs are left out.
func And(fs ...Filter) Filter { return join("and", precAnd, fs) }

// Or matches resources that any one of fs matches. Zero filters among fs
// are left out.
func Or(fs ...Filter) Filter { return join("or", precOr, fs) }

// And is And(f, g...).
func (f Filter) And(g ...Filter) Filter { return And(append([]Filter{f}, g...)...) }

// Or is Or(f, g...).
func (f Filter) Or(g ...Filter) Filter { return Or(append([]Filter{f}, g...)...) }

// join combines fs with op. An operand is parenthesized unless it is an
// atom or uses op itself: "and" binds tighter than "or", but not every
// service provider's parser knows it.
func join(op string, prec precedence, fs []Filter) Filter {
	var parts []string
	var inner bool
	for _, f := range fs {
		switch {
		case f.err != nil:
			return f
		case f.IsZero():
			continue
		case f.prec == precAtom || f.prec == prec:
			parts = append(parts, f.expr)
		default:
			parts = append(parts, "("+f.expr+")")
		}
		inner = inner || f.inner
	}
	switch len(parts) {
	case 0:
		return Filter{}
	case 1:
		for _, f := range fs {
			if !f.IsZero() {
				return f
			}
		}
	}
	return Filter{expr: strings.Join(parts, " "+op+" "), prec: prec, inner: inner}
}

// ValuePath matches resources with a value of the multi-valued or complex
// attribute attr that f matches, f's attribute names being sub-attributes
// of attr: ValuePath("emails", Eq("type", "work").And(Co("value", "@example.com")))
// is `emails[type eq "work" and value co "@example.com"]`.
func ValuePath(attr string, f Filter) Filter {
	switch {
	case f.err != nil:
		return f
	case f.IsZero():
		return Filter{err: fmt.Errorf("scim client: empty filter in value path %s[]", attr)}
	case f.inner:
		return Filter{err: fmt.Errorf("scim client: value path %s[%s] is nested", attr, f.expr)}
	}
	if err := checkAttrPath(attr); err != nil {
		return Filter{err: err}
	}
	return Filter{expr: attr + "[" + f.expr + "]", prec: precAtom, inner: true}
}

// checkAttrPath checks attr against attrPath = [URI ":"] ATTRNAME *1subAttr
// of RFC 7644 §3.4.2.2, where ATTRNAME = ALPHA *(nameChar) and nameChar =
// "-" / "_" / DIGIT / ALPHA; "$ref" is accepted as a name, as RFC 7643 uses
// it. A URI is a URN made of letters, digits and "-._:+%".
func checkAttrPath(attr string) error {
	name := attr
	if len(attr) > 4 && strings.EqualFold(attr[:4], "urn:") {
		i := strings.LastIndexByte(attr, ':')
		if !isURNText(attr[:i]) {
			return fmt.Errorf("scim client: invalid schema URN in attribute %q", attr)
		}
		name = attr[i+1:]
	}
	first, sub, hasSub := strings.Cut(name, ".")
	if !isAttrName(first) || hasSub && !isAttrName(sub) {
		return fmt.Errorf("scim client: invalid attribute name %q", attr)
	}
	return nil
}

func isAttrName(s string) bool {
	if s == "$ref" {
		return true
	}
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isURNText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlpha(c) && !isDigit(c) && !strings.ContainsRune("-._:+%", rune(c)) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// literal encodes value as the compValue of RFC 7644 §3.4.2.2: a JSON
// string, number, true, false or null.
func literal(value any) (string, error) {
	switch v := value.(type) {
	case nil:
		return "null", nil
	case string:
		return quote(v), nil
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case int32:
		return strconv.FormatInt(int64(v), 10), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case uint:
		return strconv.FormatUint(uint64(v), 10), nil
	case uint32:
		return strconv.FormatUint(uint64(v), 10), nil
	case uint64:
		return strconv.FormatUint(v, 10), nil
	case float32:
		return floatLiteral(float64(v), 32)
	case float64:
		return floatLiteral(v, 64)
	case json.Number:
		return numberLiteral(v)
	case time.Time:
		return quote(v.Format(time.RFC3339Nano)), nil
	}
	return "", fmt.Errorf("unsupported value type %T", value)
}

func floatLiteral(f float64, bits int) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("%v is not a JSON number", f)
	}
	return strconv.FormatFloat(f, 'g', -1, bits), nil
}

func numberLiteral(n json.Number) (string, error) {
	if _, err := strconv.ParseFloat(string(n), 64); err != nil || !json.Valid([]byte(n)) {
		return "", fmt.Errorf("%q is not a JSON number", string(n))
	}
	return string(n), nil
}

// quote encodes s as a JSON string. Characters that are special in HTML are
// left as they are: they mean nothing in a filter and are easier to read.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
