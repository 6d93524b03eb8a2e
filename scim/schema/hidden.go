package schema

import "github.com/scimd/scimd/scim"

// KeepUndeclared carries into next, the document that replaces old (PUT,
// RFC 7644 §3.5.1), the values of old that rt doesn't declare: attributes
// removed from a schema and extensions no longer attached to rt. Nobody can
// see, filter or send them, so a replacement can't mean to erase them;
// kept, they are served again once the schema declares them again. Inside
// a single-valued complex attribute that next holds too, undeclared
// sub-attributes are kept as well; the values of a multi-valued attribute
// are replaced whole, as they can't be matched one to one.
func (rt *ResourceType) KeepUndeclared(old, next map[string]any) {
	for k, v := range old {
		if e, ok := rt.extensionByID(k); ok {
			obj, _ := v.(map[string]any)
			nobj, _ := next[k].(map[string]any)
			if kept := keepUndeclared(e.Schema.Attributes, obj, nobj); len(kept) > 0 {
				next[k] = kept
			}
			continue
		}
		a := findExact(rt.Schema.Attributes, k)
		if a == nil {
			a = findExact(rt.common, k)
		}
		switch {
		case a == nil:
			next[k] = v
		case a.Type == scim.Complex && !a.MultiValued:
			keepSubs(a, v, next)
		}
	}
}

// keepUndeclared returns next (created if nil and needed) with the
// members of old that attrs doesn't declare.
func keepUndeclared(attrs []*scim.Attribute, old, next map[string]any) map[string]any {
	for k, v := range old {
		a := findExact(attrs, k)
		switch {
		case a == nil:
			if next == nil {
				next = map[string]any{}
			}
			next[k] = v
		case a.Type == scim.Complex && !a.MultiValued && next != nil:
			keepSubs(a, v, next)
		}
	}
	return next
}

// keepSubs keeps the undeclared sub-attributes of old, a value of the
// single-valued complex attribute a, in the value next holds for a, if any.
func keepSubs(a *scim.Attribute, old any, next map[string]any) {
	o, _ := old.(map[string]any)
	n, _ := next[a.Name].(map[string]any)
	if n == nil {
		return
	}
	for k, v := range o {
		if _, has := n[k]; !has && findExact(a.SubAttributes, k) == nil {
			n[k] = v
		}
	}
}

// extensionByID returns the extension whose URN is exactly key, as stored
// documents spell it.
func (rt *ResourceType) extensionByID(key string) (Extension, bool) {
	for _, e := range rt.Extensions {
		if e.Schema.ID == key {
			return e, true
		}
	}
	return Extension{}, false
}

// findExact finds an attribute by its exact name, as stored documents
// spell it (Normalize stores the schema's spelling).
func findExact(attrs []*scim.Attribute, name string) *scim.Attribute {
	for _, a := range attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}
