package schema

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/cases"

	"github.com/scimd/scimd/scim"
)

// Fold returns the Unicode full case folding of s (CaseFolding.txt, C+F),
// the form in which caseExact=false values are compared (RFC 7643 §2.2) by
// the in-memory evaluator and, precomputed at write time, by every storage
// backend — so all of them agree, whatever their database's own collation.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return cases.Fold().String(s)
		}
		if 'A' <= c && c <= 'Z' {
			return strings.ToLower(s) // ASCII-only: full folding is lower-casing
		}
	}
	return s
}

// DateTimeKey is the layout in which dateTime values are compared and sorted:
// UTC, fixed width, so that byte order is time order.
const DateTimeKey = "2006-01-02T15:04:05.000000000Z"

// Equal reports whether two normalized values of attribute a are equal under
// its caseExact characteristic.
func Equal(a *scim.Attribute, x, y any) bool {
	return valueKey(a, x) == valueKey(a, y)
}

// valueKey returns a comparable form of a normalized value.
func valueKey(a *scim.Attribute, v any) string {
	switch v := v.(type) {
	case string:
		return SearchString(a, v)
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "true"
		}
		return "false"
	}
	b, _ := json.Marshal(SearchValue(a, v))
	return string(b)
}

// SearchString returns the form in which a string value of attribute a is
// compared: folded when a is not caseExact, a dateTime in DateTimeKey form.
func SearchString(a *scim.Attribute, s string) string {
	switch {
	case a.Type == scim.DateTime:
		if t, err := ParseDateTime(s); err == nil {
			return t.UTC().Format(DateTimeKey)
		}
		return s
	case a.Type == scim.String || a.Type == scim.Reference:
		if !a.CaseExact {
			return Fold(s)
		}
	}
	return s
}

// SearchValue returns a copy of a normalized value of attribute a with every
// string in its SearchString form.
func SearchValue(a *scim.Attribute, v any) any {
	switch v := v.(type) {
	case string:
		return SearchString(a, v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = SearchValue(a, e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if sub := findAttr(a.SubAttributes, k); sub != nil {
				out[k] = SearchValue(sub, e)
			}
		}
		return out
	}
	return v
}

// SearchDoc returns the document in which filters compare values: a copy of
// doc with caseExact=false strings folded and dateTimes in DateTimeKey form.
// Storage backends keep it beside the document so that filters run in the
// database with the same semantics as the in-memory evaluator.
func (rt *ResourceType) SearchDoc(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if e, ok := rt.Extension(k); ok {
			if obj, ok := v.(map[string]any); ok {
				out[k] = searchObject(e.Schema.Attributes, obj)
			}
			continue
		}
		if a := findAttr(rt.common, k); a != nil {
			out[k] = SearchValue(a, v)
		} else if a := findAttr(rt.Schema.Attributes, k); a != nil {
			out[k] = SearchValue(a, v)
		}
	}
	return out
}

func searchObject(attrs []*scim.Attribute, obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if a := findAttr(attrs, k); a != nil {
			out[k] = SearchValue(a, v)
		}
	}
	return out
}

// FormatTime renders a server timestamp as an xsd:dateTime in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
