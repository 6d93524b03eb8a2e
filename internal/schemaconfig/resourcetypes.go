package schemaconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/scimd/scimd/scim/schema"
)

// A resource-type file (YAML, or JSON, which is YAML too) configures
// resource types:
//
//	resourceTypes:
//	  - name: User                  # built in: add extensions and indexes
//	    schemaExtensions:
//	      - schema: urn:example:params:scim:schemas:extension:badge:2.0:User
//	        required: false
//	    indexes: [urn:example:params:scim:schemas:extension:badge:2.0:User:badge]
//	  - name: Device                # new: an endpoint, a schema, scopes
//	    endpoint: /Devices
//	    description: Managed devices
//	    schema: urn:example:params:scim:schemas:core:2.0:Device
//	    scopes: {create: device_create, list: device_list, view: device_view, update: device_update, delete: device_delete}
//	    indexes: [serial]
//	    substring: [displayName]
//
// The members are those of RFC 7643 §6 (name, endpoint, description,
// schema, schemaExtensions) and scimd's own: scopes, indexes, substring.

// typeEntry is one resource type of a resource-type file.
type typeEntry struct {
	path string // the file
	line int
	keys map[string]int // the members given, with their lines

	name, endpoint, description, schema string
	extensions                          []extensionEntry
	scopes                              schema.Scopes
	indexes, substring                  []string
}

func (t *typeEntry) at(key string) string {
	if l, ok := t.keys[key]; ok {
		return fmt.Sprintf("%s:%d", t.path, l)
	}
	return fmt.Sprintf("%s:%d", t.path, t.line)
}

func (t *typeEntry) errorf(key, format string, args ...any) error {
	return fmt.Errorf("%s: resource type %s: %s", t.at(key), t.name, fmt.Sprintf(format, args...))
}

// extensionEntry is an extension a resource type attaches.
type extensionEntry struct {
	line     int
	schema   string
	required bool
}

// readTypes reads a resource-type file.
func readTypes(path string, data []byte) ([]*typeEntry, error) {
	var doc yaml.Node
	d := yaml.NewDecoder(bytes.NewReader(data))
	err := d.Decode(&doc)
	if errors.Is(err, io.EOF) || err == nil && len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: the file is empty", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %v", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	y := yamlFile{path: path}
	root, err := y.mapping(doc.Content[0], "the file", "resourceTypes")
	if err != nil {
		return nil, err
	}
	list := root["resourceTypes"]
	if list == nil {
		return nil, fmt.Errorf("%s:%d: the file must have \"resourceTypes\", a list of resource types", path, doc.Content[0].Line)
	}
	if list.Kind != yaml.SequenceNode {
		return nil, y.errorf(list, "\"resourceTypes\" must be a list of resource types")
	}
	var out []*typeEntry
	for _, n := range list.Content {
		t, err := y.typeEntry(n)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

type yamlFile struct{ path string }

func (y yamlFile) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", y.path, n.Line, fmt.Sprintf(format, args...))
}

// mapping returns the members of a mapping node, refusing repeated and
// unknown keys.
func (y yamlFile) mapping(n *yaml.Node, what string, known ...string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, y.errorf(n, "%s must be a mapping of %s", what, strings.Join(known, ", "))
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !slices.Contains(known, k.Value):
			return nil, y.errorf(k, "%s: unknown member %q (the members are %s)", what, k.Value, strings.Join(known, ", "))
		case out[k.Value] != nil:
			return nil, y.errorf(k, "%s: the member %q is repeated", what, k.Value)
		}
		v.Line = max(v.Line, k.Line)
		out[k.Value] = v
	}
	return out, nil
}

func (y yamlFile) str(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return "", y.errorf(n, "%s must be a string", what)
	}
	return n.Value, nil
}

func (y yamlFile) strs(n *yaml.Node, what string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, y.errorf(n, "%s must be a list of attribute paths", what)
	}
	out := make([]string, len(n.Content))
	for i, e := range n.Content {
		var err error
		if out[i], err = y.str(e, what+" entries"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var typeKeys = []string{"name", "endpoint", "description", "schema", "schemaExtensions", "scopes", "indexes", "substring"}

func (y yamlFile) typeEntry(n *yaml.Node) (*typeEntry, error) {
	m, err := y.mapping(n, "a resource type", typeKeys...)
	if err != nil {
		return nil, err
	}
	t := &typeEntry{path: y.path, line: n.Line, keys: map[string]int{}}
	for k, v := range m {
		t.keys[k] = v.Line
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"name", &t.name}, {"endpoint", &t.endpoint}, {"description", &t.description}, {"schema", &t.schema}} {
		if v := m[f.key]; v != nil {
			if *f.dst, err = y.str(v, fmt.Sprintf("%q", f.key)); err != nil {
				return nil, err
			}
		}
	}
	if t.name == "" {
		return nil, y.errorf(n, "a resource type needs a \"name\"")
	}
	if v := m["schemaExtensions"]; v != nil {
		if t.extensions, err = y.extensions(v); err != nil {
			return nil, err
		}
	}
	if v := m["scopes"]; v != nil {
		if t.scopes, err = y.scopes(v); err != nil {
			return nil, err
		}
	}
	if v := m["indexes"]; v != nil {
		if t.indexes, err = y.strs(v, `"indexes"`); err != nil {
			return nil, err
		}
	}
	if v := m["substring"]; v != nil {
		if t.substring, err = y.strs(v, `"substring"`); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (y yamlFile) extensions(n *yaml.Node) ([]extensionEntry, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, y.errorf(n, "\"schemaExtensions\" must be a list of {schema, required}")
	}
	var out []extensionEntry
	for _, e := range n.Content {
		m, err := y.mapping(e, "an extension", "schema", "required")
		if err != nil {
			return nil, err
		}
		x := extensionEntry{line: e.Line}
		if m["schema"] == nil {
			return nil, y.errorf(e, "an extension needs a \"schema\": its URN")
		}
		if x.schema, err = y.str(m["schema"], "\"schema\""); err != nil {
			return nil, err
		}
		if r := m["required"]; r != nil {
			if r.Kind != yaml.ScalarNode || r.Tag != "!!bool" {
				return nil, y.errorf(r, "\"required\" must be true or false")
			}
			if err := r.Decode(&x.required); err != nil {
				return nil, y.errorf(r, "\"required\": %v", err)
			}
		}
		out = append(out, x)
	}
	return out, nil
}

func (y yamlFile) scopes(n *yaml.Node) (schema.Scopes, error) {
	m, err := y.mapping(n, "\"scopes\"", "create", "list", "view", "update", "delete")
	if err != nil {
		return schema.Scopes{}, err
	}
	var s schema.Scopes
	for _, f := range []struct {
		key string
		dst *string
	}{{"create", &s.Create}, {"list", &s.List}, {"view", &s.View}, {"update", &s.Update}, {"delete", &s.Delete}} {
		v := m[f.key]
		if v == nil {
			return schema.Scopes{}, y.errorf(n, "\"scopes\" needs all of create, list, view, update and delete; %s is missing", f.key)
		}
		if *f.dst, err = y.str(v, "scope "+f.key); err != nil {
			return schema.Scopes{}, err
		}
		if err := schema.CheckScope(*f.dst); err != nil {
			return schema.Scopes{}, y.errorf(v, "scope %s: %v", f.key, err)
		}
	}
	return s, nil
}
