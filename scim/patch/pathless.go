package patch

import (
	"maps"
	"strings"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// parsePathless validates an operation without a path: add and replace
// take a partial resource; remove needs a path (RFC 7644 §3.5.2.2).
func parsePathless(rt *schema.ResourceType, op Operation, opts Options) (Operation, error) {
	if op.Op == "remove" {
		return op, opError(op.Index, scim.NoTarget, `remove needs a "path" naming what to remove (RFC 7644 §3.5.2.2)`)
	}
	obj, ok := op.RawValue.(map[string]any)
	if !ok {
		return op, opError(op.Index, scim.InvalidValue, "%s without a path needs a JSON object of attributes as its value, not %s", op.Op, kind(op.RawValue))
	}
	obj = bareManager(rt, obj, opts)
	mv, hasMembers, err := memberValue(rt, obj)
	if err != nil {
		return op, prefixed(op.Index, err)
	}
	doc, err := rt.Normalize(obj)
	if err != nil {
		return op, prefixed(op.Index, err)
	}
	if hasMembers {
		doc["members"] = mv
	}
	if op.Op == "replace" {
		op.unassign = unassigned(rt, obj, doc)
	}
	op.Doc = doc
	return op, nil
}

// memberValue takes a group's members out of obj, a copy of a path-less
// value: they go to the membership table as sent, not through the
// document.
func memberValue(rt *schema.ResourceType, obj map[string]any) (v any, ok bool, err error) {
	if rt.Schema.ID != scim.GroupSchema {
		return nil, false, nil
	}
	for _, k := range sortedKeys(obj) {
		if !strings.EqualFold(k, "members") {
			continue
		}
		if ok {
			return nil, false, scim.BadRequest(scim.InvalidValue, `attribute "members" is given more than once (at %q)`, k)
		}
		v, ok = obj[k], true
		delete(obj, k)
	}
	return v, ok, nil
}

// unassigned returns the attributes that the value of a path-less replace
// sets to null or to an empty value, which Normalize leaves out of doc:
// the replace unassigns them (RFC 7643 §2.5). In a single complex value,
// the sub-attributes sent as null are unassigned; the others are left, as
// a replace leaves them (RFC 7644 §3.5.2.3).
func unassigned(rt *schema.ResourceType, obj, doc map[string]any) []schema.Path {
	var out []schema.Path
	for _, k := range sortedKeys(obj) {
		e, ok := rt.Extension(k)
		if !ok {
			if p, ok := rt.Resolve(k); ok && p.Attr != nil {
				out = emptied(out, rt, p, obj[k], doc)
			}
			continue
		}
		if obj[k] == nil {
			out = append(out, schema.Path{Schema: e.Schema, Ext: true})
		}
		inner, _ := obj[k].(map[string]any)
		for _, name := range sortedKeys(inner) {
			attr, sub, _ := strings.Cut(name, ".")
			if p, ok := rt.Lookup(e.Schema.ID, attr, sub); ok {
				out = emptied(out, rt, p, inner[name], doc)
			}
		}
	}
	return out
}

// emptied appends p to out if v, the value sent for it, is null or empty
// (doc has no value at p); for a single complex value, it looks at each of
// the sub-attributes sent. Read-only attributes are ignored, as Normalize
// ignores them, and so is the write-only password, which is not part of
// the document.
func emptied(out []schema.Path, rt *schema.ResourceType, p schema.Path, v any, doc map[string]any) []schema.Path {
	obj, isObj := v.(map[string]any)
	switch {
	case !writable(p):
	case isObj && p.Sub == nil && !p.Attr.MultiValued:
		urn := ""
		if p.Ext {
			urn = p.Schema.ID
		}
		for _, k := range sortedKeys(obj) {
			if q, ok := rt.Lookup(urn, p.Attr.Name, k); ok {
				out = emptied(out, rt, q, obj[k], doc)
			}
		}
	case !has(doc, p):
		out = append(out, p)
	}
	return out
}

// writable reports whether a client can set p: it is neither read-only
// nor write-only (the password, which is not part of the document).
func writable(p schema.Path) bool {
	for _, a := range []*scim.Attribute{p.Attr, p.Leaf()} {
		if a.Mutability == scim.ReadOnly || a.Mutability == scim.WriteOnly {
			return false
		}
	}
	return true
}

// has reports whether a document has a value at a path.
func has(doc map[string]any, p schema.Path) bool {
	if p.Ext {
		doc, _ = doc[p.Schema.ID].(map[string]any)
	}
	v, ok := doc[p.Attr.Name]
	if ok && p.Sub != nil {
		m, _ := v.(map[string]any)
		_, ok = m[p.Sub.Name]
	}
	return ok
}

// bareManager returns a copy of a path-less value in which, with
// Options.BareManager, "manager": "id" is {"value": "id"}, under whichever
// key the manager is sent.
func bareManager(rt *schema.ResourceType, obj map[string]any, opts Options) map[string]any {
	out := maps.Clone(obj)
	if !opts.BareManager {
		return out
	}
	for k, v := range out {
		if p, ok := rt.Resolve(k); ok && p.Attr != nil {
			out[k] = bareManagerValue(p, v)
		} else if e, ok := rt.Extension(k); ok && e.Schema.ID == scim.EnterpriseUserSchema {
			out[k] = bareManagerIn(v)
		}
	}
	return out
}

// bareManagerIn rewrites a bare manager in the object of the Enterprise
// User extension.
func bareManagerIn(ext any) any {
	obj, ok := ext.(map[string]any)
	if !ok {
		return ext
	}
	out := maps.Clone(obj)
	for k, v := range obj {
		if s, ok := v.(string); ok && strings.EqualFold(k, "manager") {
			out[k] = map[string]any{"value": s}
		}
	}
	return out
}

// bareManagerValue returns {"value": v} for a string v set at the path of
// the Enterprise User manager, and v otherwise.
func bareManagerValue(p schema.Path, v any) any {
	s, ok := v.(string)
	if ok && p.Ext && p.Schema.ID == scim.EnterpriseUserSchema && p.Attr != nil && p.Attr.Name == "manager" && p.Sub == nil {
		return map[string]any{"value": s}
	}
	return v
}
