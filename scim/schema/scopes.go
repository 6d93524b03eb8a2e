package schema

import (
	"fmt"
	"slices"
)

// Scopes are the permission scopes that the endpoints of a resource type
// require (SPEC §3): Create for POST, List for GET of the list and
// .search, View for GET of one resource, Update for PUT and PATCH, Delete
// for DELETE. Bulk operations require the scope of the endpoint they stand
// for. A resource type without scopes is open to every authenticated
// caller; scimd's server refuses to serve one.
type Scopes struct {
	Create, List, View, Update, Delete string
}

// IsZero reports whether no scope is set.
func (s Scopes) IsZero() bool { return s == Scopes{} }

// All returns the distinct scopes, in the order create, list, view, update,
// delete.
func (s Scopes) All() []string {
	var out []string
	for _, sc := range []string{s.Create, s.List, s.View, s.Update, s.Delete} {
		if sc != "" && !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// check requires every scope or none, each a scope-token of RFC 6749 §3.3.
func (s Scopes) check(rt *ResourceType) error {
	if s.IsZero() {
		return nil
	}
	for _, f := range []struct{ what, scope string }{
		{"create", s.Create}, {"list", s.List}, {"view", s.View}, {"update", s.Update}, {"delete", s.Delete},
	} {
		if f.scope == "" {
			return rtError(rt, "it has scopes, but none for %s: give all five (create, list, view, update, delete)", f.what)
		}
		if err := CheckScope(f.scope); err != nil {
			return rtError(rt, "the %s scope: %v", f.what, err)
		}
	}
	return nil
}

// CheckScope reports whether s is a scope-token of RFC 6749 §3.3: one or
// more printable ASCII characters other than space, '"' and '\'.
func CheckScope(s string) error {
	if s == "" {
		return fmt.Errorf("a scope name is empty")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return fmt.Errorf("%q is not a scope name (RFC 6749 §3.3: printable ASCII without spaces, '\"' or '\\')", s)
		}
	}
	return nil
}
