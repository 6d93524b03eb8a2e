package schemaconfig

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// builder gathers what the files define and applies it to the built-in
// resource types.
type builder struct {
	base []*schema.ResourceType
	// baseSchemas are the built-in schemas a file may extend or redefine:
	// the extensions of the built-in types other than scimd's own.
	baseSchemas map[string]*scim.Schema
	builtIn     map[string]bool // schemas a file may not define
	defs        []*definition
	byURN       map[string]*definition // lower-cased URN
	wso2        map[*definition]bool
	types       []*typeEntry
}

func newBuilder(base []*schema.ResourceType) *builder {
	b := &builder{base: base, baseSchemas: map[string]*scim.Schema{}, builtIn: builtIn(base),
		byURN: map[string]*definition{}, wso2: map[*definition]bool{}}
	for _, rt := range base {
		for _, e := range rt.Extensions {
			if key := strings.ToLower(e.Schema.ID); !b.builtIn[key] {
				b.baseSchemas[key] = e.Schema
			}
		}
	}
	return b
}

// define records the schemas of a file.
func (b *builder) define(defs []*definition, wso2 bool) error {
	for _, d := range defs {
		key := strings.ToLower(d.schema.ID)
		if b.builtIn[key] {
			return fmt.Errorf("%s: schema %s is built into scimd and can't be redefined: put custom attributes in an extension schema of your own", d.src.at(d.off), d.schema.ID)
		}
		if o := b.byURN[key]; o != nil {
			return fmt.Errorf("%s: schema %s is defined already, at %s", d.src.at(d.off), d.schema.ID, o.src.at(o.off))
		}
		if err := schema.CheckSchema(d.schema); err != nil {
			return d.locateError(err)
		}
		b.byURN[key] = d
		b.defs = append(b.defs, d)
		b.wso2[d] = wso2
	}
	return nil
}

// build applies the configuration to copies of the built-in types and
// registers the result.
func (b *builder) build() (*Config, error) {
	a := &application{b: b, used: map[*definition]bool{}, entries: map[string]*typeEntry{}}
	for _, rt := range b.base {
		a.types = append(a.types, a.redefined(clone(rt)))
	}
	for _, t := range b.types {
		if err := a.apply(t); err != nil {
			return nil, err
		}
	}
	if err := a.attachUnused(); err != nil {
		return nil, err
	}
	if err := grantable(a.types); err != nil {
		return nil, err
	}
	reg, err := schema.NewRegistry(a.types...)
	if err != nil {
		return nil, a.locate(err)
	}
	return &Config{Registry: reg, requirements: a.requirements}, nil
}

// application is the state of build.
type application struct {
	b            *builder
	types        []*schema.ResourceType
	used         map[*definition]bool
	entries      map[string]*typeEntry // by lower-cased type name: where a type is configured
	requirements []requirement
}

func clone(rt *schema.ResourceType) *schema.ResourceType {
	return &schema.ResourceType{Name: rt.Name, Endpoint: rt.Endpoint, Description: rt.Description, Schema: rt.Schema,
		Extensions: slices.Clone(rt.Extensions), Indexes: slices.Clone(rt.Indexes), Substring: slices.Clone(rt.Substring), Scopes: rt.Scopes}
}

// redefined replaces the extensions of a built-in type that a file
// redefines or extends (the Enterprise User extension).
func (a *application) redefined(rt *schema.ResourceType) *schema.ResourceType {
	for i, e := range rt.Extensions {
		if d := a.b.byURN[strings.ToLower(e.Schema.ID)]; d != nil {
			rt.Extensions[i].Schema = d.schema
			a.used[d] = true
		}
	}
	return rt
}

func (a *application) find(name string) *schema.ResourceType {
	for _, rt := range a.types {
		if strings.EqualFold(rt.Name, name) {
			return rt
		}
	}
	return nil
}

// apply applies one entry of a resource-type file.
func (a *application) apply(t *typeEntry) error {
	key := strings.ToLower(t.name)
	if o := a.entries[key]; o != nil {
		return t.errorf("name", "it is configured already, at %s", o.at("name"))
	}
	a.entries[key] = t
	rt := a.find(t.name) // a built-in type: a configured one has one entry
	if rt != nil {
		for _, k := range []string{"endpoint", "description", "schema", "scopes"} {
			if _, ok := t.keys[k]; ok {
				return t.errorf(k, "%s is built in: only its schemaExtensions, indexes and substring can be configured, not %q", rt.Name, k)
			}
		}
	} else {
		var err error
		if rt, err = a.newType(t); err != nil {
			return err
		}
		a.types = append(a.types, rt)
	}
	for i, x := range t.extensions {
		if slices.ContainsFunc(t.extensions[:i], func(o extensionEntry) bool { return strings.EqualFold(o.schema, x.schema) }) {
			return fmt.Errorf("%s:%d: resource type %s: the extension %s is listed twice", t.path, x.line, t.name, x.schema)
		}
		if err := a.attach(t, rt, x); err != nil {
			return err
		}
	}
	rt.Indexes = append(rt.Indexes, t.indexes...)
	rt.Substring = append(rt.Substring, t.substring...)
	return nil
}

// newType builds a configured resource type.
func (a *application) newType(t *typeEntry) (*schema.ResourceType, error) {
	for _, k := range []string{"endpoint", "schema", "scopes"} {
		if _, ok := t.keys[k]; !ok {
			return nil, t.errorf("name", "a new resource type needs %q (it has %s)", k, strings.Join(sortedKeys(t.keys), ", "))
		}
	}
	d := a.b.byURN[strings.ToLower(t.schema)]
	if d == nil {
		return nil, t.errorf("schema", "no schema file defines its schema %s", t.schema)
	}
	a.used[d] = true
	rt := &schema.ResourceType{Name: t.name, Endpoint: t.endpoint, Description: t.description, Schema: d.schema, Scopes: t.scopes}
	for _, attr := range d.schema.Attributes {
		if attr.Required && attr.Mutability != scim.ReadOnly {
			a.require(requirement{typ: rt.Name, key: attr.Name, at: d.locate(attr.Name),
				what: fmt.Sprintf("attribute %q of schema %s is required", attr.Name, d.schema.ID)})
		}
	}
	return rt, nil
}

// attach attaches an extension to a resource type, or sets whether it is
// required if it is attached already.
func (a *application) attach(t *typeEntry, rt *schema.ResourceType, x extensionEntry) error {
	var sc *scim.Schema
	if d := a.b.byURN[strings.ToLower(x.schema)]; d != nil {
		sc = d.schema
		a.used[d] = true
	} else if s := a.b.baseSchemas[strings.ToLower(x.schema)]; s != nil {
		sc = s
	} else {
		return fmt.Errorf("%s:%d: resource type %s: no schema file defines the extension %s", t.path, x.line, t.name, x.schema)
	}
	if x.required {
		a.require(requirement{typ: rt.Name, key: sc.ID, at: fmt.Sprintf("%s:%d", t.path, x.line),
			what: fmt.Sprintf("resource type %s requires the extension %s", rt.Name, sc.ID)})
	}
	for i, e := range rt.Extensions {
		if strings.EqualFold(e.Schema.ID, sc.ID) {
			rt.Extensions[i].Required = x.required
			return nil
		}
	}
	rt.Extensions = append(rt.Extensions, schema.Extension{Schema: sc, Required: x.required})
	return nil
}

// attachUnused attaches, as optional extensions of User, the schemas of
// WSO2 files that no resource type names: the WSO2 format is the user
// schema extension. An unused schema of an RFC 7643 file is an error: its
// resource type must be said.
func (a *application) attachUnused() error {
	user := a.find(schema.UserType)
	for _, d := range a.b.defs {
		switch {
		case a.used[d]:
		case a.b.wso2[d] && user != nil:
			user.Extensions = append(user.Extensions, schema.Extension{Schema: d.schema})
		default:
			return fmt.Errorf("%s: schema %s isn't used: name it as the schema of a resource type, or among the schemaExtensions of one, in a resource-type file (see docs/SCHEMAS.md)",
				d.src.at(d.off), d.schema.ID)
		}
	}
	return nil
}

// grantable makes every scope of every resource type a canonical value of
// the authorization extension's "scopes" attribute, so that groups can
// grant it.
func grantable(types []*schema.ResourceType) error {
	var ext *schema.Extension
	for _, rt := range types {
		for i := range rt.Extensions {
			if rt.Extensions[i].Schema.ID == schema.AuthorizationSchema {
				ext = &rt.Extensions[i]
			}
		}
	}
	if ext == nil {
		return errors.New("schemas: no resource type has the authorization extension " + schema.AuthorizationSchema + ", which grants scopes")
	}
	attr := findAttr(ext.Schema.Attributes, "scopes")
	if attr == nil {
		return errors.New("schemas: the authorization extension " + schema.AuthorizationSchema + " has no \"scopes\" attribute")
	}
	scopes := slices.Clone(attr.CanonicalValues)
	n := len(scopes)
	for _, rt := range types {
		for _, sc := range rt.Scopes.All() {
			if !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
	}
	if len(scopes) > n {
		ext.Schema = schema.AuthorizationExtension(scopes)
	}
	return nil
}

// locate names the file, and the line where it can, of a definition that
// schema.NewRegistry refuses.
func (a *application) locate(err error) error {
	var de *schema.DefinitionError
	if !errors.As(err, &de) {
		return fmt.Errorf("schemas: %w", err)
	}
	if d := a.b.byURN[strings.ToLower(de.Schema)]; d != nil {
		return d.locateError(de)
	}
	msg := strings.TrimPrefix(de.Error(), "schema: ")
	if t := a.entries[strings.ToLower(de.ResourceType)]; t != nil {
		return fmt.Errorf("%s:%d: %s", t.path, t.line, msg)
	}
	return fmt.Errorf("schemas: %s", msg)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
