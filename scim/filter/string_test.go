package filter_test

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim/filter"
)

// TestStringRoundTrip checks, on random trees, that String prints what
// Parse turns back into the same tree.
func TestStringRoundTrip(t *testing.T) {
	g := treeGen{rand.New(rand.NewPCG(1, 2))}
	for range 2000 {
		want := g.expr(4, false)
		s := want.String()
		got, err := filter.Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Fatalf("Parse(%q) (-got +want):\n%s", s, diff)
		}
	}
}

// treeGen generates the trees Parse produces: And and Or with two terms or
// more, none of its own kind, and no value path inside brackets.
type treeGen struct{ r *rand.Rand }

func (g treeGen) expr(depth int, inBrackets bool) filter.Expr {
	n := 3
	if depth > 0 {
		n = 7
	}
	switch g.r.IntN(n) {
	case 0:
		return g.compare(inBrackets)
	case 1:
		return filter.Present{Path: g.path(inBrackets)}
	case 2:
		if !inBrackets {
			return g.valuePath(depth)
		}
		return g.compare(inBrackets)
	case 3:
		return filter.Not{X: g.expr(depth-1, inBrackets)}
	case 4:
		return filter.And(g.terms(depth, inBrackets, func(e filter.Expr) bool { _, ok := e.(filter.And); return ok }))
	}
	return filter.Or(g.terms(depth, inBrackets, func(e filter.Expr) bool { _, ok := e.(filter.Or); return ok }))
}

func (g treeGen) terms(depth int, inBrackets bool, same func(filter.Expr) bool) []filter.Expr {
	terms := make([]filter.Expr, 2+g.r.IntN(3))
	for i := range terms {
		for terms[i] = g.expr(depth-1, inBrackets); same(terms[i]); terms[i] = g.expr(depth-1, inBrackets) {
		}
	}
	return terms
}

func (g treeGen) valuePath(depth int) filter.Expr {
	vp := filter.ValuePath{Path: filter.AttrPath{Name: g.pick("emails", "members", "X509Certificates")}, Filter: g.expr(depth-1, true)}
	switch g.r.IntN(3) {
	case 0:
		vp.Test = g.compare(true)
	case 1:
		vp.Test = filter.Present{Path: g.path(true)}
	}
	return vp
}

func (g treeGen) compare(inBrackets bool) filter.Expr {
	ops := []filter.Op{filter.Eq, filter.Ne, filter.Co, filter.Sw, filter.Ew, filter.Gt, filter.Ge, filter.Lt, filter.Le}
	return filter.Compare{Path: g.path(inBrackets), Op: ops[g.r.IntN(len(ops))], Value: g.value()}
}

func (g treeGen) path(inBrackets bool) filter.AttrPath {
	if inBrackets {
		return filter.AttrPath{Name: g.pick("type", "value", "$ref", "Primary")}
	}
	p := filter.AttrPath{Name: g.pick("userName", "name", "a-b_c", "not", "and", "or", "pr", "eq")}
	if g.r.IntN(3) == 0 {
		p.Sub = g.pick("familyName", "value", "$ref")
	}
	if g.r.IntN(4) == 0 {
		p.URN = g.pick("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "urn:x", "URN:a.b:c-d")
	}
	if p.String() == "not" { // a keyword where a filter starts
		p.Sub = "not"
	}
	return p
}

func (g treeGen) value() any {
	switch g.r.IntN(6) {
	case 0:
		return nil
	case 1:
		return g.r.IntN(2) == 0
	case 2:
		return json.Number(g.pick("0", "-1", "1.5", "1e10", "-0.5E-3", "12345678901234567890"))
	}
	var b strings.Builder
	for range g.r.IntN(8) {
		b.WriteString(g.pick("a", " ", `"`, `\`, "/", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "😀", "\u2028", "and", "or", "not", "(", ")", "[", "]", "eq", "true", "null", "1"))
	}
	return b.String()
}

func (g treeGen) pick(s ...string) string { return s[g.r.IntN(len(s))] }
