package schemaconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// Config is a loaded schema configuration.
type Config struct {
	// Registry is the resource types to serve: the built-in ones with the
	// configuration applied.
	Registry *schema.Registry
	// requirements are what stored resources must have for the
	// configuration to hold; see CheckStored.
	requirements []requirement
}

// Load reads the schema configuration at path — one file, or every file of
// a directory in name order — and applies it to base, the built-in
// resource types (server.ResourceTypes()), which it leaves unmodified.
// Files ending in .json or .config hold schemas, in RFC 7643 §7 Schema
// JSON or in the WSO2 format, told apart by their content, or resource
// types in JSON; files ending in .yaml or .yml hold resource types. Names
// starting with "." are skipped.
//
// It is all or nothing: any problem in any file fails it, with an error
// that names the file, the line where it can tell, and the schema,
// attribute or resource type at fault.
func Load(path string, base []*schema.ResourceType) (*Config, error) {
	files, err := list(path)
	if err != nil {
		return nil, err
	}
	b := newBuilder(base)
	for _, f := range files {
		if err := b.read(f); err != nil {
			return nil, err
		}
	}
	return b.build()
}

// list returns the files to read at path.
func list(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(path, e.Name())
		if fi, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("schemas: %w", err)
		} else if fi.IsDir() {
			return nil, fmt.Errorf("schemas: %s is a directory: only the files of %s are read, not its subdirectories", p, path)
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// read reads one file into the builder.
func (b *builder) read(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("schemas: %w", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		types, err := readTypes(path, data)
		b.types = append(b.types, types...)
		return err
	case ".json", ".config":
	default:
		return fmt.Errorf("%s: not a schema file: schemas are read from .json and .config files (RFC 7643 or WSO2 format), resource types from .yaml, .yml and .json files", path)
	}
	src := &source{path: path, data: data}
	values, err := src.values()
	if err != nil {
		return err
	}
	kind, err := detect(values)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	switch kind {
	case kindTypes:
		if len(values) > 1 {
			return src.errorf(values[1].off, "a resource-type file holds one object, with \"resourceTypes\"")
		}
		types, err := readTypes(path, data)
		b.types = append(b.types, types...)
		return err
	case kindWSO2:
		defs, err := wso2Schemas(src, values, b.baseSchemas)
		if err != nil {
			return err
		}
		return b.define(defs, true)
	}
	var defs []*definition
	for _, v := range values {
		d, err := rfcSchemas(src, v)
		if err != nil {
			return err
		}
		defs = append(defs, d...)
	}
	if len(defs) == 0 {
		return src.errorf(values[0].off, "the file defines no schema")
	}
	return b.define(defs, false)
}

// The kinds of JSON file.
const (
	kindRFC   = iota + 1 // RFC 7643 §7 schemas
	kindWSO2             // WSO2 entries
	kindTypes            // resource types
)

// detect tells the kind of a JSON file from its values: WSO2 entries have
// an "attributeURI", a resource-type file has "resourceTypes", and
// anything else is taken for RFC 7643 schemas, whose reader says what is
// wrong with it if it isn't.
func detect(values []*value) (int, error) {
	kinds := map[int]bool{}
	for _, v := range values {
		elems := []*value{v}
		if list, ok := v.v.([]*value); ok {
			elems = list
		}
		for _, e := range elems {
			obj, _ := e.v.(*object)
			switch {
			case obj != nil && obj.members["attributeURI"] != nil:
				kinds[kindWSO2] = true
			case obj != nil && obj.members["resourceTypes"] != nil:
				kinds[kindTypes] = true
			default:
				kinds[kindRFC] = true
			}
		}
	}
	switch {
	case len(kinds) > 1:
		return 0, errors.New("the file mixes formats: WSO2 entries (with \"attributeURI\"), RFC 7643 schemas and resource types (\"resourceTypes\") go in files of their own")
	case kinds[kindWSO2]:
		return kindWSO2, nil
	case kinds[kindTypes]:
		return kindTypes, nil
	}
	return kindRFC, nil
}

// builtIn are the schemas a file may not define: the core schemas of the
// built-in resource types, scimd's authorization extension and the
// schemas of the discovery resources.
func builtIn(base []*schema.ResourceType) map[string]bool {
	out := map[string]bool{
		strings.ToLower(schema.AuthorizationSchema):       true,
		strings.ToLower(scim.SchemaSchema):                true,
		strings.ToLower(scim.ResourceTypeSchema):          true,
		strings.ToLower(scim.ServiceProviderConfigSchema): true,
	}
	for _, rt := range base {
		out[strings.ToLower(rt.Schema.ID)] = true
	}
	return out
}
