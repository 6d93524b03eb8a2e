package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/scimd/scimd/scim"
)

// attrInfo is what the importer needs to know of an attribute.
type attrInfo struct {
	typ   scim.AttrType
	multi bool
}

// attrTypes maps attribute paths of the User resource type, lower-cased, to
// their type: "emails", "emails.primary", and extension attributes prefixed
// by their URN and a colon.
type attrTypes map[string]attrInfo

// coreUserTypes are the User attributes of RFC 7643 §4.1 whose type is not
// a single string, for service providers that do not serve their schemas.
var coreUserTypes = func() attrTypes {
	t := attrTypes{"active": {typ: scim.Boolean}}
	for _, a := range []string{"emails", "phonenumbers", "ims", "photos", "addresses", "groups", "entitlements", "roles", "x509certificates"} {
		t[a] = attrInfo{typ: scim.Complex, multi: true}
		t[a+".primary"] = attrInfo{typ: scim.Boolean}
	}
	return t
}()

// typesOf returns the attribute types of the User resource type rt (nil if
// unknown) from the service provider's schemas, over the RFC 7643 defaults.
func typesOf(schemas []*scim.Schema, rt *scim.ResourceType) attrTypes {
	t := maps.Clone(coreUserTypes)
	base, exts := scim.UserSchema, []string{scim.EnterpriseUserSchema}
	if rt != nil {
		base, exts = rt.Schema, nil
		for _, ext := range rt.SchemaExtensions {
			exts = append(exts, ext.Schema)
		}
	}
	for _, s := range schemas {
		prefix := ""
		switch {
		case strings.EqualFold(s.ID, base):
		case slices.ContainsFunc(exts, func(e string) bool { return strings.EqualFold(e, s.ID) }):
			prefix = strings.ToLower(s.ID) + ":"
		default:
			continue // another resource type's schema
		}
		for _, a := range s.Attributes {
			name := prefix + strings.ToLower(a.Name)
			t[name] = attrInfo{typ: a.Type, multi: a.MultiValued}
			for _, sub := range a.SubAttributes {
				t[name+"."+strings.ToLower(sub.Name)] = attrInfo{typ: sub.Type, multi: sub.MultiValued}
			}
		}
	}
	return t
}

// of returns the type of the attribute (sub == "") or sub-attribute.
func (t attrTypes) of(urn, attr, sub string) attrInfo {
	key := strings.ToLower(attr)
	if urn != "" {
		key = strings.ToLower(urn) + ":" + key
	}
	if sub != "" {
		key += "." + strings.ToLower(sub)
	}
	if info, ok := t[key]; ok {
		return info
	}
	return attrInfo{typ: scim.String}
}

// check reports a column that cannot be imported as it is written.
func (t attrTypes) check(c *column) error {
	if t.of(c.urn, c.attr, "").multi && c.where == nil {
		return fmt.Errorf("column %q: %s is multi-valued: choose a value, as in %s[type eq \"work\"].value", c.header, c.attr, c.attr)
	}
	return nil
}

// convert reads the text of a cell as a value of the column's type.
func (t attrTypes) convert(c *column, text string) (any, error) {
	switch t.of(c.urn, c.attr, c.sub).typ {
	case scim.Boolean:
		b, err := strconv.ParseBool(strings.ToLower(text))
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not true or false", c.header, text)
		}
		return b, nil
	case scim.Integer:
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			return nil, fmt.Errorf("%s: %q is not an integer", c.header, text)
		}
		return json.Number(text), nil
	case scim.Decimal:
		if _, err := strconv.ParseFloat(text, 64); err != nil || !json.Valid([]byte(text)) {
			return nil, fmt.Errorf("%s: %q is not a number", c.header, text)
		}
		return json.Number(text), nil
	}
	return text, nil
}
