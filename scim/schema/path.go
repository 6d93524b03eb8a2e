package schema

import (
	"strings"

	"github.com/scimd/scimd/scim"
)

// Path is an attribute reference resolved against a resource type: a
// top-level attribute of the core schema, of an extension, or a common
// attribute (id, externalId, meta), optionally narrowed to a sub-attribute.
// A Path with a nil Attr names a whole extension.
type Path struct {
	Schema *scim.Schema // nil for the common attributes
	Ext    bool         // Schema is an extension
	Attr   *scim.Attribute
	Sub    *scim.Attribute
}

// Leaf returns the attribute the path ends at.
func (p Path) Leaf() *scim.Attribute {
	if p.Sub != nil {
		return p.Sub
	}
	return p.Attr
}

// String returns the canonical spelling: "name.givenName", or
// "urn:...:enterprise:2.0:User:manager.value" for extension attributes.
func (p Path) String() string {
	var b strings.Builder
	if p.Ext {
		b.WriteString(p.Schema.ID)
		if p.Attr == nil {
			return b.String()
		}
		b.WriteByte(':')
	}
	b.WriteString(p.Attr.Name)
	if p.Sub != nil {
		b.WriteByte('.')
		b.WriteString(p.Sub.Name)
	}
	return b.String()
}

// Lookup resolves an attribute given as an optional schema URN, an attribute
// name and an optional sub-attribute name, all case-insensitively
// (RFC 7643 §2.1, RFC 7644 §3.10). An empty urn searches the common
// attributes, then the core schema, then the extensions: an extension
// attribute may be named without its URN when exactly one extension has an
// attribute of that name (NewRegistry keeps extension attributes from
// sharing a core attribute's name). A name that matches nothing or several
// extension attributes, and a sub-attribute of a non-complex attribute,
// resolve to false.
func (rt *ResourceType) Lookup(urn, name, sub string) (Path, bool) {
	var p Path
	switch {
	case urn == "" || strings.EqualFold(urn, rt.Schema.ID):
		if a := findAttr(rt.common, name); a != nil {
			p.Attr = a
		} else {
			p.Schema, p.Attr = rt.Schema, findAttr(rt.Schema.Attributes, name)
		}
		if p.Attr == nil && urn == "" {
			if exts := rt.ExtensionsWith(name); len(exts) == 1 {
				p = Path{Schema: exts[0], Ext: true, Attr: findAttr(exts[0].Attributes, name)}
			}
		}
	default:
		e, ok := rt.Extension(urn)
		if !ok || !strings.EqualFold(e.Schema.ID, urn) {
			return Path{}, false
		}
		p.Schema, p.Ext, p.Attr = e.Schema, true, findAttr(e.Schema.Attributes, name)
	}
	if p.Attr == nil {
		return Path{}, false
	}
	if sub != "" {
		if p.Sub = findAttr(p.Attr.SubAttributes, sub); p.Sub == nil {
			return Path{}, false
		}
	}
	return p, true
}

// ExtensionsWith returns the extension schemas of rt that have a top-level
// attribute of the given name: those a name without a URN may stand for.
func (rt *ResourceType) ExtensionsWith(name string) []*scim.Schema {
	var out []*scim.Schema
	for _, e := range rt.Extensions {
		if findAttr(e.Schema.Attributes, name) != nil {
			out = append(out, e.Schema)
		}
	}
	return out
}

// Qualified returns, for an attribute path without a schema URN whose
// name several extensions have an attribute of, the path qualified with
// each of their URNs; nil if the path names its schema or is not
// ambiguous.
func (rt *ResourceType) Qualified(path string) []string {
	if strings.Contains(path, ":") {
		return nil
	}
	name, rest, _ := strings.Cut(path, ".")
	exts := rt.ExtensionsWith(name)
	if len(exts) < 2 {
		return nil
	}
	out := make([]string, len(exts))
	for i, e := range exts {
		out[i] = e.ID + ":" + findAttr(e.Attributes, name).Name
		if rest != "" {
			out[i] += "." + rest
		}
	}
	return out
}

// ambiguous returns the error for an attribute path without a URN that
// several extensions have an attribute of, or nil.
func (rt *ResourceType) ambiguous(path string) error {
	if q := rt.Qualified(path); q != nil {
		return scim.BadRequest(scim.InvalidValue, "attribute %q is ambiguous: name one of %s", path, quoteList(q))
	}
	return nil
}

// Resolve resolves an attribute path in the notation of RFC 7644 §3.10:
// "name", "name.givenName", "urn:...:User:userName" or
// "urn:...:enterprise:2.0:User:manager.value". A bare extension URN resolves
// to a Path naming the whole extension.
func (rt *ResourceType) Resolve(path string) (Path, bool) {
	if e, ok := rt.Extension(path); ok && strings.EqualFold(e.Schema.ID, path) {
		return Path{Schema: e.Schema, Ext: true}, true
	}
	urn, rest := SplitURN(path)
	name, sub, _ := strings.Cut(rest, ".")
	return rt.Lookup(urn, name, sub)
}

// SplitURN splits "urn:...:attr.sub" at its last colon into the schema URN
// and the attribute part. Attribute names can't contain colons (RFC 7643
// §2.1), so the last colon always ends the URN. A path without a colon has
// no URN.
func SplitURN(path string) (urn, rest string) {
	i := strings.LastIndexByte(path, ':')
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}

func findAttr(attrs []*scim.Attribute, name string) *scim.Attribute {
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}
