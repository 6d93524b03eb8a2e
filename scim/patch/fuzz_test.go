package patch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/patch"
	"github.com/scimd/scimd/scim/schema"
)

// fuzzTarget is a fixed resource of testdata/fuzz-fixtures.json that
// FuzzParseApply patches.
type fuzzTarget struct {
	Document map[string]any `json:"document"`
	Members  []memberJSON   `json:"members"`
}

func loadFuzzTargets(t testing.TB) map[string]fuzzTarget {
	t.Helper()
	var out map[string]fuzzTarget
	dec := json.NewDecoder(bytes.NewReader(readFile(t, "fuzz-fixtures.json")))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("fuzz-fixtures.json: %v", err)
	}
	return out
}

// FuzzParseApply runs arbitrary PatchOp bodies through Parse and Apply on
// a fixed user, group and device, under the rfc and entra options. The
// seeds are the bodies of the case table and one operation per op, value
// shape and attribute path of the resource types (schemaSeeds). It checks
// that nothing panics; that every error is a *scim.Error with status 400;
// that neither Parse nor Apply modifies its input; and that a successful
// Apply gives a document that re-normalizes to itself, has its required
// attributes and at most one primary value per attribute (checkResult).
func FuzzParseApply(f *testing.F) {
	for _, c := range loadCases(f) {
		b, err := json.Marshal(c.body())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	types := resourceTypes(f)
	for _, b := range schemaSeeds(types) {
		f.Add(b)
	}
	targets := loadFuzzTargets(f)
	for name, tg := range targets {
		checkCanonical(f, types[name], "the "+name+" fixture", tg.Document)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var body map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if dec.Decode(&body) != nil || body == nil {
			return
		}
		for name, tg := range targets {
			for _, opts := range []patch.Options{profiles["rfc"], profiles["entra"]} {
				fuzzOne(t, types[name], tg, body, opts)
			}
		}
	})
}

func fuzzOne(t *testing.T, rt *schema.ResourceType, tg fuzzTarget, body map[string]any, opts patch.Options) {
	ops, err := parse(t, rt, body, opts)
	if err != nil {
		check400(t, "Parse", err)
		return
	}
	var members []patch.Member
	if patch.NeedsMembers(ops) {
		members = (&patchCase{Members: tg.Members}).members()
	}
	if _, err := apply(t, rt, tg.Document, members, ops, opts); err != nil {
		check400(t, "Apply", err)
	}
}

func check400(t *testing.T, what string, err error) {
	t.Helper()
	var se *scim.Error
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest || se.Type == "" || se.Detail == "" {
		t.Fatalf("%s: got error %#v, want a *scim.Error 400 with a scimType and a detail", what, err)
	}
}

// seedValues are values of every JSON shape, some valid for an attribute.
var seedValues = []any{
	nil, "work", "True", json.Number("7"), false, []any{},
	map[string]any{"value": "v", "type": "work", "primary": true},
	[]any{map[string]any{"value": "w", "display": "W", "primary": true}, "x"},
}

// schemaSeeds returns a PatchOp body for every op, value of seedValues and
// path to an attribute of the resource types, with and without a value
// filter and a sub-attribute.
func schemaSeeds(types map[string]*schema.ResourceType) [][]byte {
	var out [][]byte
	for _, rt := range types {
		for _, path := range seedPaths(rt) {
			for _, op := range []string{"add", "replace", "remove"} {
				for _, v := range seedValues {
					b, _ := json.Marshal(map[string]any{
						"schemas":    []any{scim.PatchOpMessage},
						"Operations": []any{map[string]any{"op": op, "path": path, "value": v}},
					})
					out = append(out, b)
				}
			}
		}
	}
	return out
}

// seedPaths returns paths to the attributes of a resource type: each
// attribute, its sub-attributes, and for complex ones a value filter.
func seedPaths(rt *schema.ResourceType) []string {
	var out []string
	add := func(prefix string, attrs []*scim.Attribute) {
		for _, a := range attrs {
			out = append(out, prefix+a.Name)
			for _, s := range a.SubAttributes {
				out = append(out, prefix+a.Name+"."+s.Name, prefix+a.Name+"[type eq \"work\" or primary eq true]."+s.Name)
			}
			if a.Type == scim.Complex {
				out = append(out, prefix+a.Name+"[value pr]")
			}
		}
	}
	add("", rt.Schema.Attributes)
	for _, e := range rt.Extensions {
		out = append(out, e.Schema.ID)
		add(e.Schema.ID+":", e.Schema.Attributes)
	}
	return out
}
