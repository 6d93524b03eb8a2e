package filter

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// Bind resolves every attribute path of the parsed filter e against rt
// and returns the bound filter, which Match and the store evaluate; e is
// left as it is. It rejects, with a 400 invalidFilter naming the attribute,
// every filter whose meaning isn't well defined, rather than letting it
// match nothing:
//
//   - an unknown schema, attribute or sub-attribute;
//   - an attribute whose "returned" is "never", such as password: a filter
//     on it would be an oracle for its value;
//   - a value filter on an attribute that isn't complex, or naming
//     something other than a sub-attribute of it inside the brackets
//     (names there are relative: `emails[type eq "work"]`);
//   - co, sw and ew on anything but a string or reference attribute, and
//     gt, ge, lt and le on a boolean or binary one (RFC 7644 §3.4.2.2);
//   - null with any operator but eq and ne;
//   - a value of the wrong type: booleans take true or false (or, as
//     SPEC §5 allows, the strings "true" and "false" in any case);
//     integers and decimals a finite JSON number; dateTimes a string that
//     schema.ParseDateTime accepts; strings, references and binaries any
//     value, a number or boolean standing for its own text
//     (`externalId eq 123` compares with "123").
//
// In the result, each Compare's Value has the type of its attribute (see
// Compare), and a comparison on a complex attribute without a
// sub-attribute applies to its "value" sub-attribute (`emails co
// "example.com"`, RFC 7644 §3.4.2.2); one that has none is rejected. The
// attribute "schemas" of RFC 7643 §3 is bound too (see AttrPath.IsSchemas).
func Bind(e Expr, rt *schema.ResourceType) (Expr, error) {
	b := binder{rt: rt, what: "filter", typ: scim.InvalidFilter}
	return b.expr(e, nil)
}

// BindPath resolves a parsed PATCH path against rt, with the rules of Bind
// for its value filter. Unlike a filter, a path may name an attribute whose
// "returned" is "never" (password) and a whole extension (Attr.Bound.Attr
// is nil then). Errors are 400 invalidPath, or invalidFilter for the value
// filter.
func BindPath(p Path, rt *schema.ResourceType) (Path, error) {
	b := binder{rt: rt, what: "path", typ: scim.InvalidPath, patch: true}
	if p.Filter == nil {
		attr, err := b.path(p.Attr, nil)
		if err != nil {
			return Path{}, err
		}
		return Path{Attr: attr}, nil
	}
	head := p.Attr
	head.Sub = ""
	e, err := b.valuePath(ValuePath{Path: head, Filter: p.Filter}, nil)
	if err != nil {
		return Path{}, err
	}
	vp := e.(ValuePath)
	out := Path{Attr: vp.Path, Filter: vp.Filter}
	if p.Attr.Sub != "" {
		if out.Attr.Bound, err = b.resolveSub(AttrPath{Name: p.Attr.Sub}, vp.Path.Bound); err != nil {
			return Path{}, err
		}
		out.Attr.Sub = p.Attr.Sub
	}
	return out, nil
}

type binder struct {
	rt    *schema.ResourceType
	what  string         // what errors report as invalid
	typ   scim.ErrorType // the scimType of errors
	patch bool           // binding the target of a PATCH path
}

func (b *binder) errorf(format string, args ...any) error {
	return scim.BadRequest(b.typ, "invalid %s: %s", b.what, fmt.Sprintf(format, args...))
}

// filters returns the binder for the value filter of a path.
func (b *binder) filters() *binder {
	if !b.patch {
		return b
	}
	return &binder{rt: b.rt, what: "filter in path", typ: scim.InvalidFilter}
}

// expr binds e; parent is the bracketed attribute when e is inside a value
// filter, or nil.
func (b *binder) expr(e Expr, parent *schema.Path) (Expr, error) {
	switch e := e.(type) {
	case And:
		terms, err := b.terms(e, parent)
		if err != nil {
			return nil, err
		}
		return And(terms), nil
	case Or:
		terms, err := b.terms(e, parent)
		if err != nil {
			return nil, err
		}
		return Or(terms), nil
	case Not:
		x, err := b.expr(e.X, parent)
		if err != nil {
			return nil, err
		}
		return Not{X: x}, nil
	case Compare:
		return b.compare(e, parent)
	case Present:
		path, err := b.path(e.Path, parent)
		if err != nil {
			return nil, err
		}
		return Present{Path: path}, nil
	case ValuePath:
		return b.valuePath(e, parent)
	}
	return nil, b.errorf("empty expression")
}

func (b *binder) terms(in []Expr, parent *schema.Path) ([]Expr, error) {
	if len(in) == 0 {
		return nil, b.errorf("empty expression")
	}
	out := make([]Expr, len(in))
	for i, t := range in {
		var err error
		if out[i], err = b.expr(t, parent); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (b *binder) compare(c Compare, parent *schema.Path) (Expr, error) {
	path, err := b.path(c.Path, parent)
	if err != nil {
		return nil, err
	}
	if c.Value != nil && path.Bound.Sub == nil && path.Bound.Attr.Type == scim.Complex {
		if path.Bound, err = b.valueSub(path.Bound); err != nil {
			return nil, err
		}
	}
	if err := b.checkOp(c.Op, c.Value, path.Bound); err != nil {
		return nil, err
	}
	v, err := b.coerce(c.Value, path.Bound)
	if err != nil {
		return nil, err
	}
	return Compare{Path: path, Op: c.Op, Value: v}, nil
}

func (b *binder) valuePath(vp ValuePath, parent *schema.Path) (Expr, error) {
	if parent != nil {
		return nil, b.errorf("value filters can't be nested: %s is inside %s[...]", quoted(vp.Path.String()+"[...]"), parent)
	}
	path, err := b.path(vp.Path, nil)
	if err != nil {
		return nil, err
	}
	bp := path.Bound
	if bp.Attr == nil || bp.Sub != nil || bp.Attr.Type != scim.Complex {
		return nil, b.errorf("%s: a value filter needs a complex attribute, and %s is %s", quoted(vp.Path.String()+"[...]"), bp, describe(bp))
	}
	fb := b.filters()
	out := ValuePath{Path: path}
	if out.Filter, err = fb.expr(vp.Filter, &bp); err != nil {
		return nil, err
	}
	switch vp.Test.(type) {
	case nil:
	case Compare, Present:
		if out.Test, err = fb.expr(vp.Test, &bp); err != nil {
			return nil, err
		}
	default:
		return nil, fb.errorf("%s can be followed by a comparison or \"pr\" only, not by %s", quoted(vp.Path.String()+"[...]"), quoted(vp.Test.String()))
	}
	return out, nil
}

// path resolves p: as a top-level attribute path, or, inside the brackets
// of parent, as the name of one of its sub-attributes.
func (b *binder) path(p AttrPath, parent *schema.Path) (AttrPath, error) {
	var err error
	if parent == nil {
		p.Bound, err = b.resolve(p)
	} else {
		p.Bound, err = b.resolveSub(p, *parent)
	}
	if err != nil {
		return AttrPath{}, err
	}
	if !b.patch || parent != nil {
		if err := b.checkReturned(p.Bound); err != nil {
			return AttrPath{}, err
		}
	}
	return p, nil
}

func (b *binder) resolve(p AttrPath) (schema.Path, error) {
	if bp, ok := b.rt.Lookup(p.URN, p.Name, p.Sub); ok {
		return bp, nil
	}
	if b.patch {
		if bp, ok := b.wholeExtension(p); ok {
			return bp, nil
		}
	} else if p.Sub == "" && strings.EqualFold(p.Name, "schemas") && (p.URN == "" || strings.EqualFold(p.URN, b.rt.Schema.ID)) {
		return schema.Path{Schema: b.rt.Schema, Attr: schemasAttribute()}, nil
	}
	return schema.Path{}, b.unknown(p)
}

// wholeExtension resolves a path that is an extension's URN, which the
// parser split at its last colon like any other.
func (b *binder) wholeExtension(p AttrPath) (schema.Path, bool) {
	if p.URN == "" || p.Sub != "" {
		return schema.Path{}, false
	}
	bp, ok := b.rt.Resolve(p.URN + ":" + p.Name)
	return bp, ok && bp.Attr == nil
}

// schemasAttribute returns the definition of the "schemas" attribute, which
// RFC 7643 §3 gives every resource.
func schemasAttribute() *scim.Attribute {
	return &scim.Attribute{
		Name:        "schemas",
		Type:        scim.Reference,
		MultiValued: true,
		Description: "The URIs of the schemas of the resource (RFC 7643 §3).",
		Required:    true,
		Mutability:  scim.ReadOnly,
		Returned:    scim.ReturnedAlways,
		Uniqueness:  scim.UniqueNone,
	}
}

// unknown explains why p resolves to nothing.
func (b *binder) unknown(p AttrPath) error {
	if p.URN != "" && !b.rt.HasSchema(p.URN) {
		if bp, ok := b.wholeExtension(p); ok {
			return b.errorf("%s is a whole extension; name one of its attributes: %s", quoted(p.String()), names(bp.Schema.Attributes))
		}
		return b.errorf("unknown schema %s in %s: resource type %s has the schemas %s", quoted(p.URN), quoted(p.String()), b.rt.Name, b.schemaIDs())
	}
	top, ok := b.rt.Lookup(p.URN, p.Name, "")
	if q := b.rt.Qualified(p.String()); !ok && q != nil {
		for i := range q {
			q[i] = quoted(q[i])
		}
		return b.errorf("%s is ambiguous: qualify it with its schema URN, as %s", quoted(p.String()), strings.Join(q, " or "))
	}
	if !ok {
		return b.errorf("unknown attribute %s: resource type %s has no attribute %s", quoted(p.String()), b.rt.Name, quoted(p.Name))
	}
	if top.Attr.Type != scim.Complex {
		return b.errorf("unknown attribute %s: %s is %s, without sub-attributes", quoted(p.String()), top, describe(top))
	}
	return b.errorf("unknown attribute %s: %s has no sub-attribute %s; it has %s", quoted(p.String()), top, quoted(p.Sub), names(top.Attr.SubAttributes))
}

// resolveSub resolves p, written inside the brackets of parent, as the name
// of a sub-attribute of parent.
func (b *binder) resolveSub(p AttrPath, parent schema.Path) (schema.Path, error) {
	if p.URN != "" {
		return schema.Path{}, b.errorf("inside %s[...], name sub-attributes of %s without a schema URN: %s", parent, parent, quoted(p.String()))
	}
	for _, s := range parent.Attr.SubAttributes {
		if strings.EqualFold(s.Name, p.Name) {
			if p.Sub != "" {
				return schema.Path{}, b.errorf("%s: %s.%s has no sub-attributes", quoted(p.String()), parent, s.Name)
			}
			parent.Sub = s
			return parent, nil
		}
	}
	return schema.Path{}, b.errorf("%s is not a sub-attribute of %s, which has %s", quoted(p.Name), parent, names(parent.Attr.SubAttributes))
}

// valueSub returns p narrowed to the "value" sub-attribute of its complex
// attribute.
func (b *binder) valueSub(p schema.Path) (schema.Path, error) {
	for _, s := range p.Attr.SubAttributes {
		if s.Name == "value" {
			p.Sub = s
			return p, b.checkReturned(p)
		}
	}
	return schema.Path{}, b.errorf(`%s is complex and has no "value" sub-attribute to compare; compare one of its sub-attributes: %s`, p, names(p.Attr.SubAttributes))
}

func (b *binder) checkReturned(p schema.Path) error {
	if p.Attr != nil && p.Attr.Returned == scim.ReturnedNever || p.Sub != nil && p.Sub.Returned == scim.ReturnedNever {
		return b.errorf("%s can't be filtered on: it is never returned (RFC 7643 §7)", p)
	}
	return nil
}

// checkOp checks that the operator applies to the attribute's type
// (RFC 7644 §3.4.2.2, Table 3) and to the value.
func (b *binder) checkOp(op Op, v any, p schema.Path) error {
	leaf := p.Leaf()
	switch {
	case !slices.Contains(ops[:], op):
		return b.errorf("unknown comparison operator %q", op)
	case v == nil && op != Eq && op != Ne:
		return b.errorf(`"%s %s null": null can only be compared with eq or ne ("eq null" means "has no value")`, p, op)
	case v == nil:
		return nil
	case (op == Co || op == Sw || op == Ew) && leaf.Type != scim.String && leaf.Type != scim.Reference:
		return b.errorf("operator %q compares strings, and %s is %s", op, p, describe(p))
	case (op == Gt || op == Ge || op == Lt || op == Le) && (leaf.Type == scim.Boolean || leaf.Type == scim.Binary):
		return b.errorf("operator %q can't order %s, which is %s; use eq or ne", op, p, describe(p))
	}
	return nil
}

// coerce returns v as a value of the attribute p names.
func (b *binder) coerce(v any, p schema.Path) (any, error) {
	leaf := p.Leaf()
	switch leaf.Type {
	case scim.String, scim.Reference, scim.Binary:
		if _, ok := v.(string); ok {
			return v, nil // as it is, saving an allocation
		}
		if s, ok := text(v); ok {
			return s, nil
		}
	case scim.DateTime:
		if s, ok := v.(string); ok {
			if _, err := schema.ParseDateTime(s); err != nil {
				return nil, b.errorf(`%s is a dateTime, and %s is not an xsd:dateTime such as "2011-05-13T04:42:34Z" (RFC 7643 §2.3.5)`, p, quoted(s))
			}
			return v, nil
		}
	case scim.Boolean:
		if t, ok := boolean(v); ok {
			return t, nil
		}
	case scim.Integer, scim.Decimal:
		if n, ok := v.(json.Number); ok {
			if _, err := n.Float64(); err != nil {
				return nil, b.errorf("%s is %s, and %s is out of range", p, describe(p), n)
			}
			return n, nil
		}
	}
	if v == nil {
		return nil, nil
	}
	return nil, b.errorf("%s is %s: compare it with %s, not %s", p, describe(p), wants(leaf.Type), truncate(valueString(v), 100))
}

// text returns the text a value stands for when compared with a string.
func text(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// boolean returns a boolean value, accepting the strings "true" and "false"
// in any case as SPEC §5 does for Entra ID.
func boolean(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		if strings.EqualFold(v, "true") {
			return true, true
		}
		if strings.EqualFold(v, "false") {
			return false, true
		}
	}
	return false, false
}

func wants(t scim.AttrType) string {
	switch t {
	case scim.Boolean:
		return "true or false"
	case scim.Integer, scim.Decimal:
		return "a number"
	case scim.DateTime:
		return `a quoted xsd:dateTime such as "2011-05-13T04:42:34Z"`
	}
	return "a quoted string"
}

func valueString(v any) string {
	var b strings.Builder
	formatValue(&b, v)
	return b.String()
}

// describe names the kind of attribute a path ends at, for messages.
func describe(p schema.Path) string {
	leaf := p.Leaf()
	switch {
	case leaf == nil:
		return "a whole extension"
	case leaf.MultiValued:
		return "a multi-valued " + string(leaf.Type) + " attribute"
	case leaf.Type == scim.Integer:
		return "an integer attribute"
	}
	return "a " + string(leaf.Type) + " attribute"
}

func names(attrs []*scim.Attribute) string {
	s := make([]string, len(attrs))
	for i, a := range attrs {
		s[i] = a.Name
	}
	return strings.Join(s, ", ")
}

func (b *binder) schemaIDs() string {
	ids := []string{b.rt.Schema.ID}
	for _, e := range b.rt.Extensions {
		ids = append(ids, e.Schema.ID)
	}
	return strings.Join(ids, " and ")
}
