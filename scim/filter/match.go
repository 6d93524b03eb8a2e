package filter

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// Match reports whether the resource doc satisfies e, a filter returned by
// Bind. It panics if e holds a path that was not bound.
//
// doc is a resource in canonical form: the document of
// schema.ResourceType.Normalize (core attributes at the top level under
// their schema names, each extension's attributes in an object under its
// URN, externalId at the top level), plus "id", "meta" (an object with
// resourceType, created, lastModified, location and version) and the
// server's read-only attributes, such as a group's "members" or a user's
// "groups". Values are string, bool, json.Number, map[string]any and
// []any. Keys are looked up exactly as the schema spells them.
//
// These are the semantics of filters in scimd; the store's SQL compiler
// implements the very same, and testdata/ holds the cases both must pass.
//
// The values of an attribute path are what doc holds at that path, with
// null, "", [] and {} counting as no value (RFC 7643 §2.5): the value of a
// single-valued attribute; the elements of a multi-valued one; for a
// sub-attribute of a multi-valued complex attribute (emails.value), that
// sub-attribute of every element that has one. The values of "schemas" are
// the core schema's URN and the URN of every extension doc holds.
//
//   - "pr" is true when the path has at least one value.
//   - "eq null" is true when it has none, "ne null" when it has one.
//   - "ne" is exactly "not eq": true when no value is equal, and so true
//     when there is no value at all.
//   - Every other comparison is true when at least one value satisfies it:
//     `emails.value eq "x"` and `emails co "x"` try every email.
//
// One value satisfies a comparison according to the attribute's type:
//
//   - string, reference and binary: both the value and the filter's
//     literal are put in their schema.SearchString form (schema.Fold for
//     caseExact=false strings and references; caseExact=true ones and
//     binaries as they are); then eq is equality, co, sw and ew are
//     strings.Contains, HasPrefix and HasSuffix (so co "" holds for every
//     value), and gt, ge, lt and le compare the two strings byte-wise (Go's
//     string order, which for UTF-8 is code point order);
//   - dateTime: both sides in their schema.SearchString form, the
//     fixed-width UTC schema.DateTimeKey, compared byte-wise, which orders
//     them in time: "2011-05-13T06:42:34+02:00" eq "2011-05-13T04:42:34Z";
//   - integer and decimal: both sides converted to float64
//     (json.Number.Float64) and compared numerically, with the precision
//     of float64 (integers beyond 2^53 may compare equal to neighbours);
//   - boolean: eq is equality.
//
// A stored value of another type than its attribute's satisfies nothing.
//
// A value path attr[F] is true when one single value of attr (an element
// of a multi-valued attribute, or the value of a single-valued one)
// satisfies F, with the paths in F evaluated on that value alone:
// `emails[type eq "work" and value co "@x"]` needs one email that is both.
// A value path with a test, attr[F].sub OP v, applies OP v to sub of the
// values that satisfy F, taken together as one multi-valued attribute. So:
//
//	attr[F].sub OP v    ≡ attr[F and sub OP v]      for OP other than ne, with v not null
//	attr[F].sub pr      ≡ attr[F and sub pr]        ≡ attr[F].sub ne null
//	attr[F].sub ne v    ≡ not (attr[F and sub eq v])
//	attr[F].sub eq null ≡ not (attr[F and sub pr])
//
// "and", "or" and "not" are the boolean operations; there is no third
// truth value.
func Match(e Expr, doc map[string]any) bool {
	return scope{doc: doc}.eval(e)
}

// scope is where paths are evaluated: on the document, or inside a value
// filter's brackets, on one value of the bracketed attribute.
type scope struct {
	doc  map[string]any
	elem map[string]any // nil outside brackets
}

func (s scope) eval(e Expr) bool {
	switch e := e.(type) {
	case And:
		for _, t := range e {
			if !s.eval(t) {
				return false
			}
		}
		return true
	case Or:
		for _, t := range e {
			if s.eval(t) {
				return true
			}
		}
		return false
	case Not:
		return !s.eval(e.X)
	case Present:
		return len(s.values(e.Path)) > 0
	case Compare:
		return compare(e, s.values(e.Path))
	case ValuePath:
		return s.valuePath(e)
	}
	panic(fmt.Sprintf("filter: Match: unexpected expression %T", e))
}

func (s scope) valuePath(vp ValuePath) bool {
	var selected []any // values of the test's sub-attribute
	for _, v := range s.values(vp.Path) {
		elem, ok := v.(map[string]any)
		if !ok || !(scope{doc: s.doc, elem: elem}).eval(vp.Filter) {
			continue
		}
		if vp.Test == nil {
			return true
		}
		selected = appendValues(selected, elem[testPath(vp.Test).Bound.Sub.Name])
	}
	switch t := vp.Test.(type) {
	case Present:
		return len(selected) > 0
	case Compare:
		return compare(t, selected)
	}
	return false
}

// testPath returns the path of a value path's test.
func testPath(test Expr) AttrPath {
	switch t := test.(type) {
	case Present:
		return t.Path
	case Compare:
		return t.Path
	}
	panic(fmt.Sprintf("filter: Match: unexpected value path test %T", test))
}

// values returns the values at a bound path.
func (s scope) values(p AttrPath) []any {
	b := p.Bound
	if b.Attr == nil {
		panic(fmt.Sprintf("filter: Match: the path %q is not bound; Match needs a filter returned by Bind", p))
	}
	if s.elem != nil {
		return appendValues(nil, s.elem[b.Sub.Name])
	}
	if p.IsSchemas() {
		return schemaURNs(b.Schema.ID, s.doc)
	}
	parent := s.doc
	if b.Ext {
		parent, _ = s.doc[b.Schema.ID].(map[string]any)
	}
	vals := appendValues(nil, parent[b.Attr.Name])
	if b.Sub == nil {
		return vals
	}
	var out []any
	for _, v := range vals {
		obj, _ := v.(map[string]any)
		out = appendValues(out, obj[b.Sub.Name])
	}
	return out
}

// appendValues appends v, or the elements of v if it is an array, to dst,
// leaving out null and empty values.
func appendValues(dst []any, v any) []any {
	list, ok := v.([]any)
	if !ok {
		if !empty(v) {
			dst = append(dst, v)
		}
		return dst
	}
	for _, x := range list {
		if !empty(x) {
			dst = append(dst, x)
		}
	}
	return dst
}

func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// schemaURNs returns the values of "schemas": the core schema's URN and
// the URN of each extension in doc (the only keys with a colon).
func schemaURNs(core string, doc map[string]any) []any {
	urns := []any{core}
	for k, v := range doc {
		if strings.Contains(k, ":") && !empty(v) {
			urns = append(urns, k)
		}
	}
	return urns
}

// compare evaluates a bound comparison on the values at its path.
func compare(c Compare, vals []any) bool {
	switch {
	case c.Value == nil:
		return (len(vals) > 0) == (c.Op == Ne)
	case c.Op == Ne:
		return !anySatisfies(c.Path.Bound.Leaf(), Eq, c.Value, vals)
	}
	return anySatisfies(c.Path.Bound.Leaf(), c.Op, c.Value, vals)
}

func anySatisfies(a *scim.Attribute, op Op, lit any, vals []any) bool {
	for _, v := range vals {
		if satisfies(a, op, v, lit) {
			return true
		}
	}
	return false
}

// satisfies reports whether the value v of attribute a satisfies "op lit".
func satisfies(a *scim.Attribute, op Op, v, lit any) bool {
	switch a.Type {
	case scim.Boolean:
		x, ok := v.(bool)
		return ok && op == Eq && x == lit
	case scim.Integer, scim.Decimal:
		x, ok1 := number(v)
		y, ok2 := number(lit)
		return ok1 && ok2 && ordered(op, cmp.Compare(x, y))
	}
	x, ok1 := v.(string)
	y, ok2 := lit.(string)
	if !ok1 || !ok2 {
		return false
	}
	x, y = schema.SearchString(a, x), schema.SearchString(a, y)
	switch op {
	case Co:
		return strings.Contains(x, y)
	case Sw:
		return strings.HasPrefix(x, y)
	case Ew:
		return strings.HasSuffix(x, y)
	}
	return ordered(op, strings.Compare(x, y))
}

// ordered reports whether a comparison result c satisfies op.
func ordered(op Op, c int) bool {
	switch op {
	case Eq:
		return c == 0
	case Gt:
		return c > 0
	case Ge:
		return c >= 0
	case Lt:
		return c < 0
	case Le:
		return c <= 0
	}
	return false
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	}
	return 0, false
}
