package filter

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// Limits on the input of Parse and ParsePath. Beyond them, input is
// rejected with a 400 before it can cost much: parsing is linear in the
// length, and recursion is bounded by the depth.
const (
	MaxLength = 32 << 10 // bytes
	MaxDepth  = 50       // nested groups: "(", "not (" and "["
)

// Parse parses a filter expression (RFC 7644 §3.4.2.2) into a tree whose
// attribute paths are not resolved yet: Bind resolves them against a
// resource type. The two steps are apart so that one parsed filter can be
// bound to several resource types (a search at the server root, RFC 7644
// §3.4.3) and so that syntax is tested, fuzzed and reported on its own.
//
// The grammar is that of RFC 7644 §3.4.2.2: attrPath SP "pr", attrPath SP
// compareOp SP compValue, "and" and "or", "not" "(" filter ")", grouping
// parentheses and value paths attrPath "[" filter "]", with "not" and
// grouping binding tighter than "and", and "and" tighter than "or"; value
// paths don't nest. Operators and keywords are case-insensitive, and Bind
// matches attribute names case-insensitively. Values follow JSON (RFC
// 8259): strings with all their escapes, numbers, and the literals true,
// false and null, in lower case. Beyond the RFC, Parse accepts:
//
//   - a value written without quotes, taken as a string unless it is a JSON
//     literal or number: `userName Eq kim`, `emails[type eq home]` (SPEC §5);
//   - a comparison or "pr" after a value path's brackets,
//     `emails[type eq "work"].value eq "x"` (see ValuePath);
//   - any run of spaces, tabs and line breaks where the RFC has one space,
//     or none where nothing is ambiguous without it: around parentheses and
//     brackets, and next to a quoted string.
//
// Errors are 400 invalidFilter, naming the byte position (counted from 1)
// and what was expected there. Input longer than MaxLength or nested deeper
// than MaxDepth is an error too.
func Parse(s string) (Expr, error) {
	p := parser{src: s, noun: "filter", what: "filter", typ: scim.InvalidFilter}
	if err := p.check(); err != nil {
		return nil, err
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if err := p.closing(0, 0); err != nil {
		return nil, err
	}
	return e, nil
}

// parser is a recursive-descent parser over the bytes of its input.
type parser struct {
	src        string
	pos        int
	depth      int            // open parentheses and brackets
	inBrackets bool           // inside the brackets of a value path
	noun       string         // "filter" or "path": what the input is
	what       string         // what an error reports as invalid
	typ        scim.ErrorType // the scimType of errors
}

// errorf returns a syntax error at byte offset pos.
func (p *parser) errorf(pos int, format string, args ...any) error {
	return scim.BadRequest(p.typ, "invalid %s at position %d: %s", p.what, pos+1, fmt.Sprintf(format, args...))
}

// check enforces the limits and UTF-8 encoding before anything is parsed.
func (p *parser) check() error {
	if len(p.src) > MaxLength {
		return scim.BadRequest(p.typ, "invalid %s: it is %d bytes long; at most %d are accepted", p.noun, len(p.src), MaxLength)
	}
	if utf8.ValidString(p.src) {
		return nil
	}
	for i := 0; ; {
		r, n := utf8.DecodeRuneInString(p.src[i:])
		if r == utf8.RuneError && n == 1 {
			return p.errorf(i, "the %s is not valid UTF-8", p.noun)
		}
		i += n
	}
}

// or parses an or-chain of and-chains.
func (p *parser) or() (Expr, error) {
	first, err := p.and()
	if err != nil || !p.keyword("or") {
		return first, err
	}
	terms := flatten(Or{}, first)
	for {
		t, err := p.and()
		if err != nil {
			return nil, err
		}
		terms = flatten(terms, t)
		if !p.keyword("or") {
			return terms, nil
		}
	}
}

// and parses an and-chain of unary terms.
func (p *parser) and() (Expr, error) {
	first, err := p.unary()
	if err != nil || !p.keyword("and") {
		return first, err
	}
	terms := flatten(And{}, first)
	for {
		t, err := p.unary()
		if err != nil {
			return nil, err
		}
		terms = flatten(terms, t)
		if !p.keyword("and") {
			return terms, nil
		}
	}
}

// flatten appends e to terms, splicing in e's own terms if it is of the
// same kind: (a or b) or c is a or b or c.
func flatten[T ~[]Expr](terms T, e Expr) T {
	if x, ok := e.(T); ok {
		return append(terms, x...)
	}
	return append(terms, e)
}

// unary parses a group, a negated group, or an attribute expression.
func (p *parser) unary() (Expr, error) {
	p.spaces()
	if p.at('(') {
		return p.group()
	}
	if strings.EqualFold(p.nameRun(), "not") {
		p.pos += len("not")
		p.spaces()
		if !p.at('(') {
			return nil, p.errorf(p.pos, `expected "(" after "not", found %s`, p.found(p.pos))
		}
		x, err := p.group()
		if err != nil {
			return nil, err
		}
		return Not{X: x}, nil
	}
	return p.attrExp()
}

// group parses "(" filter ")".
func (p *parser) group() (Expr, error) {
	open := p.pos
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	if err := p.closing(')', open); err != nil {
		return nil, err
	}
	p.depth--
	return x, nil
}

// attrExp parses an attribute path followed by "pr", by an operator and a
// value, or by a value filter in brackets.
func (p *parser) attrExp() (Expr, error) {
	start := p.pos
	path, err := p.attrPath()
	if err != nil {
		return nil, err
	}
	if p.at('[') {
		return p.valuePath(path, start)
	}
	return p.test(path, p.src[start:p.pos])
}

// valuePath parses the brackets after path, and a trailing sub-attribute
// test if there is one.
func (p *parser) valuePath(path AttrPath, start int) (Expr, error) {
	if err := p.checkBrackets(path); err != nil {
		return nil, err
	}
	filter, err := p.brackets()
	if err != nil {
		return nil, err
	}
	vp := ValuePath{Path: path, Filter: filter}
	if !p.at('.') {
		return vp, nil
	}
	sub, err := p.subAttr()
	if err != nil {
		return nil, err
	}
	if vp.Test, err = p.test(AttrPath{Name: sub}, p.src[start:p.pos]); err != nil {
		return nil, err
	}
	return vp, nil
}

// checkBrackets rejects a value filter where the grammar has none.
func (p *parser) checkBrackets(path AttrPath) error {
	if p.inBrackets {
		return p.errorf(p.pos, "value filters can't be nested: %s is inside the brackets of another one", quoted(path.String()+"["))
	}
	if path.Sub != "" {
		return p.errorf(p.pos, "a value filter follows an attribute, not the sub-attribute %s: write %s", quoted(path.String()), quoted(strings.TrimSuffix(path.String(), "."+path.Sub)+"["+path.Sub+" ...]"))
	}
	return nil
}

// brackets parses "[" filter "]".
func (p *parser) brackets() (Expr, error) {
	open := p.pos
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	p.inBrackets = true
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	if err := p.closing(']', open); err != nil {
		return nil, err
	}
	p.inBrackets = false
	p.depth--
	return x, nil
}

// subAttr parses the "." ATTRNAME that may follow a value filter.
func (p *parser) subAttr() (string, error) {
	p.pos++ // "."
	start := p.pos
	name := p.nameRun()
	if !isName(name) {
		return "", p.errorf(start, `expected a sub-attribute name after "].", found %s`, p.found(start))
	}
	p.pos += len(name)
	return name, nil
}

// test parses what follows an attribute path in an attribute expression:
// "pr", or a comparison operator and a value.
func (p *parser) test(path AttrPath, after string) (Expr, error) {
	p.spaces()
	start := p.pos
	w := p.nameRun()
	if strings.EqualFold(w, "pr") {
		p.pos += len(w)
		return Present{Path: path}, nil
	}
	op, ok := lookupOp(w)
	if !ok {
		return nil, p.errorf(start, `expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or "pr" after %s, found %s`, quoted(after), p.found(start))
	}
	p.pos += len(w)
	p.spaces()
	v, err := p.value(op)
	if err != nil {
		return nil, err
	}
	return Compare{Path: path, Op: op, Value: v}, nil
}

// attrPath parses [URN ":"] ATTRNAME ["." ATTRNAME]. The URN ends at the
// last colon (schema.SplitURN).
func (p *parser) attrPath() (AttrPath, error) {
	start := p.pos
	run := p.nameRun()
	if run == "" {
		if p.noun == "path" && !p.inBrackets {
			return AttrPath{}, p.errorf(start, "expected an attribute path, found %s", p.found(start))
		}
		return AttrPath{}, p.errorf(start, `expected an attribute path, "(" or "not", found %s`, p.found(start))
	}
	p.pos += len(run)
	urn, rest := schema.SplitURN(run)
	if len(urn) == 0 && len(rest) < len(run) {
		return AttrPath{}, p.errorf(start, `expected a schema URN before ":", found %s`, p.found(start))
	}
	name, sub, dotted := strings.Cut(rest, ".")
	at := start + len(run) - len(rest)
	if err := p.checkName(name, at, run); err != nil {
		return AttrPath{}, err
	}
	if dotted {
		at += len(name) + 1
		if i := strings.IndexByte(sub, '.'); i >= 0 {
			return AttrPath{}, p.errorf(at+i, "%s has more than one sub-attribute; an attribute path has at most one", quoted(run))
		}
		if err := p.checkName(sub, at, run); err != nil {
			return AttrPath{}, err
		}
	}
	return AttrPath{URN: urn, Name: name, Sub: sub}, nil
}

func (p *parser) checkName(name string, at int, path string) error {
	if isName(name) {
		return nil
	}
	if name == "" {
		return p.errorf(at, "expected an attribute name in %s, found %s", quoted(path), p.found(at))
	}
	return p.errorf(at, `%s is not an attribute name: a name starts with a letter and continues with letters, digits, "-", "_" or "$"`, quoted(name))
}

// value parses a comparison value: a JSON string, or an unquoted word that
// is a JSON literal, a JSON number or (SPEC §5) a string.
func (p *parser) value(op Op) (any, error) {
	if p.at('"') {
		return p.str()
	}
	start := p.pos
	w := p.bareRun()
	if w == "" {
		return nil, p.errorf(start, "expected a value (a quoted string, a number, true, false or null) after %q, found %s", op, p.found(start))
	}
	p.pos += len(w)
	switch w {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if isNumber(w) {
		return json.Number(w), nil
	}
	return w, nil
}

// closing consumes the ")" or "]" c that closes the group opened at open,
// or, when c is 0, checks that the input has ended.
func (p *parser) closing(c byte, open int) error {
	p.spaces()
	switch {
	case c == 0 && p.pos == len(p.src):
		return nil
	case c != 0 && p.at(c):
		p.pos++
		return nil
	case c == 0:
		return p.errorf(p.pos, `expected "and", "or" or the end of the %s, found %s`, p.noun, p.found(p.pos))
	}
	return p.errorf(p.pos, `expected "and", "or" or %q to close the %q at position %d, found %s`, string(c), p.src[open:open+1], open+1, p.found(p.pos))
}

// enter records that a group opens at pos, enforcing MaxDepth.
func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorf(pos, `more than %d nested parentheses, brackets and "not"`, MaxDepth)
	}
	return nil
}

// keyword consumes the keyword kw ("and" or "or") if it comes next.
func (p *parser) keyword(kw string) bool {
	p.spaces()
	w := p.nameRun()
	if !strings.EqualFold(w, kw) {
		return false
	}
	p.pos += len(w)
	return true
}
