package patch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/patch"
	"github.com/scimd/scimd/scim/schema"
)

// patchCase is one case of testdata/cases/*.json; testdata/README.md
// describes the format.
type patchCase struct {
	Name       string          `json:"name"`
	Source     string          `json:"source"`
	Type       string          `json:"type"`
	Profile    string          `json:"profile"`
	Before     map[string]any  `json:"before"`
	Members    []memberJSON    `json:"members"`
	Operations []any           `json:"operations"`
	Body       map[string]any  `json:"body"`
	After      map[string]any  `json:"after"`
	Membership *membershipJSON `json:"membership"`
	Error      *wantError      `json:"error"`
}

type caseFile struct {
	Source string      `json:"source"`
	Cases  []patchCase `json:"cases"`
}

type memberJSON struct {
	Value   string `json:"value"`
	Display string `json:"display"`
	Type    string `json:"type"`
}

type membershipJSON struct {
	RemoveAll bool     `json:"removeAll"`
	Remove    []string `json:"remove"`
	Add       []string `json:"add"`
}

type wantError struct {
	Status   int            `json:"status"`
	ScimType scim.ErrorType `json:"scimType"`
	Detail   string         `json:"detail"`
}

// profiles are the compatibility profiles of SPEC §5 as the server maps
// them to Options (internal/server/patch.go).
var profiles = map[string]patch.Options{
	"":      {},
	"rfc":   {},
	"okta":  {},
	"entra": {CreateOnNoTarget: true, BareManager: true},
}

// testScopes are the scopes of the Group authorization extension in tests.
var testScopes = []string{"groups:read", "groups:write", "users:read", "users:write"}

// resourceTypes returns the resource types the cases name: User (with the
// Enterprise User extension) and Group (with the authorization extension)
// as the server registers them, and the test-only Device of
// testdata/device.schema.json.
func resourceTypes(t testing.TB) map[string]*schema.ResourceType {
	t.Helper()
	var device struct {
		Schema    scim.Schema `json:"schema"`
		Extension scim.Schema `json:"extension"`
	}
	if err := json.Unmarshal(readFile(t, "device.schema.json"), &device); err != nil {
		t.Fatalf("device.schema.json: %v", err)
	}
	reg, err := schema.NewRegistry(
		&schema.ResourceType{Name: schema.UserType, Endpoint: "/Users", Schema: schema.UserSchema(),
			Extensions: []schema.Extension{{Schema: schema.EnterpriseUserSchema()}}},
		&schema.ResourceType{Name: schema.GroupType, Endpoint: "/Groups", Schema: schema.GroupSchema(),
			Extensions: []schema.Extension{{Schema: schema.AuthorizationExtension(testScopes)}}},
		&schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &device.Schema,
			Extensions: []schema.Extension{{Schema: &device.Extension}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*schema.ResourceType{}
	for _, rt := range reg.ResourceTypes() {
		out[rt.Name] = rt
	}
	return out
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadCases reads every case file, in name order.
func loadCases(t testing.TB) []patchCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	sort.Strings(files)
	var out []patchCase
	for _, file := range files {
		var cf caseFile
		dec := json.NewDecoder(bytes.NewReader(readFile(t, filepath.Join("cases", filepath.Base(file)))))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cf); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for i := range cf.Cases {
			cf.Cases[i].Name = strings.TrimSuffix(filepath.Base(file), ".json") + "/" + cf.Cases[i].Name
		}
		out = append(out, cf.Cases...)
	}
	return out
}

// body returns the PatchOp body of a case as the client sends it.
func (c *patchCase) body() map[string]any {
	if c.Body != nil {
		return c.Body
	}
	return map[string]any{"schemas": []any{scim.PatchOpMessage}, "Operations": c.Operations}
}

func (c *patchCase) members() []patch.Member {
	var out []patch.Member
	for _, m := range c.Members {
		out = append(out, patch.Member{Value: m.Value, Display: m.Display, Type: m.Type})
	}
	return out
}

func TestCases(t *testing.T) {
	types := resourceTypes(t)
	seen := map[string]bool{}
	for _, c := range loadCases(t) {
		if seen[c.Name] {
			t.Errorf("case name %q is used twice", c.Name)
		}
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) { testCase(t, types, &c) })
	}
}

func testCase(t *testing.T, types map[string]*schema.ResourceType, c *patchCase) {
	rt := types[c.Type]
	opts, ok := profiles[c.Profile]
	if rt == nil || !ok {
		t.Fatalf("unknown type %q or profile %q", c.Type, c.Profile)
	}
	if (c.Error == nil) == (c.After == nil) || (c.Body == nil) == (c.Operations == nil) {
		t.Fatal(`a case has either "after" or "error", and either "operations" or "body"`)
	}
	checkCanonical(t, rt, "before", c.Before)
	res, err := run(t, rt, c, opts)
	if c.Error != nil {
		checkError(t, err, c.Error)
		return
	}
	if err != nil {
		t.Fatalf("got error %v, want success", err)
	}
	checkCanonical(t, rt, "after", c.After)
	if diff := cmp.Diff(res.Doc, c.After); diff != "" {
		t.Errorf("document (-got +want):\n%s", diff)
	}
	checkMembership(t, res.Members, c.Membership)
}

// run parses and applies a case as the server does: the current members go
// to Apply only when NeedsMembers asks for them. When it doesn't, it
// checks that they wouldn't change the result.
func run(t *testing.T, rt *schema.ResourceType, c *patchCase, opts patch.Options) (*patch.Result, error) {
	t.Helper()
	ops, err := parse(t, rt, c.body(), opts)
	if err != nil {
		return nil, err
	}
	members := c.members()
	if !patch.NeedsMembers(ops) {
		members = nil
	}
	res, err := apply(t, rt, c.Before, members, ops, opts)
	if members == nil && len(c.Members) > 0 {
		with, errWith := apply(t, rt, c.Before, c.members(), ops, opts)
		if diff := cmp.Diff(with, res); diff != "" || !sameError(errWith, err) {
			t.Errorf("NeedsMembers is false, but the members change the result: %v, %v (-with +without):\n%s", errWith, err, diff)
		}
	}
	return res, err
}

// parse runs patch.Parse and checks that it leaves the body as it is.
func parse(t testing.TB, rt *schema.ResourceType, body map[string]any, opts patch.Options) ([]patch.Operation, error) {
	t.Helper()
	bodyCopy := clone(body)
	ops, err := patch.Parse(rt, body, opts)
	if diff := cmp.Diff(body, bodyCopy); diff != "" {
		t.Errorf("Parse modified the request body (-got +want):\n%s", diff)
	}
	return ops, err
}

// apply runs patch.Apply and checks that it leaves the document, the
// members and the operations as they are, that applying the operations a
// second time gives the same outcome, and that a result passes checkResult.
func apply(t testing.TB, rt *schema.ResourceType, doc map[string]any, members []patch.Member, ops []patch.Operation, opts patch.Options) (*patch.Result, error) {
	t.Helper()
	docCopy, membersCopy, values := clone(doc), slices.Clone(members), opValues(ops)
	res, err := patch.Apply(rt, doc, members, ops, opts)
	if diff := cmp.Diff(doc, docCopy); diff != "" {
		t.Errorf("Apply modified its input document (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(members, membersCopy); diff != "" {
		t.Errorf("Apply modified the members (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(opValues(ops), values); diff != "" {
		t.Errorf("Apply modified the operations (-got +want):\n%s", diff)
	}
	again, errAgain := patch.Apply(rt, doc, members, ops, opts)
	if diff := cmp.Diff(again, res); diff != "" || !sameError(errAgain, err) {
		t.Errorf("a second Apply of the same operations differs: %v, %v (-second +first):\n%s", errAgain, err, diff)
	}
	if err == nil {
		checkResult(t, rt, res)
	}
	return res, err
}

// opValues returns a deep copy of the values of operations.
func opValues(ops []patch.Operation) []any {
	var out []any
	for _, op := range ops {
		out = append(out, clone([]any{op.Value, op.Doc, op.RawValue}))
	}
	return out
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
}

// checkCanonical checks that a document of a case is in canonical form:
// Normalize leaves it as it is. It catches mistakes in the case files.
func checkCanonical(t testing.TB, rt *schema.ResourceType, what string, doc map[string]any) {
	t.Helper()
	if doc == nil {
		t.Fatalf("%s is missing", what)
	}
	n, err := rt.Normalize(clone(doc))
	if err != nil {
		t.Fatalf("%s is not a valid %s: %v", what, rt.Name, err)
	}
	if diff := cmp.Diff(n, doc); diff != "" {
		t.Fatalf("%s is not in canonical form (-normalized +as written):\n%s", what, diff)
	}
}

func checkError(t *testing.T, err error, want *wantError) {
	t.Helper()
	var se *scim.Error
	if !errors.As(err, &se) {
		t.Fatalf("got error %v, want a *scim.Error %d %s %q", err, want.Status, want.ScimType, want.Detail)
	}
	if se.Status != want.Status || se.Type != want.ScimType || !strings.Contains(se.Detail, want.Detail) {
		t.Errorf("got error %d %s %q, want %d %s with %q", se.Status, se.Type, se.Detail, want.Status, want.ScimType, want.Detail)
	}
}

func checkMembership(t *testing.T, got *patch.Membership, want *membershipJSON) {
	t.Helper()
	var w *patch.Membership
	if want != nil {
		w = &patch.Membership{RemoveAll: want.RemoveAll, Remove: want.Remove, Add: want.Add}
	}
	if diff := cmp.Diff(got, w, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("membership change (-got +want):\n%s", diff)
	}
}

// checkResult checks what every successful Apply must give: a document in
// canonical form that Normalize accepts and leaves unchanged (so Normalize
// is idempotent on it), with its required attributes, at most one primary
// value per multi-valued attribute, and a membership change that names no
// empty id and never both adds and removes one.
func checkResult(t testing.TB, rt *schema.ResourceType, res *patch.Result) {
	t.Helper()
	n, err := rt.Normalize(clone(res.Doc))
	if err != nil {
		t.Fatalf("the result doesn't normalize: %v\n%v", err, res.Doc)
	}
	if diff := cmp.Diff(n, res.Doc); diff != "" {
		t.Fatalf("the result is not in canonical form (-normalized +result):\n%s", diff)
	}
	if err := rt.CheckRequired(res.Doc); err != nil {
		t.Fatalf("the result lacks a required attribute: %v", err)
	}
	checkPrimaries(t, res.Doc)
	if m := res.Members; m != nil {
		if slices.Contains(m.Add, "") || slices.Contains(m.Remove, "") {
			t.Fatalf("membership change %+v names an empty id", m)
		}
		for _, id := range m.Add {
			if slices.Contains(m.Remove, id) {
				t.Fatalf("membership change %+v both adds and removes %q", m, id)
			}
		}
	}
}

// checkPrimaries checks that no multi-valued attribute of doc, core or
// extension, has two values with "primary": true.
func checkPrimaries(t testing.TB, doc map[string]any) {
	t.Helper()
	for k, v := range doc {
		if ext, ok := v.(map[string]any); ok && strings.HasPrefix(k, "urn:") {
			checkPrimaries(t, ext)
			continue
		}
		list, _ := v.([]any)
		n := 0
		for _, e := range list {
			if m, _ := e.(map[string]any); m["primary"] == true {
				n++
			}
		}
		if n > 1 {
			t.Fatalf("%s has %d primary values: %v", k, n, list)
		}
	}
}

// clone returns a deep copy of a decoded JSON document.
func clone[T any](v T) T {
	return cloneAny(v).(T)
}

func cloneAny(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if v == nil {
			return v
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = cloneAny(x)
		}
		return out
	case []any:
		if v == nil {
			return v
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = cloneAny(x)
		}
		return out
	}
	return v
}
