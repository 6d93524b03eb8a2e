package schema

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scimd/scimd/scim"
)

// Normalize validates a resource representation sent by a client (the body
// of POST or PUT, or the data of a Bulk operation, decoded with UseNumber)
// and returns its canonical document:
//
//   - core attributes at the top level under their schema names, extension
//     attributes in an object under the extension's URN, externalId at the
//     top level; schemas, id and meta are not part of it;
//   - values of the schema's type: string, bool, json.Number, nested
//     map[string]any and []any;
//   - readOnly attributes and null or empty values ("", [], {}) dropped
//     (RFC 7643 §2.5, RFC 7644 §3.5.1);
//   - "True"/"False" accepted for booleans, canonical values spelled as the
//     schema spells them.
//
// Attribute names match case-insensitively. A key may also be an extension's
// schema name ("EnterpriseUser"), a URN-qualified attribute path or a dotted
// sub-attribute path ("name.givenName"); all are stored nested. Unknown
// attributes are rejected with a 400 naming every one of them. Required
// attributes are checked separately by CheckRequired.
func (rt *ResourceType) Normalize(in map[string]any) (map[string]any, error) {
	n := normalizer{rt: rt, out: map[string]any{}}
	for _, k := range sortedKeys(in) {
		if err := n.member(k, in[k]); err != nil {
			return nil, err
		}
	}
	if len(n.unknown) > 0 {
		return nil, scim.BadRequest(scim.InvalidValue, "unknown attribute%s %s: not defined by %s",
			plural(len(n.unknown)), quoteList(n.unknown), strings.Join(rt.schemaIDs(), " or "))
	}
	return n.out, n.checkSchemas()
}

type normalizer struct {
	rt       *ResourceType
	out      map[string]any
	declared []string // the "schemas" the client sent
	unknown  []string
}

func (n *normalizer) member(key string, v any) error {
	switch strings.ToLower(key) {
	case "schemas":
		return n.schemas(v)
	case "id", "meta":
		return nil // assigned by the server; client-sent values are ignored (RFC 7643 §3.1)
	}
	if e, ok := n.rt.Extension(key); ok {
		return n.extension(e, v)
	}
	p, ok := n.rt.Resolve(key)
	if !ok || p.Attr == nil {
		if v == nil {
			return nil
		}
		if err := n.rt.ambiguous(key); err != nil {
			return err
		}
		n.unknown = append(n.unknown, key)
		return nil
	}
	value, err := NormalizeValue(p, v)
	if err != nil {
		return err
	}
	return n.set(p, key, value)
}

func (n *normalizer) extension(e Extension, v any) error {
	if v == nil {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return scim.BadRequest(scim.InvalidValue, "%q must be a JSON object holding the attributes of %s, not %s", e.Schema.ID, e.Schema.ID, describe(v))
	}
	for _, k := range sortedKeys(obj) {
		name, sub, _ := strings.Cut(k, ".")
		p, ok := n.rt.Lookup(e.Schema.ID, name, sub)
		if !ok {
			if obj[k] != nil {
				n.unknown = append(n.unknown, e.Schema.ID+":"+k)
			}
			continue
		}
		value, err := NormalizeValue(p, obj[k])
		if err != nil {
			return err
		}
		if err := n.set(p, e.Schema.ID+":"+k, value); err != nil {
			return err
		}
	}
	return nil
}

// set stores a normalized value at p, refusing a second value for the same
// attribute (e.g. "userName" and "USERNAME", or "name" and "name.givenName"
// both setting givenName).
func (n *normalizer) set(p Path, key string, value any) error {
	if value == nil {
		return nil
	}
	parent := n.out
	if p.Ext {
		obj, _ := parent[p.Schema.ID].(map[string]any)
		if obj == nil {
			obj = map[string]any{}
			parent[p.Schema.ID] = obj
		}
		parent = obj
	}
	if p.Sub == nil {
		if old, ok := parent[p.Attr.Name]; ok {
			merged, ok := mergeComplex(old, value)
			if !ok {
				return scim.BadRequest(scim.InvalidValue, "attribute %q is given more than once (at %q)", p.String(), key)
			}
			value = merged
		}
		parent[p.Attr.Name] = value
		return nil
	}
	if p.Attr.MultiValued {
		return scim.BadRequest(scim.InvalidValue, "%q: a sub-attribute of the multi-valued attribute %q can't be set on its own; send %q as an array of objects", key, p.Attr.Name, p.Attr.Name)
	}
	obj, _ := parent[p.Attr.Name].(map[string]any)
	if obj == nil {
		obj = map[string]any{}
		parent[p.Attr.Name] = obj
	}
	if _, ok := obj[p.Sub.Name]; ok {
		return scim.BadRequest(scim.InvalidValue, "attribute %q is given more than once (at %q)", p.String(), key)
	}
	obj[p.Sub.Name] = value
	return nil
}

// mergeComplex merges two values of one single-valued complex attribute if
// they set disjoint sub-attributes.
func mergeComplex(a, b any) (any, bool) {
	x, ok1 := a.(map[string]any)
	y, ok2 := b.(map[string]any)
	if !ok1 || !ok2 {
		return nil, false
	}
	out := make(map[string]any, len(x)+len(y))
	for k, v := range x {
		out[k] = v
	}
	for k, v := range y {
		if _, dup := out[k]; dup {
			return nil, false
		}
		out[k] = v
	}
	return out, true
}

func (n *normalizer) schemas(v any) error {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return scim.BadRequest(scim.InvalidValue, `"schemas" must be an array of schema URNs, not %s`, describe(v))
	}
	for _, s := range list {
		urn, ok := s.(string)
		if !ok {
			return scim.BadRequest(scim.InvalidValue, `"schemas" must be an array of strings; it holds %s`, describe(s))
		}
		n.declared = append(n.declared, urn)
	}
	return nil
}

// checkSchemas refuses a "schemas" value that names the core schema of
// another resource type. URNs the server doesn't know are ignored when no
// attribute is sent under them (SPEC §5: Entra ID's ADSCIM group URN);
// attributes under them were already reported as unknown.
func (n *normalizer) checkSchemas() error {
	for _, urn := range n.declared {
		if n.rt.HasSchema(urn) {
			continue
		}
		if isCoreSchemaURN(urn) {
			return scim.BadRequest(scim.InvalidValue, "schema %q is not a schema of resource type %s (expected %s)", urn, n.rt.Name, strings.Join(n.rt.schemaIDs(), " or "))
		}
	}
	return nil
}

func isCoreSchemaURN(urn string) bool {
	return strings.HasPrefix(strings.ToLower(urn), "urn:ietf:params:scim:schemas:core:")
}

func (rt *ResourceType) schemaIDs() []string {
	ids := []string{rt.Schema.ID}
	for _, e := range rt.Extensions {
		ids = append(ids, e.Schema.ID)
	}
	return ids
}

// NormalizeValue validates and normalizes the value of the attribute (or
// sub-attribute) p names, as Normalize does for a whole document. It returns
// nil for null, empty and readOnly values.
func NormalizeValue(p Path, v any) (any, error) {
	a := p.Leaf()
	if p.Sub != nil && p.Attr.MultiValued {
		// A sub-attribute across all values of a multi-valued attribute
		// (a PATCH path such as "emails.type") takes a single value.
		return normalizeSingle(a, v, p.String())
	}
	return normalizeAttr(a, v, p.String())
}

func normalizeAttr(a *scim.Attribute, v any, where string) (any, error) {
	if v == nil || a.Mutability == scim.ReadOnly {
		return nil, nil
	}
	if !a.MultiValued {
		return normalizeSingle(a, v, where)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, scim.BadRequest(scim.InvalidValue, "attribute %q is multi-valued: send an array, not %s", where, describe(v))
	}
	out := make([]any, 0, len(list))
	primaries := 0
	for i, e := range list {
		at := fmt.Sprintf("%s[%d]", where, i)
		nv, err := normalizeSingle(a, e, at)
		if err != nil {
			return nil, err
		}
		if nv == nil {
			if m, ok := e.(map[string]any); ok && hasValue(m) {
				return nil, scim.BadRequest(scim.InvalidValue, "%s sets only read-only sub-attributes, which the server assigns", at)
			}
			continue
		}
		if m, ok := nv.(map[string]any); ok && m["primary"] == true {
			primaries++
		}
		out = append(out, nv)
	}
	if primaries > 1 {
		return nil, scim.BadRequest(scim.InvalidValue, "attribute %q has %d values marked primary; at most one may be (RFC 7643 §2.4)", where, primaries)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func normalizeSingle(a *scim.Attribute, v any, where string) (any, error) {
	if v == nil || v == "" {
		return nil, nil // "" holds no value, like null (Entra ID clears attributes with it)
	}
	switch a.Type {
	case scim.Complex:
		return normalizeComplex(a, v, where)
	case scim.String, scim.Reference:
		s, ok := v.(string)
		if !ok {
			return nil, typeError(where, a, v)
		}
		return canonical(a, s, where)
	case scim.Boolean:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string: // Entra ID sends "True" and "False"
			if strings.EqualFold(b, "true") {
				return true, nil
			}
			if strings.EqualFold(b, "false") {
				return false, nil
			}
		}
		return nil, typeError(where, a, v)
	case scim.Integer:
		return normalizeInteger(a, v, where)
	case scim.Decimal:
		num, ok := v.(json.Number)
		if !ok {
			return nil, typeError(where, a, v)
		}
		if f, err := num.Float64(); err != nil || math.IsInf(f, 0) || (f == 0 && !zeroLiteral(num)) {
			return nil, scim.BadRequest(scim.InvalidValue, "attribute %q: %s is not a decimal number in range (a 64-bit IEEE 754 double)", where, num)
		}
		return num, nil
	case scim.DateTime:
		s, ok := v.(string)
		if !ok {
			return nil, typeError(where, a, v)
		}
		if _, err := ParseDateTime(s); err != nil {
			return nil, scim.BadRequest(scim.InvalidValue, "attribute %q: %q is not an xsd:dateTime such as 2008-01-23T04:56:22Z (RFC 7643 §2.3.5)", where, s)
		}
		return s, nil
	case scim.Binary:
		s, ok := v.(string)
		if !ok {
			return nil, typeError(where, a, v)
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return nil, scim.BadRequest(scim.InvalidValue, "attribute %q: value is not base64 (RFC 4648 §4): %v", where, err)
		}
		return s, nil
	}
	return nil, scim.BadRequest(scim.InvalidValue, "attribute %q has unsupported type %q", where, a.Type)
}

func normalizeInteger(a *scim.Attribute, v any, where string) (any, error) {
	num, ok := v.(json.Number)
	if !ok {
		return nil, typeError(where, a, v)
	}
	i, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return nil, scim.BadRequest(scim.InvalidValue, "attribute %q: %s is not an integer in the 64-bit range (RFC 7643 §2.3.4)", where, num)
	}
	return json.Number(strconv.FormatInt(i, 10)), nil
}

func normalizeComplex(a *scim.Attribute, v any, where string) (any, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, typeError(where, a, v)
	}
	out := make(map[string]any, len(obj))
	var unknown []string
	for _, k := range sortedKeys(obj) {
		sub := findAttr(a.SubAttributes, k)
		if sub == nil {
			if obj[k] != nil {
				unknown = append(unknown, k)
			}
			continue
		}
		if _, dup := out[sub.Name]; dup {
			return nil, scim.BadRequest(scim.InvalidValue, "attribute %q: sub-attribute %q is given more than once", where, sub.Name)
		}
		nv, err := normalizeAttr(sub, obj[k], where+"."+sub.Name)
		if err != nil {
			return nil, err
		}
		if nv != nil {
			out[sub.Name] = nv
		}
	}
	if len(unknown) > 0 {
		names := make([]string, len(a.SubAttributes))
		for i, s := range a.SubAttributes {
			names[i] = s.Name
		}
		return nil, scim.BadRequest(scim.InvalidValue, "attribute %q: unknown sub-attribute%s %s (it has %s)", where, plural(len(unknown)), quoteList(unknown), strings.Join(names, ", "))
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// canonical checks a string against the attribute's canonical values, if it
// lists any, and returns the schema's spelling of the value.
func canonical(a *scim.Attribute, s, where string) (any, error) {
	if len(a.CanonicalValues) == 0 {
		return s, nil
	}
	for _, c := range a.CanonicalValues {
		if c == s || (!a.CaseExact && strings.EqualFold(c, s)) {
			return c, nil
		}
	}
	return nil, scim.BadRequest(scim.InvalidValue, "attribute %q: %q is not one of %s", where, s, quoteList(a.CanonicalValues))
}

func typeError(where string, a *scim.Attribute, v any) error {
	return scim.BadRequest(scim.InvalidValue, "attribute %q must be a %s, not %s", where, typeName(a.Type), describe(v))
}

func typeName(t scim.AttrType) string {
	switch t {
	case scim.Complex:
		return "JSON object"
	case scim.Boolean:
		return "boolean (true or false)"
	case scim.Integer:
		return "integer"
	case scim.Decimal:
		return "number"
	case scim.DateTime:
		return "dateTime string"
	case scim.Binary:
		return "base64 string"
	}
	return string(t)
}

// describe names the JSON type of a decoded value for error messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// ParseDateTime parses an xsd:dateTime (RFC 7643 §2.3.5). A value without a
// time zone is taken as UTC.
func ParseDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
}

// CheckRequired reports the first required attribute doc lacks: required
// attributes of the core schema, required extensions, required attributes of
// the extensions present, and required sub-attributes of the complex values
// present. readOnly attributes are the server's to set and are not checked.
func (rt *ResourceType) CheckRequired(doc map[string]any) error {
	if err := checkRequired(rt.Schema.Attributes, doc, ""); err != nil {
		return err
	}
	for _, e := range rt.Extensions {
		obj, _ := doc[e.Schema.ID].(map[string]any)
		if !holdsDeclared(e.Schema.Attributes, obj) { // absent, or only values the schema no longer declares
			if e.Required {
				return scim.BadRequest(scim.InvalidValue, "the required extension %s is missing", e.Schema.ID)
			}
			continue
		}
		if err := checkRequired(e.Schema.Attributes, obj, e.Schema.ID+":"); err != nil {
			return err
		}
	}
	return nil
}

func checkRequired(attrs []*scim.Attribute, obj map[string]any, prefix string) error {
	for _, a := range attrs {
		v, ok := obj[a.Name]
		if a.Required && a.Mutability != scim.ReadOnly && (!ok || v == "") {
			return scim.BadRequest(scim.InvalidValue, "required attribute %q is missing or empty", prefix+a.Name)
		}
		if a.Type != scim.Complex || !ok {
			continue
		}
		values := []any{v}
		if a.MultiValued {
			values, _ = v.([]any)
		}
		for _, e := range values {
			m, _ := e.(map[string]any)
			if err := checkRequired(a.SubAttributes, m, prefix+a.Name+"."); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckImmutable enforces immutability on a full replacement (RFC 7644
// §3.5.1): an immutable single-valued attribute that has a value keeps it —
// a different value is a 400 mutability, an omitted one is carried over into
// next. Immutable sub-attributes of multi-valued attributes (members.value)
// belong to the individual values, which a replacement may add and remove.
func (rt *ResourceType) CheckImmutable(old, next map[string]any) error {
	if err := checkImmutable(rt.Schema.Attributes, old, next, ""); err != nil {
		return err
	}
	for _, e := range rt.Extensions {
		o, _ := old[e.Schema.ID].(map[string]any)
		if o == nil {
			continue
		}
		n, _ := next[e.Schema.ID].(map[string]any)
		if n == nil {
			n = map[string]any{}
		}
		if err := checkImmutable(e.Schema.Attributes, o, n, e.Schema.ID+":"); err != nil {
			return err
		}
		if len(n) > 0 {
			next[e.Schema.ID] = n
		}
	}
	return nil
}

func checkImmutable(attrs []*scim.Attribute, old, next map[string]any, prefix string) error {
	for _, a := range attrs {
		ov, had := old[a.Name]
		if !had || a.MultiValued {
			continue
		}
		if a.Mutability == scim.Immutable {
			nv, has := next[a.Name]
			if !has {
				next[a.Name] = ov
				continue
			}
			if !Equal(a, ov, nv) {
				return scim.BadRequest(scim.Mutability, "attribute %q is immutable and already set; it can't be changed", prefix+a.Name)
			}
			continue
		}
		if a.Type == scim.Complex {
			o, _ := ov.(map[string]any)
			n, _ := next[a.Name].(map[string]any)
			if n == nil {
				n = map[string]any{}
			}
			if err := checkImmutable(a.SubAttributes, o, n, prefix+a.Name+"."); err != nil {
				return err
			}
			if len(n) > 0 {
				next[a.Name] = n
			}
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// zeroLiteral reports whether a JSON number is written as zero, rather
// than as a number too small for a float64, which parses as zero too.
func zeroLiteral(n json.Number) bool {
	mantissa, _, _ := strings.Cut(strings.ToLower(string(n)), "e")
	return strings.Trim(mantissa, "-+.0") == ""
}

// holdsDeclared reports whether obj has a member that attrs declares.
func holdsDeclared(attrs []*scim.Attribute, obj map[string]any) bool {
	for k := range obj {
		if findExact(attrs, k) != nil {
			return true
		}
	}
	return false
}

// hasValue reports whether an object has a non-null member.
func hasValue(m map[string]any) bool {
	for _, v := range m {
		if v != nil {
			return true
		}
	}
	return false
}
