package schemaconfig

import (
	"fmt"
	"slices"
	"strings"
)

// fields reads the members of a JSON object, reporting each problem at
// the line of the member at fault, prefixed with what the object is.
type fields struct {
	src   *source
	obj   *object
	off   int    // where the object starts
	where string // what the object is, e.g. `attribute "badges"`
	read  []string
}

func newFields(src *source, v *value, where string) (*fields, error) {
	obj, ok := v.v.(*object)
	if !ok {
		return nil, src.errorf(v.off, "%s must be a JSON object, not %s", where, describe(v.v))
	}
	return &fields{src: src, obj: obj, off: v.off, where: where}, nil
}

func (f *fields) errorf(off int, format string, args ...any) error {
	return f.src.errorf(off, "%s: %s", f.where, fmt.Sprintf(format, args...))
}

// member returns a member's value, or nil if it is absent or null.
func (f *fields) member(key string) *value {
	f.read = append(f.read, key)
	v := f.obj.members[key]
	if v == nil || v.v == nil {
		return nil
	}
	return v
}

// has reports whether the object has a member, null or not.
func (f *fields) has(key string) bool {
	_, ok := f.obj.members[key]
	return ok
}

// str returns a string member, "" if absent.
func (f *fields) str(key string) (string, error) {
	v := f.member(key)
	if v == nil {
		return "", nil
	}
	s, ok := v.v.(string)
	if !ok {
		return "", f.errorf(v.off, "%q must be a string, not %s", key, describe(v.v))
	}
	return s, nil
}

// boolean returns a boolean member, def if absent. The strings "true" and
// "false" (any case) are accepted, as WSO2's files write booleans, and the
// string "null" stands for an absent value.
func (f *fields) boolean(key string, def bool) (bool, error) {
	v := f.member(key)
	if v == nil {
		return def, nil
	}
	switch b := v.v.(type) {
	case bool:
		return b, nil
	case string:
		switch strings.ToLower(b) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return def, nil
		}
	}
	return false, f.errorf(v.off, "%q must be true or false, not %s", key, describe(v.v))
}

// stringList returns a member that is an array of strings; absent, null and
// the string "null" are empty.
func (f *fields) stringList(key string) ([]string, error) {
	v := f.member(key)
	if v == nil {
		return nil, nil
	}
	if s, ok := v.v.(string); ok && strings.EqualFold(s, "null") {
		return nil, nil
	}
	list, ok := v.v.([]*value)
	if !ok {
		return nil, f.errorf(v.off, "%q must be an array of strings, not %s", key, describe(v.v))
	}
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := e.v.(string)
		if !ok {
			return nil, f.errorf(e.off, "%q must be an array of strings; it holds %s", key, describe(e.v))
		}
		out[i] = s
	}
	return out, nil
}

// list returns a member that is an array; absent and null are empty.
func (f *fields) list(key string) ([]*value, error) {
	v := f.member(key)
	if v == nil {
		return nil, nil
	}
	list, ok := v.v.([]*value)
	if !ok {
		return nil, f.errorf(v.off, "%q must be an array, not %s", key, describe(v.v))
	}
	return list, nil
}

// done reports the first member that was not read: an unknown member is
// more likely a typo ("mutablity") than something to ignore.
func (f *fields) done() error {
	for _, k := range f.obj.keys {
		if !slices.Contains(f.read, k) {
			known := slices.Clone(f.read)
			slices.Sort(known)
			return f.errorf(f.obj.members[k].off, "unknown member %q (the members are %s)", k, strings.Join(known, ", "))
		}
	}
	return nil
}

// enum returns the spelling in values of s, compared case-insensitively
// (the WSO2 guide writes "readwrite"); s itself if none matches, for
// schema.NewRegistry to refuse with the list of what it accepts.
func enum[T ~string](s string, values []T) T {
	for _, v := range values {
		if strings.EqualFold(string(v), s) {
			return v
		}
	}
	return T(s)
}
