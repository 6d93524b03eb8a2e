package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRemovedAttributeIsHiddenNotDeleted restarts scimd on one database
// with changing schema configurations: a value stored under an attribute
// that the configuration then drops is neither served nor filterable, and
// survives PUT and PATCH — even of the whole extension — until the
// attribute is declared again, when it is served and found again. The same
// holds for an extension that is detached altogether.
func TestRemovedAttributeIsHiddenNotDeleted(t *testing.T) {
	db := filepath.Join(t.TempDir(), "scimd.db")
	full := "testdata/schemas/custom"
	withoutClearance := withoutAttribute(t, full, "badge.json", "clearance")

	h, stop := reopen(t, db, full)
	kim := h.createUser(`{"userName":"kim","` + badgeURN + `":{"clearance":"secret","level":3,"badges":[{"value":"B1"}]}}`)
	stop()

	h, stop = reopen(t, db, withoutClearance)
	r := h.must(http.StatusOK, req{path: "/scim2/Users/" + kim})
	if r.ext(badgeURN, "clearance") != nil || toString(r.ext(badgeURN, "level")) != "3" {
		t.Errorf("with clearance undeclared, GET: %s", r.raw)
	}
	h.do(req{path: "/scim2/Users?filter=clearance+eq+%22secret%22"}).scimError(t, http.StatusBadRequest, "invalidFilter", "clearance")
	h.do(req{method: "POST", path: "/scim2/Users", body: `{"userName":"sam","` + badgeURN + `":{"clearance":"secret"}}`}).
		scimError(t, http.StatusBadRequest, "invalidValue", "clearance")
	h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Users/" + kim, body: `{"userName":"kim","` + badgeURN + `":{"level":5}}`})
	h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + kim, body: patchOp(`{"op":"replace","path":"level","value":6}`)})
	r = h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + kim, body: patchOp(`{"op":"remove","path":"` + badgeURN + `"}`)})
	if r.body[badgeURN] != nil || strings.Contains(toString(r.body["schemas"]), badgeURN) {
		t.Errorf("after removing the whole extension, whose hidden clearance stays: %s", r.raw)
	}
	stop()

	h, stop = reopen(t, db, full)
	r = h.must(http.StatusOK, req{path: "/scim2/Users/" + kim})
	if r.ext(badgeURN, "clearance") != "secret" || r.ext(badgeURN, "level") != nil || r.ext(badgeURN, "badges") != nil {
		t.Errorf("with clearance declared again, GET: %s\nwant clearance back, and level and badges as PUT and PATCH left them", r.raw)
	}
	sameIDs(t, "filter on the declared-again attribute", h.filtered("/Users", `clearance eq "secret"`, ""), kim)
	stop()

	// The extension detached altogether: a PUT keeps its values.
	h, stop = reopen(t, db, "testdata/schemas/wso2/scim2-schema-extension.config")
	r = h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Users/" + kim, body: `{"userName":"kim","displayName":"Kim"}`})
	if r.body[badgeURN] != nil {
		t.Errorf("with the extension detached, PUT answered %s", r.raw)
	}
	stop()

	h, _ = reopen(t, db, full)
	r = h.must(http.StatusOK, req{path: "/scim2/Users/" + kim})
	if r.ext(badgeURN, "clearance") != "secret" || r.str("displayName") != "Kim" {
		t.Errorf("with the extension attached again, GET: %s", r.raw)
	}
}

// withoutAttribute copies the schema configuration dir to a temporary
// directory, with the attribute removed from the schema file and from the
// index declarations of the resource-type files.
func withoutAttribute(t *testing.T, dir, file, attr string) string {
	t.Helper()
	out := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == file {
			var s map[string]any
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			var kept []any
			for _, a := range s["attributes"].([]any) {
				if a.(map[string]any)["name"] != attr {
					kept = append(kept, a)
				}
			}
			s["attributes"] = kept
			b, _ = json.Marshal(s)
		}
		if filepath.Ext(e.Name()) == ".yaml" {
			var lines []string
			for _, l := range strings.Split(string(b), "\n") {
				if !strings.HasSuffix(l, ":"+attr) {
					lines = append(lines, l)
				}
			}
			b = []byte(strings.Join(lines, "\n"))
		}
		if err := os.WriteFile(filepath.Join(out, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
