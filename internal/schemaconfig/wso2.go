package schemaconfig

import (
	"fmt"
	"strings"

	"github.com/scimd/scimd/scim"
)

// The WSO2 Identity Server format (scim2-schema-extension.config, the
// guide's "Extending the SCIM API") is a flat list of entries, one per
// attribute, each naming its place by URI:
//
//   - "urn:...:User:askPassword" is the attribute askPassword of the schema
//     "urn:...:User";
//   - "urn:...:User:manager.value" is the sub-attribute value of manager;
//   - the schema itself has an entry too — complex, named for instance
//     "EnterpriseUser" — whose "subAttributes" lists the names of the
//     schema's attributes, space-separated, as a complex attribute's entry
//     lists its sub-attributes'.
//
// Booleans are written as strings ("false") and absent values as "null".

// wso2Entry is one entry of the flat list.
type wso2Entry struct {
	uri, name string
	subs      []string // the names its "subAttributes" lists
	attr      *scim.Attribute
	off       int
	f         *fields
}

// wso2Schemas reads a WSO2 file (its values are entries or arrays of
// entries) into schema definitions. base holds the built-in schemas that
// an entry list may extend: a name a schema's entry lists that no entry
// defines is the built-in attribute of that name.
func wso2Schemas(src *source, values []*value, base map[string]*scim.Schema) ([]*definition, error) {
	entries, err := wso2Entries(src, values)
	if err != nil {
		return nil, err
	}
	w := &wso2{src: src, entries: entries, base: base}
	return w.schemas()
}

func wso2Entries(src *source, values []*value) ([]*wso2Entry, error) {
	var list []*value
	for _, v := range values {
		if l, ok := v.v.([]*value); ok {
			list = append(list, l...)
		} else {
			list = append(list, v)
		}
	}
	seen := map[string]*wso2Entry{}
	var out []*wso2Entry
	for _, v := range list {
		e, err := wso2Read(src, v)
		if err != nil {
			return nil, err
		}
		if o := seen[strings.ToLower(e.uri)]; o != nil {
			return nil, e.f.errorf(e.off, "the attributeURI is defined already, at line %d", line(src, o.off))
		}
		seen[strings.ToLower(e.uri)] = e
		out = append(out, e)
	}
	return out, nil
}

func line(src *source, off int) int {
	l, _ := src.lineCol(off)
	return l
}

func wso2Read(src *source, v *value) (*wso2Entry, error) {
	f, err := newFields(src, v, "entry")
	if err != nil {
		return nil, err
	}
	e := &wso2Entry{off: v.off, f: f}
	if e.uri, err = f.str("attributeURI"); err != nil {
		return nil, err
	}
	if e.name, err = f.str("attributeName"); err != nil {
		return nil, err
	}
	if e.uri == "" || e.name == "" {
		return nil, f.errorf(v.off, "an entry needs an attributeURI and an attributeName")
	}
	f.where = fmt.Sprintf("entry %q", e.uri)
	if e.attr, err = attribute(f, e.name); err != nil {
		return nil, err
	}
	if e.subs, err = subAttributeNames(f); err != nil {
		return nil, err
	}
	return e, f.done()
}

// subAttributeNames reads "subAttributes": names separated by spaces, or
// "null". An array of names is accepted too.
func subAttributeNames(f *fields) ([]string, error) {
	v := f.member("subAttributes")
	if v == nil {
		return nil, nil
	}
	if s, ok := v.v.(string); ok {
		if strings.EqualFold(strings.TrimSpace(s), "null") {
			return nil, nil
		}
		return strings.Fields(s), nil
	}
	return f.stringList("subAttributes")
}

type wso2 struct {
	src     *source
	entries []*wso2Entry
	base    map[string]*scim.Schema
}

// isSchema reports whether an entry stands for a schema rather than an
// attribute: other entries' URIs extend its URI with ":", or it is a
// complex entry whose URI doesn't end with its name (the guide's
// "EnterpriseUser" entry, whose URI is the extension's URN).
func (w *wso2) isSchema(e *wso2Entry) bool {
	prefix := strings.ToLower(e.uri) + ":"
	for _, o := range w.entries {
		if strings.HasPrefix(strings.ToLower(o.uri), prefix) {
			return true
		}
	}
	return e.attr.Type == scim.Complex && !hasSuffixFold(e.uri, ":"+e.name) && !hasSuffixFold(e.uri, "."+e.name)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// wso2Schema gathers the entries of one schema.
type wso2Schema struct {
	urn   string
	entry *wso2Entry   // the schema's own entry, if any
	attrs []*wso2Entry // its attributes' entries, in file order
}

func (w *wso2) schemas() ([]*definition, error) {
	var order []*wso2Schema
	byURN := map[string]*wso2Schema{}
	group := func(urn string) *wso2Schema {
		s := byURN[strings.ToLower(urn)]
		if s == nil {
			s = &wso2Schema{urn: urn}
			byURN[strings.ToLower(urn)] = s
			order = append(order, s)
		}
		return s
	}
	subs := map[string][]*wso2Entry{} // by the parent's URI, lower-cased
	for _, e := range w.entries {
		switch {
		case w.isSchema(e):
			if e.attr.Type != scim.Complex {
				return nil, e.f.errorf(e.off, "the entry of a schema must have the dataType complex, not %s", e.attr.Type)
			}
			group(e.uri).entry = e
		case hasSuffixFold(e.uri, "."+e.name):
			parent := e.uri[:len(e.uri)-len(e.name)-1]
			subs[strings.ToLower(parent)] = append(subs[strings.ToLower(parent)], e)
		case hasSuffixFold(e.uri, ":"+e.name):
			s := group(e.uri[:len(e.uri)-len(e.name)-1])
			s.attrs = append(s.attrs, e)
		default:
			return nil, e.f.errorf(e.off, "the attributeURI must end with \":%s\" (an attribute of a schema) or \".%s\" (a sub-attribute), its attributeName", e.name, e.name)
		}
	}
	used := map[*wso2Entry]bool{}
	var out []*definition
	for _, s := range order {
		d, err := w.schema(s, subs, used)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	for _, list := range subs {
		for _, e := range list {
			if !used[e] {
				return nil, e.f.errorf(e.off, "no entry lists %q among its subAttributes: the entry %q must define the complex attribute and list it",
					e.name, e.uri[:len(e.uri)-len(e.name)-1])
			}
		}
	}
	return out, nil
}

// schema builds one schema's definition: the attributes its entry lists,
// in that order, each defined by an entry or, for a built-in schema, taken
// from it; without an entry of the schema, a built-in schema's attributes
// followed by the new ones.
func (w *wso2) schema(s *wso2Schema, subs map[string][]*wso2Entry, used map[*wso2Entry]bool) (*definition, error) {
	base := w.base[strings.ToLower(s.urn)]
	d := &definition{src: w.src, attrs: map[string]int{}, merged: base != nil}
	sc := &scim.Schema{ID: s.urn}
	if base != nil {
		sc.ID, sc.Name, sc.Description = base.ID, base.Name, base.Description
	}
	defined := map[string]*scim.Attribute{}
	for _, e := range s.attrs {
		a, err := w.complexAttr(d, e, subs, used, findAttr(baseAttrs(base), e.name))
		if err != nil {
			return nil, err
		}
		defined[strings.ToLower(e.name)] = a
		d.attrs[strings.ToLower(e.name)] = e.off
	}
	switch {
	case s.entry != nil:
		d.off = s.entry.off
		sc.Name = s.entry.name
		if s.entry.attr.Description != "" {
			sc.Description = s.entry.attr.Description
		}
		for _, name := range s.entry.subs {
			a := defined[strings.ToLower(name)]
			if a == nil {
				a = findAttr(baseAttrs(base), name)
			}
			if a == nil {
				return nil, s.entry.f.errorf(s.entry.off, "subAttributes lists %q, which no entry %q defines", name, s.urn+":"+name)
			}
			sc.Attributes = append(sc.Attributes, a)
		}
		for _, e := range s.attrs {
			if findAttr(sc.Attributes, e.name) == nil {
				return nil, e.f.errorf(e.off, "the schema's entry %q doesn't list %q among its subAttributes", s.entry.uri, e.name)
			}
		}
	default: // the schema keeps the name of the built-in one it extends, or has none
		d.off = s.attrs[0].off
		for _, a := range baseAttrs(base) {
			if defined[strings.ToLower(a.Name)] == nil {
				sc.Attributes = append(sc.Attributes, a)
			} else {
				sc.Attributes = append(sc.Attributes, defined[strings.ToLower(a.Name)])
			}
		}
		for _, e := range s.attrs {
			if findAttr(baseAttrs(base), e.name) == nil {
				sc.Attributes = append(sc.Attributes, defined[strings.ToLower(e.name)])
			}
		}
	}
	d.schema = sc
	return d, nil
}

// complexAttr completes an attribute's entry with the sub-attributes it
// lists: entries, or those of the built-in attribute it redefines.
func (w *wso2) complexAttr(d *definition, e *wso2Entry, subs map[string][]*wso2Entry, used map[*wso2Entry]bool, base *scim.Attribute) (*scim.Attribute, error) {
	a := *e.attr
	if a.Type != scim.Complex {
		if len(e.subs) > 0 {
			return nil, e.f.errorf(e.off, "only a complex attribute lists subAttributes, and this one's dataType is %s", a.Type)
		}
		return &a, nil
	}
	for _, name := range e.subs {
		var sub *scim.Attribute
		for _, se := range subs[strings.ToLower(e.uri)] {
			if strings.EqualFold(se.name, name) {
				sub, used[se] = se.attr, true
				d.attrs[strings.ToLower(e.name+"."+se.name)] = se.off
				if len(se.subs) > 0 {
					return nil, se.f.errorf(se.off, "a sub-attribute can't have sub-attributes (RFC 7643 §2.3.8)")
				}
			}
		}
		if sub == nil && base != nil {
			sub = findAttr(base.SubAttributes, name)
		}
		if sub == nil {
			return nil, e.f.errorf(e.off, "subAttributes lists %q, which no entry %q defines", name, e.uri+"."+name)
		}
		a.SubAttributes = append(a.SubAttributes, sub)
	}
	return &a, nil
}

func baseAttrs(s *scim.Schema) []*scim.Attribute {
	if s == nil {
		return nil
	}
	return s.Attributes
}

func findAttr(attrs []*scim.Attribute, name string) *scim.Attribute {
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}
