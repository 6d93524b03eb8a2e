package filter

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scimd/scimd/scim/schema"
)

// Expr is a filter expression (RFC 7644 §3.4.2.2): an And, Or, Not,
// Compare, Present or ValuePath. Its String method prints canonical filter
// syntax that parses back to an equal tree (any tree Parse returns does):
// operators in lower case, values as JSON, and only the parentheses that
// precedence requires.
type Expr interface {
	String() string
	format(b *strings.Builder) // seals the interface to this package's types
}

// And is true when every one of its terms (two or more) is. Parse flattens
// chains and nested groups, so a term of an And is never an And.
type And []Expr

// Or is true when at least one of its terms (two or more) is. Parse flattens
// chains and nested groups, so a term of an Or is never an Or.
type Or []Expr

// Not is "not (X)": true when X is false.
type Not struct {
	X Expr
}

// Compare is an attribute comparison, "Path Op Value".
//
// Value is a string, a json.Number, a bool, or nil for null, as the filter
// spells it. An unquoted word other than true, false, null or a JSON number
// (a compatibility form, SPEC §5) is a string. In a bound Compare, Value has
// the type of the attribute compared: a string for string, reference,
// binary and dateTime attributes, a bool for booleans, a json.Number for
// integers and decimals, or nil for null.
type Compare struct {
	Path  AttrPath
	Op    Op
	Value any
}

// Present is "Path pr": true when the attribute has a value.
type Present struct {
	Path AttrPath
}

// ValuePath is a value filter on a complex attribute, "Path[Filter]": true
// when one single value of the attribute satisfies Filter (RFC 7644
// §3.4.2.2). Inside the brackets, attribute paths name sub-attributes of
// Path, without a schema URN.
//
// Test, when not nil, is the Compare or Present that follows the brackets,
// as in `emails[type eq "work"].value sw "a"` (a form Microsoft Entra ID
// sends; SPEC §5). Its path names a sub-attribute of Path, and it applies to
// that sub-attribute of the values that satisfy Filter, taken together as
// one multi-valued attribute; see Match.
type ValuePath struct {
	Path   AttrPath
	Filter Expr
	Test   Expr
}

// Op is a comparison operator of RFC 7644 §3.4.2.2, Table 3.
type Op string

// The comparison operators. The presence test "pr" is Present.
const (
	Eq Op = "eq" // equal
	Ne Op = "ne" // not equal
	Co Op = "co" // contains
	Sw Op = "sw" // starts with
	Ew Op = "ew" // ends with
	Gt Op = "gt" // greater than
	Ge Op = "ge" // greater than or equal to
	Lt Op = "lt" // less than
	Le Op = "le" // less than or equal to
)

var ops = [...]Op{Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le}

// lookupOp returns the operator spelled s, case-insensitively.
func lookupOp(s string) (Op, bool) {
	if len(s) != 2 {
		return "", false
	}
	for _, op := range ops {
		if strings.EqualFold(s, string(op)) {
			return op, true
		}
	}
	return "", false
}

// AttrPath is an attribute path as written (RFC 7644 §3.10):
// [URN ":"] Name ["." Sub]. Names keep the spelling of the input; they match
// the schema case-insensitively. Inside the brackets of a value path, Name
// is a sub-attribute of the bracketed attribute.
type AttrPath struct {
	URN  string // schema URN; empty when the path has none
	Name string // attribute name
	Sub  string // sub-attribute name; empty when the path has none

	// Bound is the attribute the path resolves to, set by Bind and
	// BindPath. Inside brackets, Bound.Attr is the bracketed attribute and
	// Bound.Sub the sub-attribute named. In a Compare whose path names a
	// complex attribute, Bound.Sub is its "value" sub-attribute, which the
	// comparison applies to (RFC 7644 §3.4.2.2: `emails co "example.com"`),
	// unless the value is null: "eq null" and "ne null" test the attribute
	// itself. A PATCH path naming a whole extension (a bare extension URN,
	// which Parse splits like any other path at its last colon) binds to a
	// Path with a nil Attr.
	Bound schema.Path
}

// IsSchemas reports whether the bound path is the "schemas" attribute that
// every resource has (RFC 7643 §3) and no schema defines. Bind gives it a
// Bound.Attr of its own, named "schemas", with Bound.Schema the core schema.
// Its values are the core schema's URN and the URN of each extension under
// which the document holds attributes; it is multi-valued, of type
// reference, and compared case-insensitively, as schema URNs are.
func (p AttrPath) IsSchemas() bool {
	b := p.Bound
	return b.Attr != nil && b.Schema != nil && !b.Ext && b.Sub == nil &&
		b.Attr.Name == "schemas" && !slices.Contains(b.Schema.Attributes, b.Attr)
}

// String returns the path as written: [URN ":"] Name ["." Sub].
func (p AttrPath) String() string {
	var b strings.Builder
	p.format(&b)
	return b.String()
}

func (p AttrPath) format(b *strings.Builder) {
	if p.URN != "" {
		b.WriteString(p.URN)
		b.WriteByte(':')
	}
	b.WriteString(p.Name)
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
}

// String returns the canonical filter syntax of e.
func (e And) String() string { return stringOf(e) }

// String returns the canonical filter syntax of e.
func (e Or) String() string { return stringOf(e) }

// String returns the canonical filter syntax of e.
func (e Not) String() string { return stringOf(e) }

// String returns the canonical filter syntax of e.
func (e Compare) String() string { return stringOf(e) }

// String returns the canonical filter syntax of e.
func (e Present) String() string { return stringOf(e) }

// String returns the canonical filter syntax of e.
func (e ValuePath) String() string { return stringOf(e) }

func stringOf(e Expr) string {
	var b strings.Builder
	e.format(&b)
	return b.String()
}

func (e And) format(b *strings.Builder) {
	for i, t := range e {
		if i > 0 {
			b.WriteString(" and ")
		}
		if _, ok := t.(Or); ok {
			b.WriteByte('(')
			t.format(b)
			b.WriteByte(')')
			continue
		}
		t.format(b)
	}
}

func (e Or) format(b *strings.Builder) {
	for i, t := range e {
		if i > 0 {
			b.WriteString(" or ")
		}
		t.format(b)
	}
}

func (e Not) format(b *strings.Builder) {
	b.WriteString("not (")
	e.X.format(b)
	b.WriteByte(')')
}

func (e Compare) format(b *strings.Builder) {
	e.Path.format(b)
	b.WriteByte(' ')
	b.WriteString(string(e.Op))
	b.WriteByte(' ')
	formatValue(b, e.Value)
}

func (e Present) format(b *strings.Builder) {
	e.Path.format(b)
	b.WriteString(" pr")
}

func (e ValuePath) format(b *strings.Builder) {
	e.Path.format(b)
	b.WriteByte('[')
	e.Filter.format(b)
	b.WriteByte(']')
	if e.Test != nil {
		b.WriteByte('.')
		e.Test.format(b)
	}
}

// formatValue writes a comparison value as JSON.
func formatValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		b.WriteString(v.String())
	case string:
		quote(b, v)
	default:
		// Not a value Parse or Bind produce; print something a reader can
		// recognise rather than nothing.
		quote(b, "<invalid value>")
	}
}

// quote writes s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does; unlike encoding/json, <, > and & are left alone.
func quote(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r) // utf8.RuneError for invalid input
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
		i++
	}
	b.WriteByte('"')
}
