package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// column says where the values of an import column go. Its header is an
// attribute path: userName, name.givenName, an extension's
// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value,
// or a value of a multi-valued attribute chosen by equality conditions,
// emails[type eq "work"].value — the value whose type is "work", created if
// there is none.
type column struct {
	header string
	urn    string      // the extension schema; "" for the resource's own
	attr   string      // the attribute
	where  []condition // choose a value of a multi-valued attr
	sub    string      // the sub-attribute, if any
}

// condition is one "attr eq value" of a column's selector.
type condition struct {
	attr  string
	value any // a string, bool, json.Number or nil, as in a filter
}

// parseColumn parses an import column header.
func parseColumn(header string) (column, error) {
	c := column{header: header}
	head, sel, hasSel := strings.Cut(strings.TrimSpace(header), "[")
	if len(head) > 4 && strings.EqualFold(head[:4], "urn:") {
		i := strings.LastIndexByte(head, ':')
		c.urn, head = head[:i], head[i+1:]
		if !isURN(c.urn) {
			return c, fmt.Errorf("column %q: invalid schema URN", header)
		}
	}
	if hasSel {
		end := closingBracket(sel)
		if end < 0 {
			return c, fmt.Errorf("column %q: unclosed [", header)
		}
		var err error
		if c.where, err = parseConditions(sel[:end]); err != nil {
			return c, fmt.Errorf("column %q: %v", header, err)
		}
		c.attr, c.sub = head, "value" // the default sub-attribute (RFC 7643 §2.4)
		if rest := sel[end+1:]; rest != "" {
			sub, ok := strings.CutPrefix(rest, ".")
			if !ok {
				return c, fmt.Errorf("column %q: want .sub-attribute after ]", header)
			}
			c.sub = sub
		}
	} else {
		c.attr, c.sub, _ = strings.Cut(head, ".")
	}
	if !isName(c.attr) || c.sub != "" && !isName(c.sub) {
		return c, fmt.Errorf("column %q: invalid attribute name", header)
	}
	return c, nil
}

// parseConditions parses `attr eq value [and attr eq value ...]`.
func parseConditions(s string) ([]condition, error) {
	var conds []condition
	for _, part := range splitAnd(s) {
		attr, rest, _ := strings.Cut(strings.TrimSpace(part), " ")
		op, text, _ := strings.Cut(strings.TrimSpace(rest), " ")
		if !strings.EqualFold(op, "eq") {
			return nil, fmt.Errorf("selector %q: only eq conditions choose a value", part)
		}
		if !isName(attr) {
			return nil, fmt.Errorf("selector %q: invalid attribute name", part)
		}
		v, err := literal(strings.TrimSpace(text))
		if err != nil {
			return nil, fmt.Errorf("selector %q: %v", part, err)
		}
		conds = append(conds, condition{attr: attr, value: v})
	}
	return conds, nil
}

// splitAnd splits s at each " and " outside a quoted string.
func splitAnd(s string) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case quoted && s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted && len(s)-i > 5 && strings.EqualFold(s[i:i+5], " and "):
			parts = append(parts, s[start:i])
			start = i + 5
			i += 4
		}
	}
	return append(parts, s[start:])
}

// literal reads a condition's value: a JSON string, number, true, false or
// null, or a bare word as a string (as WSO2 writes emails[type eq work]).
func literal(text string) (any, error) {
	switch {
	case text == "":
		return nil, errors.New("missing value")
	case text[0] == '"':
		var s string
		if err := json.Unmarshal([]byte(text), &s); err != nil {
			return nil, fmt.Errorf("value %s: %v", text, err)
		}
		return s, nil
	case text == "true" || text == "false":
		return text == "true", nil
	case text == "null":
		return nil, nil
	case strings.ContainsAny(text, " \t\"()[]"):
		return nil, fmt.Errorf("value %q: quote it", text)
	}
	if _, err := strconv.ParseFloat(text, 64); err == nil && json.Valid([]byte(text)) {
		return json.Number(text), nil
	}
	return text, nil
}

// closingBracket returns the index of the "]" that closes a selector,
// skipping quoted strings, or -1.
func closingBracket(s string) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case quoted && s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted && s[i] == '[':
			return -1
		case !quoted && s[i] == ']':
			return i
		}
	}
	return -1
}

// isName reports whether s is an attribute name (RFC 7644 §3.4.2.2:
// ALPHA *(ALPHA / DIGIT / "-" / "_")).
func isName(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlpha(c) && !('0' <= c && c <= '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isURN reports whether s is a schema URN: "urn:" and letters, digits and
// "-._:+%".
func isURN(s string) bool {
	if len(s) < 5 || !strings.EqualFold(s[:4], "urn:") {
		return false
	}
	for i := 4; i < len(s); i++ {
		if c := s[i]; !isAlpha(c) && !('0' <= c && c <= '9') && !strings.ContainsRune("-._:+%", rune(c)) {
			return false
		}
	}
	return true
}

// apply sets the column's value v in the resource doc and reports whether
// that changed it.
func (c *column) apply(doc map[string]any, v any) bool {
	obj := doc
	if c.urn != "" {
		obj = child(doc, c.urn)
	}
	switch {
	case c.where != nil:
		return setFold(c.element(obj), c.sub, v)
	case c.sub != "":
		return setFold(child(obj, c.attr), c.sub, v)
	}
	return setFold(obj, c.attr, v)
}

// element returns the value of the multi-valued attribute that the column's
// conditions choose, adding one if none matches.
func (c *column) element(obj map[string]any) map[string]any {
	old, _ := lookupFold(obj, c.attr)
	list, _ := old.([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && c.matches(m) {
			return m
		}
	}
	m := make(map[string]any, len(c.where)+1)
	for _, cond := range c.where {
		m[cond.attr] = cond.value
	}
	setFold(obj, c.attr, append(list, m))
	return m
}

func (c *column) matches(m map[string]any) bool {
	for _, cond := range c.where {
		v, _ := lookupFold(m, cond.attr)
		if !sameValue(v, cond.value) {
			return false
		}
	}
	return true
}

// sameValue compares attribute values, strings case-insensitively as for
// attributes that are not caseExact, such as a value's type.
func sameValue(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		return strings.EqualFold(as, bs)
	}
	return reflect.DeepEqual(a, b)
}

// child returns the object m[name], replacing whatever else is there with
// a new object.
func child(m map[string]any, name string) map[string]any {
	v, _ := lookupFold(m, name)
	if obj, ok := v.(map[string]any); ok {
		return obj
	}
	obj := make(map[string]any)
	setFold(m, name, obj)
	return obj
}

func lookupFold(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// setFold sets m[name] to v, keeping the case of a name already there, and
// reports whether that changed m.
func setFold(m map[string]any, name string, v any) bool {
	for k, old := range m {
		if strings.EqualFold(k, name) {
			if reflect.DeepEqual(old, v) {
				return false
			}
			m[k] = v
			return true
		}
	}
	m[name] = v
	return true
}
