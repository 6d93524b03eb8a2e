package filter

import (
	"strings"

	"github.com/scimd/scimd/scim/schema"
)

// Unassigned rewrites a parsed filter for a resource type so that the
// comparisons on attributes the type doesn't define read them as
// unassigned (RFC 7643 §2.5), with the rules of Match: "pr" is false, "eq
// null" true, "ne" true, every other comparison false; a value filter on
// such an attribute matches nothing. A query spanning resource types (a
// root .search, RFC 7644 §3.4.3) rewrites its filter for each type, then
// binds it; a filter no type understands fails in every Bind.
//
// Constants are written with the id attribute, which every resource has:
// "id pr" is true and "not (id pr)" false.
func Unassigned(e Expr, rt *schema.ResourceType) Expr {
	switch e := e.(type) {
	case And:
		out := make(And, len(e))
		for i, t := range e {
			out[i] = Unassigned(t, rt)
		}
		return out
	case Or:
		out := make(Or, len(e))
		for i, t := range e {
			out[i] = Unassigned(t, rt)
		}
		return out
	case Not:
		return Not{X: Unassigned(e.X, rt)}
	case Present:
		if !defined(e.Path, rt) {
			return constant(false)
		}
	case Compare:
		if !defined(e.Path, rt) {
			return constant(e.Op == Ne || e.Op == Eq && e.Value == nil)
		}
	case ValuePath:
		if !defined(e.Path, rt) {
			t, ok := e.Test.(Compare)
			return constant(ok && (t.Op == Ne && t.Value != nil || t.Op == Eq && t.Value == nil))
		}
	}
	return e
}

// defined reports whether rt has the attribute a path names (its
// sub-attribute, if any, is left for Bind to check).
func defined(p AttrPath, rt *schema.ResourceType) bool {
	if strings.EqualFold(p.Name, "schemas") && p.Sub == "" {
		return true
	}
	_, ok := rt.Lookup(p.URN, p.Name, "")
	return ok
}

func constant(v bool) Expr {
	id := Present{Path: AttrPath{Name: "id"}}
	if v {
		return id
	}
	return Not{X: id}
}
