package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loadConfig reads a YAML config file whose keys are the flag names
// (addr, db, base-url, ...) and sets every flag that neither the command
// line nor the environment set. Unknown keys are errors.
func loadConfig(fs *flag.FlagSet, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var values map[string]any
	d := yaml.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&values); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for key, v := range values {
		f := fs.Lookup(key)
		if f == nil || key == "config" {
			return fmt.Errorf("config %s: unknown key %q", path, key)
		}
		if set[key] {
			continue
		}
		if err := fs.Set(key, scalar(v)); err != nil {
			return fmt.Errorf("config %s: %s: %v", path, key, err)
		}
	}
	return nil
}

// scalar renders a YAML value as its flag's text: lists are joined with
// spaces (scopes), maps become "k=v ...;k2=..." (scope mappings).
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = scalar(x)
		}
		return strings.Join(parts, " ")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + scalar(v[k])
		}
		return strings.Join(parts, ";")
	}
	return fmt.Sprint(v)
}
