package schema

import (
	"slices"
	"strings"

	"github.com/scimd/scimd/scim"
)

// Extension is a schema extension attached to a resource type.
type Extension struct {
	Schema   *scim.Schema
	Required bool
}

// ResourceType is a resource type with its schemas resolved (RFC 7643 §6).
// It is immutable once registered.
type ResourceType struct {
	Name        string
	Endpoint    string // with the leading slash, e.g. "/Users"
	Description string
	Schema      *scim.Schema
	Extensions  []Extension
	// Indexes lists attribute paths (as Resolve takes them) whose values
	// storage indexes for fast lookups. Attributes with uniqueness
	// "server" or "global" are always indexed.
	Indexes []string
	// Substring lists string attribute paths whose values storage indexes
	// for substring search (co, ew): a trigram index.
	Substring []string
	// Scopes are the permissions its endpoints require.
	Scopes Scopes

	common  []*scim.Attribute
	indexed []Index
	text    []Path
}

// TextIndexed returns the attributes storage indexes for substring search.
func (rt *ResourceType) TextIndexed() []Path { return rt.text }

// Index is an attribute whose values storage keeps in an index.
type Index struct {
	Path   Path
	Unique bool
}

// Form names the form of an index's values, which SearchDoc gives them:
// the attribute's type, and whether its case is kept. Stored values are in
// the form of their writing, so an index whose form changes is built anew.
func (ix Index) Form() string {
	a := ix.Path.Leaf()
	if a.CaseExact {
		return string(a.Type) + "/caseExact"
	}
	return string(a.Type)
}

// Indexed returns the attributes storage indexes for rt.
func (rt *ResourceType) Indexed() []Index { return rt.indexed }

// IndexValues returns the distinct values an index holds for a search
// document (SearchDoc): the strings at its path, one per value of a
// multi-valued attribute.
func (ix Index) IndexValues(sdoc map[string]any) []string {
	v := sdoc[ix.Path.Attr.Name]
	if ix.Path.Ext {
		obj, _ := sdoc[ix.Path.Schema.ID].(map[string]any)
		v = obj[ix.Path.Attr.Name]
	}
	var out []string
	add := func(v any) {
		if s, ok := v.(string); ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	values := []any{v}
	if list, ok := v.([]any); ok {
		values = list
	}
	for _, e := range values {
		if ix.Path.Sub != nil {
			m, _ := e.(map[string]any)
			e = m[ix.Path.Sub.Name]
		}
		add(e)
	}
	return out
}

// Wire returns the ResourceType resource served at /ResourceTypes.
func (rt *ResourceType) Wire() scim.ResourceType {
	out := scim.ResourceType{
		Schemas:     []string{scim.ResourceTypeSchema},
		ID:          rt.Name,
		Name:        rt.Name,
		Description: rt.Description,
		Endpoint:    rt.Endpoint,
		Schema:      rt.Schema.ID,
	}
	for _, e := range rt.Extensions {
		out.SchemaExtensions = append(out.SchemaExtensions, scim.SchemaExtension{Schema: e.Schema.ID, Required: e.Required})
	}
	return out
}

// Extension returns the extension whose URN (or, as WSO2 clients send it,
// whose schema name, e.g. "EnterpriseUser") equals key case-insensitively.
// A schema name that is also an attribute's name (a schema "Site" with an
// attribute "site") names the attribute.
func (rt *ResourceType) Extension(key string) (Extension, bool) {
	for _, e := range rt.Extensions {
		if strings.EqualFold(e.Schema.ID, key) {
			return e, true
		}
	}
	if _, isAttr := rt.Lookup("", key, ""); isAttr {
		return Extension{}, false
	}
	for _, e := range rt.Extensions {
		if e.Schema.Name != "" && strings.EqualFold(e.Schema.Name, key) {
			return e, true
		}
	}
	return Extension{}, false
}

// HasSchema reports whether urn is the core schema or an extension of rt.
func (rt *ResourceType) HasSchema(urn string) bool {
	if strings.EqualFold(rt.Schema.ID, urn) {
		return true
	}
	for _, e := range rt.Extensions {
		if strings.EqualFold(e.Schema.ID, urn) {
			return true
		}
	}
	return false
}

// Schemas returns the "schemas" value of a document: the core schema and the
// extensions it holds attributes of.
func (rt *ResourceType) Schemas(doc map[string]any) []string {
	out := []string{rt.Schema.ID}
	for _, e := range rt.Extensions {
		// An extension object holding only values of attributes no longer
		// declared (kept, hidden) is not part of the representation.
		if m, ok := doc[e.Schema.ID].(map[string]any); ok && holdsDeclared(e.Schema.Attributes, m) {
			out = append(out, e.Schema.ID)
		}
	}
	return out
}

// Registry holds the resource types and schemas a server serves.
type Registry struct {
	types   []*ResourceType
	schemas []*scim.Schema
}

// NewRegistry checks and registers resource types. Names, endpoints and
// schema URNs must be unique; a schema shared by two resource types must be
// the same value. Every schema must pass CheckSchema, and within a resource
// type no extension attribute may be named like a core or common one, nor
// two extensions have one schema name. A refusal is a *DefinitionError.
func NewRegistry(types ...*ResourceType) (*Registry, error) {
	r := &Registry{}
	for _, rt := range types {
		if err := r.add(rt); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Registry) add(rt *ResourceType) error {
	if err := checkResourceType(rt); err != nil {
		return err
	}
	for _, o := range r.types {
		if strings.EqualFold(o.Name, rt.Name) {
			return rtError(rt, "the name is taken by another resource type")
		}
		if strings.EqualFold(o.Endpoint, rt.Endpoint) {
			return rtError(rt, "the endpoint %s is taken by resource type %s", rt.Endpoint, o.Name)
		}
	}
	rt.common = commonAttributes()
	if err := checkNames(rt); err != nil {
		return err
	}
	var added []*scim.Schema
	for _, s := range append([]*scim.Schema{rt.Schema}, extensionSchemas(rt)...) {
		o := r.Schema(s.ID)
		if o == nil {
			o = findSchema(added, s.ID)
		}
		switch {
		case o == s:
		case o != nil:
			return &DefinitionError{ResourceType: rt.Name, Schema: s.ID, Problem: "two different schemas have this id"}
		default:
			if err := CheckSchema(s); err != nil {
				return err
			}
			added = append(added, s)
		}
	}
	if err := rt.resolveIndexes(); err != nil {
		return err
	}
	r.schemas = append(r.schemas, added...)
	r.types = append(r.types, rt)
	return nil
}

// findSchema returns the schema of a list with the given URN (matched
// case-insensitively), or nil.
func findSchema(list []*scim.Schema, urn string) *scim.Schema {
	for _, s := range list {
		if strings.EqualFold(s.ID, urn) {
			return s
		}
	}
	return nil
}

// resolveIndexes resolves rt.Indexes and adds the unique attributes.
func (rt *ResourceType) resolveIndexes() error {
	rt.indexed = nil
	add := func(p Path) {
		unique := p.Leaf().Uniqueness != scim.UniqueNone && !p.Leaf().MultiValued && p.Sub == nil
		for _, ix := range rt.indexed {
			if ix.Path.String() == p.String() {
				return
			}
		}
		rt.indexed = append(rt.indexed, Index{Path: p, Unique: unique})
	}
	for _, a := range rt.Schema.Attributes {
		if a.Uniqueness != scim.UniqueNone && a.Mutability != scim.ReadOnly {
			add(Path{Schema: rt.Schema, Attr: a})
		}
	}
	for _, e := range rt.Extensions {
		for _, a := range e.Schema.Attributes {
			if a.Uniqueness != scim.UniqueNone && a.Mutability != scim.ReadOnly {
				add(Path{Schema: e.Schema, Ext: true, Attr: a})
			}
		}
	}
	rt.text = nil
	for _, s := range rt.Substring {
		p, ok := rt.Resolve(s)
		if !ok || p.Attr == nil || p.Attr.Name == "id" || p.Attr.Name == "meta" {
			return rtError(rt, "can't index %q for substring search: not an attribute", s)
		}
		if t := p.Leaf().Type; t != scim.String && t != scim.Reference {
			return rtError(rt, "can't index %q for substring search: not a string attribute, but %s", s, t)
		}
		rt.text = append(rt.text, p)
	}
	if len(rt.text) > 63 {
		return rtError(rt, "at most 63 attributes can be indexed for substring search")
	}
	for _, s := range rt.Indexes {
		p, ok := rt.Resolve(s)
		if !ok || p.Attr == nil || p.Attr.Name == "id" || p.Attr.Name == "meta" {
			return rtError(rt, "can't index %q: not an attribute", s)
		}
		if t := p.Leaf().Type; t == scim.Complex || t == scim.Boolean || t == scim.Integer || t == scim.Decimal {
			return rtError(rt, "can't index %q: only string, reference, dateTime and binary values are indexed, and it is %s", s, t)
		}
		add(p)
	}
	return nil
}

func extensionSchemas(rt *ResourceType) []*scim.Schema {
	out := make([]*scim.Schema, len(rt.Extensions))
	for i, e := range rt.Extensions {
		out[i] = e.Schema
	}
	return out
}

// ResourceTypes returns the registered resource types in registration order.
func (r *Registry) ResourceTypes() []*ResourceType { return r.types }

// Schemas returns every schema of every resource type, in registration order.
func (r *Registry) Schemas() []*scim.Schema { return r.schemas }

// ResourceType returns the resource type with the given name, case-insensitively.
func (r *Registry) ResourceType(name string) *ResourceType {
	for _, rt := range r.types {
		if strings.EqualFold(rt.Name, name) {
			return rt
		}
	}
	return nil
}

// ByEndpoint returns the resource type served at endpoint ("/Users" or "Users").
func (r *Registry) ByEndpoint(endpoint string) *ResourceType {
	endpoint = "/" + strings.TrimPrefix(endpoint, "/")
	for _, rt := range r.types {
		if strings.EqualFold(rt.Endpoint, endpoint) {
			return rt
		}
	}
	return nil
}

// Schema returns the schema with the given URN, case-insensitively.
func (r *Registry) Schema(urn string) *scim.Schema {
	for _, s := range r.schemas {
		if strings.EqualFold(s.ID, urn) {
			return s
		}
	}
	return nil
}

// User and Group resource type names.
const (
	UserType  = "User"
	GroupType = "Group"
)

// Default returns a registry of the RFC 7643 resource types: User with the
// optional Enterprise User extension, and Group.
func Default() *Registry {
	r, err := NewRegistry(
		&ResourceType{Name: UserType, Endpoint: "/Users", Description: "User Account", Schema: UserSchema(),
			Extensions: []Extension{{Schema: EnterpriseUserSchema()}},
			Indexes:    []string{"externalId", "emails.value"}, Substring: []string{"userName", "displayName", "emails.value"}},
		&ResourceType{Name: GroupType, Endpoint: "/Groups", Description: "Group", Schema: GroupSchema(),
			Indexes: []string{"displayName", "externalId"}, Substring: []string{"displayName"}},
	)
	if err != nil {
		panic(err) // the built-in definitions are constants; a failure is a programming error
	}
	return r
}
