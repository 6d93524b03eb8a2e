package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scimd/scimd/scim"
)

// Patch is a PATCH request (RFC 7644 §3.5.2) under construction. The zero
// value is an empty Patch; each method appends one operation and returns p,
// so calls chain:
//
//	p := new(client.Patch).
//		Replace("active", false).
//		ReplaceWhere("emails", client.Eq("type", "work"), "value", "kim@example.com").
//		Remove("nickName")
//
// Paths are checked and values encoded as they are added; the first error
// is kept and returned by Request, so a Patch with a bad operation is never
// sent.
type Patch struct {
	ops []scim.PatchOperation
	err error
}

// PatchOf returns a Patch of ops, which are sent as they are: a way to
// replay PATCH requests captured elsewhere. Use the methods to build new
// ones, which check paths and encode values.
func PatchOf(ops ...scim.PatchOperation) *Patch {
	return &Patch{ops: slices.Clone(ops)}
}

// Add adds value at path ("add"). With an empty path, value is an object
// whose members are added to the resource.
func (p *Patch) Add(path string, value any) *Patch {
	return p.append("add", path, checkPath(path), value)
}

// Replace replaces the value at path with value ("replace"). With an empty
// path, value is an object whose members replace the resource's.
func (p *Patch) Replace(path string, value any) *Patch {
	return p.append("replace", path, checkPath(path), value)
}

// Remove removes the value at path ("remove").
func (p *Patch) Remove(path string) *Patch {
	err := checkPath(path)
	if path == "" {
		err = errors.New("scim client: remove needs a path")
	}
	return p.append("remove", path, err, nil)
}

// AddWhere adds value at attr[where].subAttr — the sub-attribute subAttr of
// the values of attr that where matches, or those values themselves when
// subAttr is empty. where is quoted as any Filter is, so it may contain
// user input.
func (p *Patch) AddWhere(attr string, where Filter, subAttr string, value any) *Patch {
	path, err := valuePath(attr, where, subAttr)
	return p.append("add", path, err, value)
}

// ReplaceWhere replaces the value at attr[where].subAttr, as AddWhere
// selects it, with value.
func (p *Patch) ReplaceWhere(attr string, where Filter, subAttr string, value any) *Patch {
	path, err := valuePath(attr, where, subAttr)
	return p.append("replace", path, err, value)
}

// RemoveWhere removes the values at attr[where].subAttr, as AddWhere
// selects them: RemoveWhere("members", Eq("value", id), "") removes one
// member from a Group.
func (p *Patch) RemoveWhere(attr string, where Filter, subAttr string) *Patch {
	path, err := valuePath(attr, where, subAttr)
	return p.append("remove", path, err, nil)
}

// Request returns the PatchOp message, or the first error met while
// building it.
func (p *Patch) Request() (*scim.PatchRequest, error) {
	if p.err != nil {
		return nil, p.err
	}
	if len(p.ops) == 0 {
		return nil, errors.New("scim client: empty patch")
	}
	return &scim.PatchRequest{Schemas: []string{scim.PatchOpMessage}, Operations: p.ops}, nil
}

func (p *Patch) append(op, path string, err error, value any) *Patch {
	if p.err != nil {
		return p
	}
	if err != nil {
		p.err = err
		return p
	}
	o := scim.PatchOperation{Op: op, Path: path}
	if op != "remove" {
		if o.Value, err = json.Marshal(value); err != nil {
			p.err = fmt.Errorf("scim client: %s %q: %w", op, path, err)
			return p
		}
		if path == "" && o.Value[0] != '{' {
			p.err = fmt.Errorf("scim client: %s without a path needs an object value, not %s", op, o.Value)
			return p
		}
	}
	p.ops = append(p.ops, o)
	return p
}

// valuePath builds attr[where].subAttr.
func valuePath(attr string, where Filter, subAttr string) (string, error) {
	f := ValuePath(attr, where)
	if f.err != nil {
		return "", f.err
	}
	if subAttr == "" {
		return f.expr, nil
	}
	if !isAttrName(subAttr) {
		return "", fmt.Errorf("scim client: invalid sub-attribute %q", subAttr)
	}
	return f.expr + "." + subAttr, nil
}

// checkPath checks a PATCH path, PATH = attrPath / valuePath [subAttr]
// (RFC 7644 §3.5.2). The filter of a value path is only checked for
// balanced brackets and quotes: build it with the *Where methods when it
// holds user input.
func checkPath(path string) error {
	if path == "" {
		return nil
	}
	attr, rest, ok := strings.Cut(path, "[")
	if !ok {
		return checkAttrPath(path)
	}
	if err := checkAttrPath(attr); err != nil {
		return err
	}
	end := closingBracket(rest)
	if end <= 0 {
		return fmt.Errorf("scim client: invalid value path %q", path)
	}
	sub := rest[end+1:]
	if sub != "" && (sub[0] != '.' || !isAttrName(sub[1:])) {
		return fmt.Errorf("scim client: invalid sub-attribute in path %q", path)
	}
	return nil
}

// closingBracket returns the index in s of the "]" that closes a value
// filter, skipping quoted strings, or -1.
func closingBracket(s string) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == '[':
			return -1
		case !quoted && c == ']':
			return i
		}
	}
	return -1
}
