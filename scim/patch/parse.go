package patch

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// Operation is one validated PATCH operation.
type Operation struct {
	Index int    // position in the request, from 0
	Op    string // "add", "replace" or "remove"
	// Path is the bound target; nil for an operation without "path",
	// which targets the resource itself.
	Path *filter.Path
	// Value is the normalized value of an operation with a path: what
	// schema.NormalizeValue makes of it (nil for remove, for null or an
	// empty value, and for members, which take RawValue).
	Value any
	// Doc is the normalized value of an operation without a path: a
	// partial resource document, as schema.ResourceType.Normalize makes it.
	Doc map[string]any
	// RawValue is the value as sent, for targets that take it as it is
	// (members, whose sub-attributes are the server's to fill).
	RawValue any
	hasValue bool
	// unassign lists what a replace without a path sets to null or to an
	// empty value, which Doc leaves out (RFC 7643 §2.5).
	unassign []schema.Path
}

// Options select behaviours for clients that contradict RFC 7644.
type Options struct {
	// CreateOnNoTarget makes add and replace through a value filter that
	// matches nothing create the element, as Microsoft Entra ID expects,
	// instead of failing with noTarget.
	CreateOnNoTarget bool
	// BareManager accepts a bare string as the Enterprise User manager,
	// meaning {"value": string}, as Entra ID sends it.
	BareManager bool
}

// Parse decodes and validates the body of a PATCH request (decoded with
// UseNumber) for resource type rt: the PatchOp schema, the operations,
// their paths and values. Member names match case-insensitively and op
// names are accepted in any case ("Add"); members of an operation other
// than op, path and value are ignored, as WSO2 clients send them. The body
// is not modified.
func Parse(rt *schema.ResourceType, body map[string]any, opts Options) ([]Operation, error) {
	fields, err := fieldsOf(body, "a PatchOp")
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(fields) {
		if k != "schemas" && k != "operations" {
			return nil, scim.BadRequest(scim.InvalidSyntax, "a PatchOp has no member %q; it has schemas and Operations", k)
		}
	}
	if v, ok := fields["schemas"]; ok {
		if err := checkSchemas(v); err != nil {
			return nil, err
		}
	}
	list, ok := fields["operations"].([]any)
	if !ok || len(list) == 0 {
		return nil, scim.BadRequest(scim.InvalidSyntax, `a PatchOp needs "Operations": a non-empty array of operations (RFC 7644 §3.5.2)`)
	}
	ops := make([]Operation, len(list))
	for i, raw := range list {
		if ops[i], err = parseOp(rt, i, raw, opts); err != nil {
			return nil, err
		}
	}
	return ops, nil
}

// fieldsOf returns the members of a JSON object by lower-case name,
// refusing two names that differ only in case.
func fieldsOf(obj map[string]any, what string) (map[string]any, error) {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		lower := strings.ToLower(k)
		if _, dup := out[lower]; dup {
			return nil, scim.BadRequest(scim.InvalidSyntax, "%s has the member %q more than once (names are case-insensitive)", what, k)
		}
		out[lower] = v
	}
	return out, nil
}

// checkSchemas checks the schemas of a PatchOp. Like a missing one, an
// empty array is accepted, as it is on create (SPEC §5).
func checkSchemas(v any) error {
	list, ok := v.([]any)
	if ok && len(list) == 0 {
		return nil
	}
	for _, s := range list {
		if str, _ := s.(string); strings.EqualFold(str, scim.PatchOpMessage) {
			return nil
		}
	}
	return scim.BadRequest(scim.InvalidSyntax, `a PatchOp's "schemas" must be [%q]`, scim.PatchOpMessage)
}

func opError(i int, typ scim.ErrorType, format string, args ...any) error {
	return scim.BadRequest(typ, "operation %d: %s", i, fmt.Sprintf(format, args...))
}

func parseOp(rt *schema.ResourceType, i int, raw any, opts Options) (Operation, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return Operation{}, opError(i, scim.InvalidSyntax, "an operation must be a JSON object, not %s", kind(raw))
	}
	fields, err := fieldsOf(m, fmt.Sprintf("operation %d", i))
	if err != nil {
		return Operation{}, err
	}
	name, _ := fields["op"].(string)
	op := Operation{Index: i, Op: strings.ToLower(name)}
	if op.Op != "add" && op.Op != "replace" && op.Op != "remove" {
		return op, opError(i, scim.InvalidSyntax, `"op" must be "add", "replace" or "remove", not %s`, describeOp(fields["op"]))
	}
	op.RawValue, op.hasValue = fields["value"]
	path, ok := fields["path"].(string)
	if !ok && fields["path"] != nil {
		return op, opError(i, scim.InvalidPath, `"path" must be a string, not %s`, kind(fields["path"]))
	}
	if path = strings.TrimSpace(path); path == "" {
		return parsePathless(rt, op, opts)
	}
	return parseTarget(rt, op, path, opts)
}

func describeOp(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return kind(v)
}

// parseTarget validates an operation with a path.
func parseTarget(rt *schema.ResourceType, op Operation, path string, opts Options) (Operation, error) {
	p, err := filter.ParsePath(path)
	if err == nil {
		p, err = filter.BindPath(p, rt)
	}
	if err != nil {
		return op, prefixed(op.Index, err)
	}
	op.Path = &p
	if op.Op != "remove" && !op.hasValue {
		return op, opError(op.Index, scim.InvalidValue, `%s needs a "value"`, op.Op)
	}
	if op.Op == "remove" || isMembers(p.Attr.Bound) {
		return op, nil
	}
	op.Value, err = normalizeTarget(rt, p, op.RawValue, opts)
	return op, prefixed(op.Index, err)
}

// normalizeTarget normalizes the value of an operation with a path.
func normalizeTarget(rt *schema.ResourceType, p filter.Path, v any, opts Options) (any, error) {
	b := p.Attr.Bound
	if b.Attr == nil {
		return normalizeExtension(rt, b.Schema, v)
	}
	if opts.BareManager {
		v = bareManagerValue(b, v)
	}
	leaf := b
	switch {
	case p.Filter != nil && b.Sub == nil:
		// attr[F] selects values of attr: the value is one of them.
		if _, isList := v.([]any); isList {
			return nil, scim.BadRequest(scim.InvalidValue, "%s[%s] selects single values of %s: the value must be one of them, not an array", b, p.Filter, b)
		}
		elem := *b.Attr
		elem.MultiValued = false
		leaf.Attr = &elem
	case b.Attr.MultiValued && b.Sub == nil:
		if _, isList := v.([]any); !isList && v != nil {
			v = []any{v} // a single value added to a multi-valued attribute
		}
	}
	return schema.NormalizeValue(leaf, v)
}

// normalizeExtension normalizes the value for a whole extension: an
// object of its attributes, or null.
func normalizeExtension(rt *schema.ResourceType, ext *scim.Schema, v any) (any, error) {
	obj, ok := v.(map[string]any)
	if !ok && v != nil {
		return nil, scim.BadRequest(scim.InvalidValue, "the value for %s must be an object of its attributes, not %s", ext.ID, kind(v))
	}
	doc, err := rt.Normalize(map[string]any{ext.ID: obj})
	if err != nil {
		return nil, err
	}
	return doc[ext.ID], nil
}

// prefixed puts the operation's index in front of a SCIM error's detail.
func prefixed(i int, err error) error {
	var se *scim.Error
	if errors.As(err, &se) {
		return &scim.Error{Status: se.Status, Type: se.Type, Detail: fmt.Sprintf("operation %d: %s", i, se.Detail)}
	}
	return err
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	}
	return "an object"
}
