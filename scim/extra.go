package scim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Extra holds the members of a JSON object that its Go type does not model
// — extension schemas keyed by their URN, vendor attributes, sub-attributes a
// service provider added — as raw JSON, so that a resource read from one
// service provider is written back unchanged.
//
// When the object is encoded, a member of Extra replaces a modelled attribute
// whose name is the same up to case. A member whose value is
// json.RawMessage("null") therefore sends an explicit null, which clears the
// attribute in a PUT (RFC 7643 §2.5) however the service provider treats
// attributes that are merely omitted (RFC 7644 §3.5.1).
type Extra map[string]json.RawMessage

// Decode unmarshals the member called name into v and reports whether the
// member was present. Names match case-insensitively, as attribute names do
// (RFC 7643 §2.1).
func (e Extra) Decode(name string, v any) (bool, error) {
	key, ok := e.lookup(name)
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(e[key], v); err != nil {
		return true, fmt.Errorf("scim: decoding %q: %w", key, err)
	}
	return true, nil
}

// Set stores v, encoded as JSON, as the member called name, replacing any
// member whose name differs from it only in case.
func (e *Extra) Set(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("scim: encoding %q: %w", name, err)
	}
	if *e == nil {
		*e = make(Extra)
	}
	if key, ok := e.lookup(name); ok {
		delete(*e, key)
	}
	(*e)[name] = b
	return nil
}

// lookup returns the key of e that equals name up to case.
func (e Extra) lookup(name string) (string, bool) {
	if _, ok := e[name]; ok {
		return name, true
	}
	for k := range e {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// fieldSet is the set of JSON member names of a struct type's fields, as
// written in their tags and lower-cased.
type fieldSet map[string]bool

// fieldsOf returns the JSON member names that encoding/json uses for the
// exported fields of struct type T.
func fieldsOf[T any]() fieldSet {
	t := reflect.TypeFor[T]()
	set := make(fieldSet, 2*t.NumField())
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		set[name] = true
		set[strings.ToLower(name)] = true
	}
	return set
}

// has reports whether name is a field's name, up to case as encoding/json
// matches them.
func (s fieldSet) has(name string) bool { return s[name] || s[strings.ToLower(name)] }

// decodeObject unmarshals b into the method-less alias dst and returns the
// members of b that dst does not model.
func decodeObject(b []byte, dst any, known fieldSet) (Extra, error) {
	if err := json.Unmarshal(b, dst); err != nil {
		return nil, err
	}
	var extra Extra
	var err error
	eachMember(b, func(key, value []byte) {
		if known[string(key[1:len(key)-1])] {
			return // the common case, without allocating
		}
		var name string
		if err = json.Unmarshal(key, &name); err != nil || known.has(name) {
			return
		}
		if extra == nil {
			extra = make(Extra)
		}
		extra[name] = bytes.Clone(value)
	})
	return extra, err
}

// eachMember calls fn with the name, quoted, and the value of each member
// of the JSON object b, which json.Unmarshal has already found valid.
func eachMember(b []byte, fn func(key, value []byte)) {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return
	}
	for i++; ; {
		i = skipSpace(b, i)
		if i == len(b) || b[i] == '}' {
			return
		}
		if b[i] == ',' {
			i++
			continue
		}
		keyEnd := stringEnd(b, i)
		start := skipSpace(b, skipSpace(b, keyEnd)+1) // past the colon
		end := valueEnd(b, start)
		fn(b[i:keyEnd], b[start:end])
		i = end
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the JSON value starting at i.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j
}

// encodeObject marshals the method-less alias v and adds the members of
// extra, which replace members of v with the same name up to case.
func encodeObject(v any, known fieldSet, extra Extra) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if slices.ContainsFunc(keys, known.has) {
		return mergeObject(b, extra)
	}
	return appendMembers(b, extra, keys)
}

// appendMembers adds the members keys of extra to the encoded object b.
func appendMembers(b []byte, extra Extra, keys []string) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b) + 64*len(keys))
	buf.Write(b[:len(b)-1])
	sep := len(b) > 2
	for _, k := range keys {
		if sep {
			buf.WriteByte(',')
		}
		sep = true
		name, _ := json.Marshal(k)
		buf.Write(name)
		buf.WriteByte(':')
		if err := writeRaw(&buf, k, extra[k]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// writeRaw writes the compacted raw value of member k; an empty value is
// written as null.
func writeRaw(buf *bytes.Buffer, k string, raw json.RawMessage) error {
	if len(raw) == 0 {
		buf.WriteString("null")
		return nil
	}
	if err := json.Compact(buf, raw); err != nil {
		return fmt.Errorf("scim: member %q: %w", k, err)
	}
	return nil
}

// mergeObject re-encodes the object b with the members of extra replacing
// those with the same name up to case. Members come out in key order.
func mergeObject(b []byte, extra Extra) ([]byte, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	for k, v := range extra {
		for name := range all {
			if strings.EqualFold(name, k) {
				delete(all, name)
			}
		}
		if len(v) == 0 {
			v = json.RawMessage("null")
		}
		all[k] = v
	}
	return json.Marshal(all)
}
