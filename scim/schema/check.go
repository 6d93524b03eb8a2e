package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimd/scimd/scim"
)

// DefinitionError is a resource type or schema definition that NewRegistry
// refuses. It names what is at fault, so that a caller loading definitions
// from files can say which file holds it.
type DefinitionError struct {
	ResourceType string // the resource type whose definition is at fault, if any
	Schema       string // the URN of the schema at fault, if any
	Attr         string // the attribute at fault within Schema, as "name" or "name.sub"
	Problem      string
}

func (e *DefinitionError) Error() string {
	var b strings.Builder
	b.WriteString("schema: ")
	if e.ResourceType != "" {
		fmt.Fprintf(&b, "resource type %s: ", e.ResourceType)
	}
	if e.Schema != "" {
		fmt.Fprintf(&b, "schema %s: ", e.Schema)
	}
	if e.Attr != "" {
		fmt.Fprintf(&b, "attribute %q: ", e.Attr)
	}
	b.WriteString(e.Problem)
	return b.String()
}

func rtError(rt *ResourceType, format string, args ...any) error {
	return &DefinitionError{ResourceType: rt.Name, Problem: fmt.Sprintf(format, args...)}
}

func attrError(urn, attr, format string, args ...any) error {
	return &DefinitionError{Schema: urn, Attr: attr, Problem: fmt.Sprintf(format, args...)}
}

// reservedEndpoints are the endpoints RFC 7644 §3.2 gives the service
// provider itself, and the /ResourceType alias the WSO2 guide uses.
var reservedEndpoints = []string{"/Me", "/Bulk", "/Schemas", "/ResourceTypes", "/ResourceType", "/ServiceProviderConfig", "/.search"}

// checkResourceType checks what a resource type says of itself: its name,
// endpoint and scopes.
func checkResourceType(rt *ResourceType) error {
	if !isToken(rt.Name) {
		return rtError(rt, "the name %q must be a letter followed by letters, digits, \"-\" or \"_\"", rt.Name)
	}
	if !strings.HasPrefix(rt.Endpoint, "/") || !isToken(rt.Endpoint[1:]) {
		return rtError(rt, "the endpoint %q must be \"/\" followed by a letter and letters, digits, \"-\" or \"_\" (e.g. \"/Devices\")", rt.Endpoint)
	}
	for _, e := range reservedEndpoints {
		if strings.EqualFold(rt.Endpoint, e) {
			return rtError(rt, "the endpoint %s is the service provider's own (RFC 7644 §3.2)", e)
		}
	}
	if rt.Schema == nil {
		return rtError(rt, "it has no core schema")
	}
	return rt.Scopes.check(rt)
}

// isToken reports whether s is a letter followed by letters, digits, "-"
// and "_": a resource type name or endpoint that fits in a URL path segment
// and in a ServeMux pattern as it is.
func isToken(s string) bool {
	return s != "" && isLetter(s[0]) && isAttrName(s) && !strings.Contains(s, "$")
}

// isAttrName reports whether s is an ATTRNAME of RFC 7643 §2.1: a letter,
// then letters, digits, "-" and "_" — or "$ref"-like names with a leading
// "$", which RFC 7643 itself defines. It accepts what the filter and path
// parser accepts as an attribute name.
func isAttrName(s string) bool {
	if s == "" || !isLetter(s[0]) && s[0] != '$' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !('0' <= c && c <= '9') && c != '-' && c != '_' && c != '$' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// checkURN checks that a schema id can be written in attribute paths and
// filters (RFC 7644 §3.10): "urn:", then colon-separated segments of
// letters, digits, ".", "-" and "_", the last of which is an attribute
// name — paths split a URN from its attribute at the last colon, so a
// whole extension can be named in a PATCH path only if its URN's last
// segment parses as an attribute name.
func checkURN(urn string) error {
	if len(urn) < 4 || !strings.EqualFold(urn[:4], "urn:") {
		return attrError(urn, "", "the schema id must be a URN, starting with \"urn:\"")
	}
	segments := strings.Split(urn[4:], ":")
	if len(segments) < 2 {
		return attrError(urn, "", "the schema id must be a URN of at least two segments after \"urn:\", e.g. \"urn:example:Device\"")
	}
	for _, seg := range segments {
		if seg == "" || strings.IndexFunc(seg, func(r rune) bool {
			return !(r < 0x80 && (isLetter(byte(r)) || '0' <= r && r <= '9' || r == '.' || r == '-' || r == '_'))
		}) >= 0 {
			return attrError(urn, "", "the schema id's segment %q must be letters, digits, \".\", \"-\" and \"_\" (RFC 7644 §3.10 attribute paths hold nothing else)", seg)
		}
	}
	if last := segments[len(segments)-1]; !isAttrName(last) || strings.HasPrefix(last, "$") {
		return attrError(urn, "", "the schema id's last segment %q must be an attribute name (a letter, then letters, digits, \"-\" or \"_\"): "+
			"attribute paths split a URN from the attribute at the last colon, so a PATCH path naming the whole extension must parse", last)
	}
	return nil
}

// CheckSchema reports, as a *DefinitionError, the first problem of a
// schema on its own: its URN, and every attribute definition (RFC 7643 §2,
// §7). NewRegistry checks every schema it registers so, and more: what
// the schemas of a resource type must not share.
func CheckSchema(s *scim.Schema) error {
	if err := checkURN(s.ID); err != nil {
		return err
	}
	if len(s.Attributes) == 0 {
		return attrError(s.ID, "", "the schema has no attributes")
	}
	return checkAttributes(s.ID, "", s.Attributes)
}

// checkAttributes checks the attributes of a schema, or the sub-attributes
// of the complex attribute parent.
func checkAttributes(urn, parent string, attrs []*scim.Attribute) error {
	seen := map[string]bool{}
	for _, a := range attrs {
		path := a.Name
		if parent != "" {
			path = parent + "." + a.Name
		}
		if !isAttrName(a.Name) {
			return attrError(urn, path, "the name must be a letter followed by letters, digits, \"-\" or \"_\" (RFC 7643 §2.1)")
		}
		key := strings.ToLower(a.Name)
		if seen[key] {
			return attrError(urn, path, "the name is repeated (attribute names are case-insensitive, RFC 7643 §2.1)")
		}
		seen[key] = true
		if err := checkAttribute(urn, path, parent != "", a); err != nil {
			return err
		}
		if a.Type == scim.Complex {
			if err := checkAttributes(urn, path, a.SubAttributes); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkAttribute checks one attribute's characteristics and how they
// combine.
func checkAttribute(urn, path string, isSub bool, a *scim.Attribute) error {
	fail := func(format string, args ...any) error { return attrError(urn, path, format, args...) }
	switch {
	case !slices.Contains(scim.AttrTypes, a.Type):
		return fail("unknown type %q (want one of %s)", a.Type, joinAny(scim.AttrTypes))
	case !slices.Contains(scim.Mutabilities, a.Mutability):
		return fail("unknown mutability %q (want one of %s)", a.Mutability, joinAny(scim.Mutabilities))
	case !slices.Contains(scim.ReturnedKinds, a.Returned):
		return fail("unknown returned %q (want one of %s)", a.Returned, joinAny(scim.ReturnedKinds))
	case !slices.Contains(scim.UniquenessKinds, a.Uniqueness):
		return fail("unknown uniqueness %q (want one of %s)", a.Uniqueness, joinAny(scim.UniquenessKinds))
	case a.Type == scim.Complex && isSub:
		return fail("a sub-attribute can't be complex (RFC 7643 §2.3.8)")
	case a.Type == scim.Complex && len(a.SubAttributes) == 0:
		return fail("a complex attribute needs sub-attributes")
	case a.Type != scim.Complex && len(a.SubAttributes) > 0:
		return fail("only a complex attribute has sub-attributes, and this one is %s", a.Type)
	case a.Mutability == scim.WriteOnly && a.Returned != scim.ReturnedNever:
		return fail("a writeOnly attribute's values are never returned (RFC 7643 §7): its returned must be \"never\", not %q", a.Returned)
	case len(a.CanonicalValues) > 0 && a.Type != scim.String && a.Type != scim.Reference:
		return fail("canonicalValues are checked for string and reference attributes only, and this one is %s", a.Type)
	case len(a.ReferenceTypes) > 0 && a.Type != scim.Reference:
		return fail("referenceTypes apply to reference attributes only (RFC 7643 §7), and this one is %s", a.Type)
	case slices.Contains(a.CanonicalValues, ""):
		return fail("a canonical value is empty")
	}
	if a.Uniqueness != scim.UniqueNone && a.Mutability != scim.ReadOnly {
		switch {
		case isSub || a.MultiValued:
			return fail("uniqueness %q is enforced on single-valued top-level attributes only", a.Uniqueness)
		case a.Type != scim.String && a.Type != scim.Reference && a.Type != scim.DateTime && a.Type != scim.Binary:
			return fail("uniqueness %q is enforced on string, reference, dateTime and binary attributes only, and this one is %s", a.Uniqueness, a.Type)
		case a.Returned == scim.ReturnedNever:
			return fail("uniqueness %q on an attribute that is never returned would tell anyone who can create resources, by a 409, which values are taken", a.Uniqueness)
		}
	}
	return nil
}

func joinAny[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// checkNames refuses names that would make attribute references ambiguous:
// a core attribute named like a common attribute (id, externalId, meta,
// schemas), an extension attribute named like a core or common one, an
// extension attached twice, and two extensions of one schema name (which
// clients may send as the extension's key, as WSO2's send
// "EnterpriseUser").
func checkNames(rt *ResourceType) error {
	reserved := map[string]string{"schemas": "a common attribute of every resource (RFC 7643 §3)"}
	for _, a := range rt.common {
		reserved[strings.ToLower(a.Name)] = "a common attribute of every resource (RFC 7643 §3.1)"
	}
	for _, a := range rt.Schema.Attributes {
		if why, ok := reserved[strings.ToLower(a.Name)]; ok {
			return attrError(rt.Schema.ID, a.Name, "the name is taken by %s", why)
		}
	}
	for _, a := range rt.Schema.Attributes {
		reserved[strings.ToLower(a.Name)] = "a core attribute of resource type " + rt.Name
	}
	names := map[string]string{} // extension schema names, lower-cased, to their URN
	for i, e := range rt.Extensions {
		if e.Schema == nil {
			return rtError(rt, "extension %d has no schema", i+1)
		}
		if strings.EqualFold(e.Schema.ID, rt.Schema.ID) || slices.ContainsFunc(rt.Extensions[:i], func(o Extension) bool { return strings.EqualFold(o.Schema.ID, e.Schema.ID) }) {
			return rtError(rt, "the schema %s is attached twice", e.Schema.ID)
		}
		for _, a := range e.Schema.Attributes {
			if why, ok := reserved[strings.ToLower(a.Name)]; ok {
				return &DefinitionError{ResourceType: rt.Name, Schema: e.Schema.ID, Attr: a.Name,
					Problem: "the name is taken by " + why + ": an extension attribute can't share it, as a name without a schema URN must mean one attribute"}
			}
		}
		if e.Schema.Name == "" {
			continue
		}
		key := strings.ToLower(e.Schema.Name)
		if o, ok := names[key]; ok {
			return &DefinitionError{ResourceType: rt.Name, Schema: e.Schema.ID,
				Problem: fmt.Sprintf("the schema name %q, which clients may send as the extension's key, is also the name of %s", e.Schema.Name, o)}
		}
		names[key] = e.Schema.ID
	}
	return nil
}
