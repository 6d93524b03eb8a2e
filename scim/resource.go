package scim

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Resource is a resource of any type — a custom resource type, an extension
// the Go types do not model, or a User or Group handled generically — as a
// decoded JSON object. Numbers decode as json.Number, so none loses
// precision; an attribute sent as null is a key with a nil value, distinct
// from an absent one.
//
// Attribute names match case-insensitively in Get and Set (RFC 7643 §2.1);
// the map itself keeps the names as the service provider sent them.
type Resource map[string]any

// UnmarshalJSON decodes a JSON object, with numbers as json.Number.
func (r *Resource) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return err
	}
	*r = m
	return nil
}

// ID returns the resource's "id" (RFC 7643 §3.1).
func (r Resource) ID() string { return r.str("id") }

// ExternalID returns the resource's "externalId" (RFC 7643 §3.1).
func (r Resource) ExternalID() string { return r.str("externalId") }

// Version returns "meta.version", the resource's entity tag (RFC 7643 §3.1).
func (r Resource) Version() string {
	v, _ := r.Get("meta.version")
	s, _ := v.(string)
	return s
}

// Schemas returns the URNs in the resource's "schemas".
func (r Resource) Schemas() []string {
	v, _ := r.Get("schemas")
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s, ok := s.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Meta returns the resource's "meta" attribute, or nil when it is absent or
// malformed.
func (r Resource) Meta() *Meta {
	v, ok := r.Get("meta")
	if !ok || v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m Meta
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return &m
}

func (r Resource) str(name string) string {
	v, _ := r.Get(name)
	s, _ := v.(string)
	return s
}

// Get returns the value at path: an attribute name, a dotted sub-attribute
// ("name.givenName") or either qualified by its schema URN
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value").
func (r Resource) Get(path string) (any, bool) {
	if v, ok := lookupFold(r, path); ok {
		return v, true
	}
	obj, rest := r.extension(path)
	var v any = map[string]any(obj)
	for name := range strings.SplitSeq(rest, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = lookupFold(m, name); !ok {
			return nil, false
		}
	}
	return v, true
}

// Set stores v at path, as Get reads it, creating the objects on the way.
// A value already present under a name that differs only in case is
// replaced. A URN-qualified path always names an attribute within an
// extension; store a whole extension object with r[urn] = obj.
func (r Resource) Set(path string, v any) {
	obj, rest := r.extension(path)
	if obj == nil {
		urn := path[:len(path)-len(rest)-1]
		obj = make(map[string]any)
		setFold(r, urn, obj)
	}
	names := strings.Split(rest, ".")
	for _, name := range names[:len(names)-1] {
		next, _ := lookupFold(obj, name)
		m, ok := next.(map[string]any)
		if !ok {
			m = make(map[string]any)
			setFold(obj, name, m)
		}
		obj = m
	}
	setFold(obj, names[len(names)-1], v)
}

// extension splits a URN-qualified path into the extension object it names
// (nil when absent) and the path within it; any other path is within r.
func (r Resource) extension(path string) (map[string]any, string) {
	if !isURN(path) {
		return r, path
	}
	i := strings.LastIndexByte(path, ':')
	urn, rest := path[:i], path[i+1:]
	if isCoreSchema(urn) {
		return r, rest
	}
	v, _ := lookupFold(r, urn)
	m, _ := v.(map[string]any)
	return m, rest
}

// isCoreSchema reports whether urn is the core User or Group schema, whose
// attributes are at the top level of a resource.
func isCoreSchema(urn string) bool {
	return strings.EqualFold(urn, UserSchema) || strings.EqualFold(urn, GroupSchema)
}

func lookupFold(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

func setFold(m map[string]any, name string, v any) {
	for k := range m {
		if k != name && strings.EqualFold(k, name) {
			delete(m, k)
		}
	}
	m[name] = v
}
