package schema

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/scimd/scimd/scim"
)

// Render appends the JSON representation of a resource to dst: "schemas",
// "id", then externalId and the core attributes in schema order, each
// extension present, and "meta" — each as the projection allows. Values in
// doc that the schema no longer declares are not rendered.
func (rt *ResourceType) Render(dst []byte, id string, doc map[string]any, meta *scim.Meta, pr *Projection) []byte {
	dst = append(dst, `{"schemas":[`...)
	for i, s := range rt.Schemas(doc) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s)
	}
	dst = append(dst, `],"id":`...)
	dst = appendString(dst, id)
	for _, a := range rt.common {
		if a.Name == "externalId" {
			dst = renderAttr(dst, Path{Attr: a}, doc[a.Name], pr)
		}
	}
	for _, a := range rt.Schema.Attributes {
		dst = renderAttr(dst, Path{Schema: rt.Schema, Attr: a}, doc[a.Name], pr)
	}
	for _, e := range rt.Extensions {
		obj, _ := doc[e.Schema.ID].(map[string]any)
		if obj == nil {
			continue
		}
		mark := len(dst)
		dst = append(dst, ',')
		dst = appendString(dst, e.Schema.ID)
		dst = append(dst, ":{"...)
		open := len(dst)
		for _, a := range e.Schema.Attributes {
			dst = renderAttr(dst, Path{Schema: e.Schema, Ext: true, Attr: a}, obj[a.Name], pr)
		}
		if len(dst) == open {
			dst = dst[:mark] // nothing of the extension is returned
			continue
		}
		dst = append(dst[:open], dst[open+1:]...) // drop the comma renderAttr led with
		dst = append(dst, '}')
	}
	if meta != nil {
		for _, a := range rt.common {
			if a.Name == "meta" {
				dst = renderAttr(dst, Path{Attr: a}, metaDoc(meta), pr)
			}
		}
	}
	return append(dst, '}')
}

func metaDoc(m *scim.Meta) map[string]any {
	doc := map[string]any{}
	if m.ResourceType != "" {
		doc["resourceType"] = m.ResourceType
	}
	if m.Created != nil {
		doc["created"] = FormatTime(*m.Created)
	}
	if m.LastModified != nil {
		doc["lastModified"] = FormatTime(*m.LastModified)
	}
	if m.Location != "" {
		doc["location"] = m.Location
	}
	if m.Version != "" {
		doc["version"] = m.Version
	}
	return doc
}

// renderAttr appends `,"name":value` if v is set and the projection returns it.
func renderAttr(dst []byte, p Path, v any, pr *Projection) []byte {
	if v == nil || !pr.Returns(p) {
		return dst
	}
	mark := len(dst)
	dst = append(dst, ',')
	dst = appendString(dst, p.Attr.Name)
	dst = append(dst, ':')
	if p.Attr.Type != scim.Complex {
		return appendValue(dst, v)
	}
	before := len(dst)
	if list, ok := v.([]any); ok && p.Attr.MultiValued {
		dst = append(dst, '[')
		n := 0
		for _, e := range list {
			m, _ := e.(map[string]any)
			if obj := appendComplex(nil, p, m, pr); obj != nil {
				if n > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, obj...)
				n++
			}
		}
		if n == 0 {
			return dst[:mark]
		}
		return append(dst, ']')
	}
	m, _ := v.(map[string]any)
	if dst = appendComplex(dst, p, m, pr); len(dst) == before {
		return dst[:mark]
	}
	return dst
}

// appendComplex appends the returned sub-attributes of one complex value as
// an object, or nothing if none is returned.
func appendComplex(dst []byte, p Path, m map[string]any, pr *Projection) []byte {
	start := len(dst)
	n := 0
	for _, s := range p.Attr.SubAttributes {
		v, ok := m[s.Name]
		if !ok || v == nil || !pr.ReturnsSub(Path{Schema: p.Schema, Ext: p.Ext, Attr: p.Attr, Sub: s}) {
			continue
		}
		if n == 0 {
			dst = append(dst, '{')
		} else {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s.Name)
		dst = append(dst, ':')
		dst = appendValue(dst, v)
		n++
	}
	if n == 0 {
		return dst[:start]
	}
	return append(dst, '}')
}

// appendValue appends a normalized simple value (or, for values the schema
// no longer describes, any JSON value).
func appendValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return appendString(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case json.Number:
		return append(dst, v...)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Unlike encoding/json it does not
// escape <, > and &, which SCIM responses never need escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
