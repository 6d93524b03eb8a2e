package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// compiler turns a bound filter into an SQL condition on the resources
// table (alias r) with the semantics of filter.Match: the cases in
// scim/filter/testdata run through both. Every condition it emits is
// two-valued (never NULL), so NOT means what it says.
type compiler struct {
	d      dialect
	rt     *schema.ResourceType
	tenant string
	refs   func(rtype string) string // the URL prefix of a resource type's $refs
	text   []textDef                 // the type's substring-indexed attributes
	args   []any
}

// scope is where attribute paths are read: the resource's search document,
// or one element of a multi-valued attribute inside a value filter.
type scope struct {
	doc  string   // SQL expression of a JSON document
	keys []string // path inside doc to the value filtered, before the attribute
	elem bool     // doc is one element; paths name its sub-attributes
	// rel maps sub-attribute names to SQL values when the element is a
	// membership (a group's member, a user's group), not JSON.
	rel map[string]valueExpr
}

var top = scope{doc: "r.fdata"}

func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	return "?"
}

// cond compiles an expression in a scope.
func (c *compiler) cond(e filter.Expr, s scope) string {
	switch e := e.(type) {
	case filter.And:
		return c.join(e, " AND ", s)
	case filter.Or:
		if sql, ok := c.indexedIn(e, s); ok {
			return sql
		}
		return c.join(e, " OR ", s)
	case filter.Not:
		return "NOT (" + c.cond(e.X, s) + ")"
	case filter.Present:
		return c.present(e.Path.Bound, s)
	case filter.Compare:
		return c.compare(e, s)
	case filter.ValuePath:
		return c.valuePath(e, s)
	}
	panic(fmt.Sprintf("sqlstore: unknown filter node %T", e))
}

// join joins terms as a balanced tree, so that a chain of a thousand
// terms nests ten deep, not a thousand (SQLite limits expression depth).
func (c *compiler) join(terms []filter.Expr, op string, s scope) string {
	if len(terms) == 1 {
		return c.cond(terms[0], s)
	}
	mid := len(terms) / 2
	return "(" + c.join(terms[:mid], op, s) + ")" + op + "(" + c.join(terms[mid:], op, s) + ")"
}

func (c *compiler) present(p schema.Path, s scope) string {
	if s.rel != nil {
		return c.val(s.rel[p.Sub.Name]) + " IS NOT NULL"
	}
	if sql, ok := c.relational(p, func(v valueExpr) string { return c.d.boolean(true) }); ok {
		return sql
	}
	if p.Attr.Name == "schemas" && p.Sub == nil && !s.elem {
		return c.d.boolean(true)
	}
	if v, ok := c.column(p, s); ok {
		return c.val(v) + " IS NOT NULL"
	}
	return c.anyValue(p, s, c.d.present)
}

func (c *compiler) compare(e filter.Compare, s scope) string {
	p := e.Path.Bound
	switch {
	case e.Value == nil && e.Op == filter.Eq:
		return "NOT (" + c.present(p, s) + ")"
	case e.Value == nil && e.Op == filter.Ne:
		return c.present(p, s)
	case e.Op == filter.Ne:
		return "NOT (" + c.compare(filter.Compare{Path: e.Path, Op: filter.Eq, Value: e.Value}, s) + ")"
	}
	if p.Attr.Name == "schemas" && p.Sub == nil && !s.elem {
		return c.schemas(e)
	}
	leaf := p.Leaf()
	if s.rel != nil {
		return c.test(leaf, e.Op, e.Value, s.rel[p.Sub.Name])
	}
	if sql, ok := c.relational(p, func(v valueExpr) string { return c.test(leaf, e.Op, e.Value, v) }); ok {
		return sql
	}
	if v, ok := c.column(p, s); ok {
		return c.test(leaf, e.Op, e.Value, v)
	}
	if sql, ok := c.indexed(p, e, s); ok {
		return sql
	}
	cand, narrowed := c.textCandidates(p, e, s) // first: its arguments come first
	if !narrowed {
		cand, narrowed = c.containing(p, e, s)
	}
	exact := c.anyValue(p, s, func(v string) string { return c.test(leaf, e.Op, e.Value, valueExpr{sql: v, folded: true, json: true}) })
	if narrowed {
		return cand + " AND " + exact
	}
	return exact
}

// test compiles "v OP literal" for one value v of attribute a.
func (c *compiler) test(a *scim.Attribute, op filter.Op, lit any, v valueExpr) string {
	value := func() string { return c.val(v) }
	switch a.Type {
	case scim.Integer, scim.Decimal:
		f, _ := lit.(json.Number).Float64()
		return c.d.number(value, sqlOp(op), f, c.arg)
	case scim.Boolean:
		b, _ := lit.(bool)
		return "coalesce(" + c.val(v) + " = " + c.d.jsonBool(b) + ", " + c.d.boolean(false) + ")"
	}
	if v.nanos {
		t, _ := schema.ParseDateTime(lit.(string))
		return "coalesce(" + c.val(v) + " " + sqlOp(op) + " " + c.arg(t.UnixNano()) + ", " + c.d.boolean(false) + ")"
	}
	if !v.folded {
		v.sql = "lower(" + v.sql + ")" // relational values: ASCII type names
	}
	return c.d.text(value, v.json, op, schema.SearchString(a, lit.(string)), c.arg)
}

func sqlOp(op filter.Op) string {
	switch op {
	case filter.Gt:
		return ">"
	case filter.Ge:
		return ">="
	case filter.Lt:
		return "<"
	case filter.Le:
		return "<="
	}
	return "="
}

// anyValue compiles "some value at p satisfies test", reading p from the
// search document: one JSON value, or the elements of a multi-valued
// attribute through json_each.
func (c *compiler) anyValue(p schema.Path, s scope, test func(v string) string) string {
	keys := append([]string{}, s.keys...)
	if !s.elem {
		if p.Ext {
			keys = append(keys, p.Schema.ID)
		}
		keys = append(keys, p.Attr.Name)
	}
	if s.elem || !p.Attr.MultiValued {
		if p.Sub != nil {
			keys = append(keys, p.Sub.Name)
		}
		return test(c.d.value(s.doc, keys))
	}
	if p.Sub == nil {
		return "EXISTS (SELECT 1 FROM " + c.d.elements(s.doc, keys, "e") + " WHERE " + test("e.value") + ")"
	}
	return "EXISTS (SELECT 1 FROM " + c.d.elements(s.doc, keys, "e") + " WHERE " +
		test(c.d.value("e.value", []string{p.Sub.Name})) + ")"
}

// column returns the SQL value of an attribute the resources table keeps
// in a column rather than in the document: id and meta.
func (c *compiler) column(p schema.Path, s scope) (valueExpr, bool) {
	if s.elem || p.Schema != nil {
		return valueExpr{}, false
	}
	switch {
	case p.Attr.Name == "id":
		return valueExpr{sql: "r.id", folded: true}, true
	case p.Attr.Name != "meta":
		return valueExpr{}, false
	case p.Sub == nil:
		return valueExpr{sql: "1", folded: true}, true
	}
	switch p.Sub.Name {
	case "created":
		return valueExpr{sql: "r.created", nanos: true}, true
	case "lastModified":
		return valueExpr{sql: "r.modified", nanos: true}, true
	case "resourceType":
		return valueExpr{sql: "?", args: []any{c.rt.Name}, folded: true}, true
	case "version":
		return valueExpr{sql: `('W/"' || r.version || '"')`, folded: true}, true
	case "location":
		return valueExpr{sql: "(? || r.id)", args: []any{schema.SearchString(p.Sub, c.refs(c.rt.Name))}, folded: true}, true
	}
	return valueExpr{}, false
}

// valuePath compiles attr[F] and attr[F].sub OP v: one value of attr
// satisfies F (and the test).
func (c *compiler) valuePath(e filter.ValuePath, s scope) string {
	inner := e.Filter
	if e.Test != nil {
		inner = filter.And{e.Filter, e.Test}
		if t, ok := e.Test.(filter.Compare); ok && (t.Op == filter.Ne || t.Value == nil) {
			// attr[F].sub ne v ≡ not attr[F and sub eq v]; eq null ≡ not attr[F and sub pr]
			var pos filter.Expr = filter.Compare{Path: t.Path, Op: filter.Eq, Value: t.Value}
			if t.Value == nil {
				pos = filter.Present{Path: t.Path}
			}
			if t.Op == filter.Eq || t.Value != nil {
				return "NOT (" + c.valuePath(filter.ValuePath{Path: e.Path, Filter: filter.And{e.Filter, pos}}, s) + ")"
			}
			inner = filter.And{e.Filter, pos} // ne null ≡ pr
		}
	}
	p := e.Path.Bound
	if sql, ok := c.relationalFilter(p, inner); ok {
		return sql
	}
	keys := []string{}
	if p.Ext {
		keys = append(keys, p.Schema.ID)
	}
	keys = append(keys, p.Attr.Name)
	if !p.Attr.MultiValued { // its one value, if it has one
		return "(" + c.d.present(c.d.value(s.doc, keys)) + " AND " + c.cond(inner, scope{doc: s.doc, keys: keys, elem: true}) + ")"
	}
	return "EXISTS (SELECT 1 FROM " + c.d.elements(s.doc, keys, "v") + " WHERE " +
		c.cond(inner, scope{doc: "v.value", elem: true}) + ")"
}

// schemas compiles a comparison on "schemas", whose values are the core
// schema's URN and those of the extensions a resource holds: the candidate
// URNs are few, so they are tested here and only presence goes to SQL.
func (c *compiler) schemas(e filter.Compare) string {
	a := e.Path.Bound.Attr
	lit := schema.SearchString(a, e.Value.(string))
	if matchString(e.Op, schema.SearchString(a, c.rt.Schema.ID), lit) {
		return c.d.boolean(true)
	}
	var terms []string
	for _, ext := range c.rt.Extensions {
		if matchString(e.Op, schema.SearchString(a, ext.Schema.ID), lit) {
			terms = append(terms, c.d.present(c.d.value("r.fdata", []string{ext.Schema.ID})))
		}
	}
	if len(terms) == 0 {
		return c.d.boolean(false)
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}

func matchString(op filter.Op, v, lit string) bool {
	switch op {
	case filter.Eq:
		return v == lit
	case filter.Co:
		return strings.Contains(v, lit)
	case filter.Sw:
		return strings.HasPrefix(v, lit)
	case filter.Ew:
		return strings.HasSuffix(v, lit)
	case filter.Gt:
		return v > lit
	case filter.Ge:
		return v >= lit
	case filter.Lt:
		return v < lit
	case filter.Le:
		return v <= lit
	}
	return false
}

// textCandidates narrows a substring test (co, sw, ew) on an attribute
// indexed for substring search to the resources whose trigram index holds
// every trigram of the literal. The test itself still decides.
func (c *compiler) textCandidates(p schema.Path, e filter.Compare, s scope) (string, bool) {
	if s.elem || (e.Op != filter.Co && e.Op != filter.Sw && e.Op != filter.Ew) {
		return "", false
	}
	for _, d := range c.text {
		if d.path.String() == p.String() {
			return c.d.textCandidates(schema.SearchString(p.Leaf(), e.Value.(string)), d.num, c.arg)
		}
	}
	return "", false
}

// containing narrows an equality test on a string attribute to the
// resources whose search document holds the literal at the attribute's
// path, where the dialect has an index for that: the document
// {"emails": [{"value": "x"}]} for emails.value eq "X". The test itself
// still decides.
func (c *compiler) containing(p schema.Path, e filter.Compare, s scope) (string, bool) {
	if s.elem || e.Op != filter.Eq || (p.Sub == nil && p.Attr.Type == scim.Complex) {
		return "", false
	}
	switch p.Leaf().Type {
	case scim.String, scim.Reference, scim.DateTime, scim.Binary:
	default:
		return "", false
	}
	return c.d.containing(func() (string, error) {
		var v any = schema.SearchString(p.Leaf(), e.Value.(string))
		if p.Sub != nil {
			v = map[string]any{p.Sub.Name: v}
		}
		if p.Attr.MultiValued {
			v = []any{v}
		}
		doc := map[string]any{p.Attr.Name: v}
		if p.Ext {
			doc = map[string]any{p.Schema.ID: doc}
		}
		js, err := json.Marshal(doc)
		return string(js), err
	}, c.arg)
}

// maxTrigrams bounds the trigrams a substring query looks up; more narrow
// the candidates little.
const maxTrigrams = 12

// trigramQuery is an FTS5 query for rows holding every trigram of s
// ("" when s is shorter than a trigram): "abc" AND "bcd" ...
func trigramQuery(s string) string {
	r := []rune(s)
	n := len(r) - 2
	if n < 1 {
		return ""
	}
	step := max(1, n/maxTrigrams)
	var terms []string
	for i := 0; i < n; i += step {
		terms = append(terms, `"`+strings.ReplaceAll(string(r[i:i+3]), `"`, `""`)+`"`)
	}
	if last := `"` + strings.ReplaceAll(string(r[n-1:n+2]), `"`, `""`) + `"`; terms[len(terms)-1] != last {
		terms = append(terms, last)
	}
	return strings.Join(terms, " AND ")
}
