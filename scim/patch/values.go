package patch

import (
	"maps"
	"slices"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

// merge returns a copy of old with the members of v set on it (complex
// values), or a copy of v if either is not an object.
func merge(old, v any) any {
	o, ok1 := old.(map[string]any)
	n, ok2 := v.(map[string]any)
	if !ok1 || !ok2 {
		return deepCopy(v)
	}
	out := deepCopy(o).(map[string]any)
	for k, x := range n {
		out[k] = deepCopy(x)
	}
	return out
}

// withSub returns a copy of a complex value with a sub-attribute set to v,
// or removed when v is nil.
func withSub(obj map[string]any, name string, v any) map[string]any {
	out := maps.Clone(obj)
	if out == nil {
		out = map[string]any{}
	}
	if v == nil {
		delete(out, name)
	} else {
		out[name] = deepCopy(v)
	}
	return out
}

// store sets c[name] to v, or deletes it when v holds no value.
func store(c map[string]any, name string, v any) {
	switch x := v.(type) {
	case nil:
		delete(c, name)
		return
	case []any:
		if len(x) == 0 {
			delete(c, name)
			return
		}
	case map[string]any:
		if len(x) == 0 {
			delete(c, name)
			return
		}
	}
	c[name] = v
}

// compact drops nil and empty elements.
func compact(list []any) []any {
	out := list[:0:0]
	for _, e := range list {
		if m, ok := e.(map[string]any); e == nil || ok && len(m) == 0 {
			continue
		}
		out = append(out, e)
	}
	return out
}

func first(list []any) any {
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

// values returns the elements of an attribute's value: its list, or the
// single complex value as a one-element list.
func values(a *scim.Attribute, v any) []any {
	if a.MultiValued {
		list, _ := v.([]any)
		return list
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func asList(v any) []any {
	if list, ok := v.([]any); ok {
		return list
	}
	return []any{v}
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// appendValues returns the values of a multi-valued attribute with copies
// of the added values it doesn't have already (RFC 7644 §3.5.2.1).
func appendValues(attr *scim.Attribute, old any, add []any) []any {
	list, _ := old.([]any)
	out := slices.Clone(list)
	for _, v := range add {
		if !slices.ContainsFunc(out, func(e any) bool { return schema.Equal(attr, e, v) }) {
			out = append(out, deepCopy(v))
		}
	}
	return out
}

// withoutValues removes from a multi-valued attribute the values listed:
// complex values match on their "value" sub-attribute.
func withoutValues(attr *scim.Attribute, old, remove any) any {
	list, _ := old.([]any)
	gone, _ := remove.([]any)
	return slices.DeleteFunc(slices.Clone(list), func(e any) bool {
		return slices.ContainsFunc(gone, func(g any) bool { return sameValue(attr, e, g) })
	})
}

func sameValue(attr *scim.Attribute, a, b any) bool {
	am, ok1 := a.(map[string]any)
	bm, ok2 := b.(map[string]any)
	if !ok1 || !ok2 || bm["value"] == nil {
		return schema.Equal(attr, a, b)
	}
	for _, s := range attr.SubAttributes {
		if s.Name == "value" {
			return schema.Equal(s, am["value"], bm["value"])
		}
	}
	return false
}

func isPrimary(e any) bool {
	m, _ := e.(map[string]any)
	return m["primary"] == true
}

// demote keeps one primary value in a multi-valued attribute after values
// were added to it: if an added value is primary (normalized lists have at
// most one), every other value loses "primary".
func demote(attr *scim.Attribute, all, added any) {
	i := slices.IndexFunc(asList(added), isPrimary)
	if attr.Type != scim.Complex || i < 0 {
		return
	}
	primary := asList(added)[i]
	for _, e := range all.([]any) {
		if isPrimary(e) && !schema.Equal(attr, e, primary) {
			e.(map[string]any)["primary"] = false
		}
	}
}

// demoteExcept keeps one primary value after the elements at the given
// indexes changed: if one of them is primary, the others lose it; if
// several are, the operation fails.
func demoteExcept(attr *scim.Attribute, elems []any, changed []int) error {
	if !attr.MultiValued {
		return nil
	}
	var primary []int
	for _, i := range changed {
		if isPrimary(elems[i]) {
			primary = append(primary, i)
		}
	}
	if len(primary) > 1 {
		return scim.BadRequest(scim.InvalidValue, "%s: the operation makes %d values primary; at most one may be (RFC 7643 §2.4)", attr.Name, len(primary))
	}
	for i, e := range elems {
		if len(primary) == 1 && i != primary[0] && isPrimary(e) {
			e.(map[string]any)["primary"] = false
		}
	}
	return nil
}

// checkPrimaries refuses a multi-valued attribute with several primaries.
func checkPrimaries(attr *scim.Attribute, list []any) error {
	n := 0
	for _, e := range list {
		if isPrimary(e) {
			n++
		}
	}
	if n > 1 {
		return scim.BadRequest(scim.InvalidValue, "%s: the operation makes %d values primary; at most one may be (RFC 7643 §2.4)", attr.Name, n)
	}
	return nil
}

// matching returns the indexes of the elements the path's filter selects.
func matching(p filter.Path, elems []any) []int {
	var out []int
	for i, e := range elems {
		if m, ok := e.(map[string]any); ok && matchElement(p, m) {
			out = append(out, i)
		}
	}
	return out
}

// matchElement evaluates the path's value filter on one element, as
// filter.Match evaluates attr[F] on a document holding only that element.
func matchElement(p filter.Path, e map[string]any) bool {
	b := p.Attr.Bound
	head := p.Attr
	head.Sub = ""
	head.Bound = schema.Path{Schema: b.Schema, Ext: b.Ext, Attr: b.Attr}
	var v any = e
	if b.Attr.MultiValued {
		v = []any{e}
	}
	doc := map[string]any{b.Attr.Name: v}
	if b.Ext {
		doc = map[string]any{b.Schema.ID: doc}
	}
	return filter.Match(filter.ValuePath{Path: head, Filter: p.Filter}, doc)
}

// equalities returns the element a filter's equality tests describe:
// emails[type eq "work"] → {"type": "work"}.
func equalities(p filter.Path) map[string]any {
	out := map[string]any{}
	var walk func(e filter.Expr)
	walk = func(e filter.Expr) {
		switch e := e.(type) {
		case filter.And:
			for _, t := range e {
				walk(t)
			}
		case filter.Compare:
			if e.Op == filter.Eq && e.Path.Bound.Sub != nil && e.Value != nil {
				if v, err := schema.NormalizeValue(schema.Path{Attr: e.Path.Bound.Sub}, e.Value); err == nil && v != nil {
					out[e.Path.Bound.Sub.Name] = v
				}
			}
		}
	}
	walk(p.Filter)
	return out
}
