package filter

import (
	"strings"

	"github.com/scimd/scimd/scim"
)

// Path is the "path" of a PATCH operation (RFC 7644 §3.5.2):
// attrPath / valuePath [subAttr]. Attr is the attribute path with the value
// filter, if any, taken out: for `emails[type eq "work"].value`, Attr is
// emails.value and Filter is `type eq "work"`, which selects values of
// emails. A path may also be a bare extension URN, naming the whole
// extension.
type Path struct {
	Attr   AttrPath
	Filter Expr // nil when the path has no value filter
}

// String returns the canonical, re-parseable spelling of the path.
func (p Path) String() string {
	if p.Filter == nil {
		return p.Attr.String()
	}
	var b strings.Builder
	head := p.Attr
	head.Sub = ""
	head.format(&b)
	b.WriteByte('[')
	p.Filter.format(&b)
	b.WriteByte(']')
	if p.Attr.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Attr.Sub)
	}
	return b.String()
}

// ParsePath parses a PATCH path (RFC 7644 §3.5.2): `members`,
// `name.familyName`, `emails[type eq "work"].value`,
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`, or a
// bare extension URN. The filter in brackets follows the rules of Parse,
// unquoted values included (`members[display eq kim]`, the WSO2 guide), and
// Path.String prints it canonically. BindPath resolves the result against a
// resource type.
//
// Errors are 400 with the byte position (counted from 1): scimType
// invalidPath, or invalidFilter for an error inside the brackets
// (RFC 7644 §3.12). The limits of Parse apply.
func ParsePath(s string) (Path, error) {
	p := parser{src: s, noun: "path", what: "path", typ: scim.InvalidPath}
	if err := p.check(); err != nil {
		return Path{}, err
	}
	p.spaces()
	attr, err := p.attrPath()
	if err != nil {
		return Path{}, err
	}
	path := Path{Attr: attr}
	if p.at('[') {
		if path, err = p.pathFilter(attr); err != nil {
			return Path{}, err
		}
	}
	p.spaces()
	if p.pos < len(p.src) {
		want := `"[" or the end of the path`
		if path.Filter != nil {
			want = `"." and a sub-attribute, or the end of the path`
		}
		return Path{}, p.errorf(p.pos, "expected %s, found %s", want, p.found(p.pos))
	}
	return path, nil
}

// pathFilter parses the value filter of a path and the sub-attribute that
// may follow it.
func (p *parser) pathFilter(attr AttrPath) (Path, error) {
	if err := p.checkBrackets(attr); err != nil {
		return Path{}, err
	}
	p.what, p.typ = "filter in path", scim.InvalidFilter
	filter, err := p.brackets()
	if err != nil {
		return Path{}, err
	}
	p.what, p.typ = "path", scim.InvalidPath
	path := Path{Attr: attr, Filter: filter}
	if p.at('.') {
		if path.Attr.Sub, err = p.subAttr(); err != nil {
			return Path{}, err
		}
	}
	return path, nil
}
