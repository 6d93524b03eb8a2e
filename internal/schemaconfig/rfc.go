package schemaconfig

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// definition is a schema read from a file, with where each of its parts
// is defined, to locate the problems schema.NewRegistry finds in it.
type definition struct {
	schema *scim.Schema
	src    *source
	off    int
	attrs  map[string]int // attribute path, lower-cased ("manager.value"), to offset
	// merged is set when the file added to or redefined attributes of a
	// built-in schema (the WSO2 format), rather than defining it whole.
	merged bool
}

// locate returns "file:line" for an attribute path of the schema, or the
// schema itself.
func (d *definition) locate(attr string) string {
	if off, ok := d.attrs[strings.ToLower(attr)]; ok {
		return d.src.at(off)
	}
	if name, _, ok := strings.Cut(attr, "."); ok {
		return d.locate(name)
	}
	return d.src.at(d.off)
}

// locateError prefixes a *schema.DefinitionError about the schema with
// the file and line of the attribute at fault.
func (d *definition) locateError(err error) error {
	var de *schema.DefinitionError
	if !errors.As(err, &de) {
		return fmt.Errorf("%s: %w", d.src.at(d.off), err)
	}
	return fmt.Errorf("%s: %s", d.locate(de.Attr), strings.TrimPrefix(de.Error(), "schema: "))
}

// rfcSchemas reads RFC 7643 §7 Schema resources: a schema object, an
// array of them, or a ListResponse of them (as GET /Schemas answers).
func rfcSchemas(src *source, v *value) ([]*definition, error) {
	switch x := v.v.(type) {
	case []*value:
		var out []*definition
		for _, e := range x {
			d, err := rfcSchema(src, e)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		return out, nil
	case *object:
		if _, ok := x.members["Resources"]; ok {
			return rfcListResponse(src, v)
		}
	}
	d, err := rfcSchema(src, v)
	if err != nil {
		return nil, err
	}
	return []*definition{d}, nil
}

func rfcListResponse(src *source, v *value) ([]*definition, error) {
	f, err := newFields(src, v, "ListResponse")
	if err != nil {
		return nil, err
	}
	if err := checkSchemas(f, scim.ListResponseMessage); err != nil {
		return nil, err
	}
	for _, k := range []string{"totalResults", "itemsPerPage", "startIndex"} {
		f.member(k)
	}
	resources, err := f.list("Resources")
	if err != nil {
		return nil, err
	}
	if err := f.done(); err != nil {
		return nil, err
	}
	var out []*definition
	for _, e := range resources {
		d, err := rfcSchema(src, e)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// checkSchemas checks an optional "schemas" member naming urn.
func checkSchemas(f *fields, urn string) error {
	v := f.member("schemas")
	schemas, err := f.stringList("schemas")
	if err != nil || v == nil {
		return err
	}
	if !slices.ContainsFunc(schemas, func(s string) bool { return strings.EqualFold(s, urn) }) {
		return f.errorf(v.off, "\"schemas\" must list %s", urn)
	}
	return nil
}

func rfcSchema(src *source, v *value) (*definition, error) {
	f, err := newFields(src, v, "schema")
	if err != nil {
		return nil, err
	}
	id, err := f.str("id")
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, f.errorf(v.off, "a schema needs an \"id\": its URN")
	}
	f.where = "schema " + id
	s := &scim.Schema{ID: id}
	if s.Name, err = f.str("name"); err != nil {
		return nil, err
	}
	if s.Description, err = f.str("description"); err != nil {
		return nil, err
	}
	if err := checkSchemas(f, scim.SchemaSchema); err != nil {
		return nil, err
	}
	f.member("meta") // the serving server's; it is set anew when served
	attrs, err := f.list("attributes")
	if err != nil {
		return nil, err
	}
	if err := f.done(); err != nil {
		return nil, err
	}
	d := &definition{schema: s, src: src, off: v.off, attrs: map[string]int{}}
	if s.Attributes, err = d.rfcAttributes(id, "", attrs); err != nil {
		return nil, err
	}
	return d, nil
}

// rfcAttributes reads the attributes of a schema, or the sub-attributes of
// the attribute parent.
func (d *definition) rfcAttributes(urn, parent string, list []*value) ([]*scim.Attribute, error) {
	out := make([]*scim.Attribute, 0, len(list))
	for i, v := range list {
		where := fmt.Sprintf("schema %s: attribute %d", urn, i+1)
		if parent != "" {
			where = fmt.Sprintf("schema %s: attribute %q: sub-attribute %d", urn, parent, i+1)
		}
		f, err := newFields(d.src, v, where)
		if err != nil {
			return nil, err
		}
		name, err := f.str("name")
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, f.errorf(v.off, "it has no \"name\"")
		}
		path := name
		if parent != "" {
			path = parent + "." + name
		}
		f.where = fmt.Sprintf("schema %s: attribute %q", urn, path)
		d.attrs[strings.ToLower(path)] = v.off
		a, err := attribute(f, name)
		if err != nil {
			return nil, err
		}
		subs, err := f.list("subAttributes")
		if err != nil {
			return nil, err
		}
		if err := f.done(); err != nil {
			return nil, err
		}
		if len(subs) > 0 && parent != "" {
			return nil, f.errorf(v.off, "a sub-attribute can't have sub-attributes (RFC 7643 §2.3.8)")
		}
		if a.SubAttributes, err = d.rfcAttributes(urn, path, subs); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// attribute reads the characteristics RFC 7643 §7 gives an attribute (all
// but its sub-attributes), with the defaults of §2.2 for those absent.
// Both formats name them alike; WSO2's writes "dataType" for "type".
func attribute(f *fields, name string) (*scim.Attribute, error) {
	a := &scim.Attribute{Name: name}
	typeKey := "type"
	if f.has("dataType") {
		typeKey = "dataType"
	}
	var err error
	str := func(key, def string) string {
		var s string
		if err == nil {
			s, err = f.str(key)
		}
		if s == "" || strings.EqualFold(s, "null") {
			return def
		}
		return s
	}
	a.Type = enum(str(typeKey, string(scim.String)), scim.AttrTypes)
	a.Description = str("description", "")
	a.Mutability = enum(str("mutability", string(scim.ReadWrite)), scim.Mutabilities)
	a.Returned = enum(str("returned", string(scim.ReturnedDefault)), scim.ReturnedKinds)
	a.Uniqueness = enum(str("uniqueness", string(scim.UniqueNone)), scim.UniquenessKinds)
	if err != nil {
		return nil, err
	}
	if a.MultiValued, err = f.boolean("multiValued", false); err != nil {
		return nil, err
	}
	if a.Required, err = f.boolean("required", false); err != nil {
		return nil, err
	}
	if a.CaseExact, err = f.boolean("caseExact", false); err != nil {
		return nil, err
	}
	if a.CanonicalValues, err = f.stringList("canonicalValues"); err != nil {
		return nil, err
	}
	if a.ReferenceTypes, err = f.stringList("referenceTypes"); err != nil {
		return nil, err
	}
	if len(a.CanonicalValues) == 0 {
		a.CanonicalValues = nil
	}
	if len(a.ReferenceTypes) == 0 {
		a.ReferenceTypes = nil
	}
	return a, nil
}
