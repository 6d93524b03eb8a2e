package patch

import (
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// Immutable values (RFC 7643 §2.2, RFC 7644 §3.5.2): "a client MUST NOT
// modify an attribute that has mutability "immutable"", but it "MAY "add"
// a value to an "immutable" attribute if the attribute had no previous
// value". Single-valued attributes and the sub-attributes of single
// complex values are checked around each operation, whatever path it
// takes to them (the attribute, its parent, a whole extension, or none);
// the immutable sub-attributes of multi-valued attributes belong to the
// individual values, which operations may add and remove but not edit
// (checkElement).

// fixedValue is an immutable value a document holds.
type fixedValue struct {
	path  schema.Path
	value any
}

// fixedValues returns the immutable single values the document holds.
func (a *applier) fixedValues() []fixedValue {
	out := fixedIn(nil, a.rt.Schema, false, a.doc)
	for _, e := range a.rt.Extensions {
		if obj, ok := a.doc[e.Schema.ID].(map[string]any); ok {
			out = fixedIn(out, e.Schema, true, obj)
		}
	}
	return out
}

func fixedIn(out []fixedValue, s *scim.Schema, ext bool, obj map[string]any) []fixedValue {
	for _, attr := range s.Attributes {
		v, ok := obj[attr.Name]
		if !ok || attr.MultiValued {
			continue
		}
		p := schema.Path{Schema: s, Ext: ext, Attr: attr}
		if attr.Mutability == scim.Immutable {
			out = append(out, fixedValue{p, v})
			continue
		}
		m, _ := v.(map[string]any)
		for _, sub := range attr.SubAttributes {
			if sv, ok := m[sub.Name]; ok && sub.Mutability == scim.Immutable {
				p.Sub = sub
				out = append(out, fixedValue{p, sv})
			}
		}
	}
	return out
}

// checkFixed refuses an operation that changed or removed one of the
// immutable values the document held before it.
func (a *applier) checkFixed(fixed []fixedValue) error {
	for _, f := range fixed {
		v, ok := a.get(f.path)
		if !ok {
			return scim.BadRequest(scim.Mutability, "%s is immutable: once set, it can't be removed", f.path)
		}
		if !schema.Equal(f.path.Leaf(), f.value, v) {
			return scim.BadRequest(scim.Mutability, "%s is immutable: once set, it can't be changed", f.path)
		}
	}
	return nil
}

// get returns the value at a path of a single-valued attribute.
func (a *applier) get(p schema.Path) (any, bool) {
	v, ok := a.container(p, false)[p.Attr.Name]
	if ok && p.Sub != nil {
		m, _ := v.(map[string]any)
		v, ok = m[p.Sub.Name]
	}
	return v, ok
}

// checkElement refuses a change to a value of a multi-valued complex
// attribute that alters or removes an immutable sub-attribute the value
// has. (Single complex values are checked by checkFixed.)
func checkElement(attr *scim.Attribute, old, next map[string]any) error {
	if !attr.MultiValued {
		return nil
	}
	for _, s := range attr.SubAttributes {
		ov, had := old[s.Name]
		if s.Mutability == scim.Immutable && had && !schema.Equal(s, ov, next[s.Name]) {
			return scim.BadRequest(scim.Mutability, "%s.%s is immutable: a value that has it can't change it (remove the value and add another)", attr.Name, s.Name)
		}
	}
	return nil
}
