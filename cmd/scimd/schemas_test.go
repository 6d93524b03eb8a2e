package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// deviceSchemas writes a schema configuration with a Device resource type
// and returns its directory.
func deviceSchemas(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "schemas")
	files := map[string]string{
		"device.json": `{"id":"urn:example:Device","name":"Device","attributes":[{"name":"serial","required":true,"uniqueness":"server","caseExact":true}]}`,
		"types.yaml": "resourceTypes:\n  - name: Device\n    endpoint: /Devices\n    schema: urn:example:Device\n" +
			"    scopes: {create: device_create, list: device_list, view: device_view, update: device_update, delete: device_delete}\n",
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runScimd runs a scimd command in-process and returns its exit code and
// output.
func runScimd(args ...string) (int, string) {
	var out bytes.Buffer
	code := run(context.Background(), args, &out, &out, func(string) string { return "" })
	return code, out.String()
}

func TestServeSchemas(t *testing.T) {
	dir := t.TempDir()
	schemas := deviceSchemas(t)
	cfg := filepath.Join(dir, "scimd.yaml")
	os.WriteFile(cfg, []byte("schemas: "+schemas+"\nadmin-password: pw\n"), 0o600)
	p := start(t, dir, nil, "--config", cfg)
	if code, body := p.do(t, "GET", "/scim2/ResourceTypes/Device", "", "", ""); code != 200 || !strings.Contains(body, `"endpoint":"/Devices"`) {
		t.Fatalf("GET /scim2/ResourceTypes/Device: %d %s", code, body)
	}
	// The bootstrap admin holds the configured scopes too.
	if code, body := p.do(t, "POST", "/scim2/Devices", "admin", "pw", `{"serial":"SN-1"}`); code != 201 {
		t.Fatalf("POST /scim2/Devices as admin: %d %s", code, body)
	}
	db := "sqlite:" + filepath.Join(dir, "scimd.db")
	if code, out := runScimd("token", "create", "--db", db, "--scopes", "device_view"); code != exitUsage || !strings.Contains(out, `unknown scope "device_view"`) {
		t.Errorf("token create of a configured scope without --schemas: exit %d\n%s", code, out)
	}
	if code, out := runScimd("token", "create", "--db", db, "--scopes", "device_view device_list", "--schemas", schemas); code != exitOK || !strings.Contains(out, `"token"`) {
		t.Errorf("token create of a configured scope with --schemas: exit %d\n%s", code, out)
	}
	if code, out := runScimd("tenant", "create", "example.com", "--admin-password", "pw", "--db", db, "--schemas", schemas); code != exitOK {
		t.Errorf("tenant create with --schemas: exit %d\n%s", code, out)
	}
	if code, body := p.do(t, "POST", "/t/example.com/scim2/Devices", "admin@example.com", "pw", `{"serial":"SN-1"}`); code != 201 {
		t.Errorf("POST /t/example.com/scim2/Devices as the tenant's admin: %d %s", code, body)
	}
	// An admin command run without the schemas leaves the server's indexes
	// alone: serial stays unique and searchable.
	if code, out := runScimd("token", "list", "--db", db); code != exitOK {
		t.Fatalf("token list without --schemas: exit %d\n%s", code, out)
	}
	if code, body := p.do(t, "POST", "/scim2/Devices", "admin", "pw", `{"serial":"SN-1"}`); code != 409 {
		t.Errorf("a second SN-1 after token list without --schemas: %d %s", code, body)
	}
	if code, body := p.do(t, "GET", "/scim2/Devices?filter=serial+eq+%22SN-1%22", "admin", "pw", ""); code != 200 || !strings.Contains(body, `"totalResults":1`) {
		t.Errorf("serial eq SN-1 after token list without --schemas: %d %s", code, body)
	}
}

// TestServeRefusesSchemas checks that an invalid configuration stops scimd
// serve before it listens, with a message naming the file and the problem.
func TestServeRefusesSchemas(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "scimd.db")
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"id":"urn:example:ext:Badge","attributes":[{"name":"level","type":"int"}]}`), 0o644)
	code, out := runScimd("serve", "--db", db, "--schemas", bad, "--admin-password", "pw")
	if code != exitError || !strings.Contains(out, "bad.json:1") || !strings.Contains(out, `unknown type "int"`) {
		t.Errorf("serve with an invalid schema file: exit %d\n%s", code, out)
	}
}

// TestServeWarnsOfShortfalls: an extension that becomes required while
// stored users lack it doesn't stop scimd (there would be no way to give
// them values), but is logged, and a replace must supply it.
func TestServeWarnsOfShortfalls(t *testing.T) {
	dir := t.TempDir()
	required := filepath.Join(dir, "required")
	os.Mkdir(required, 0o755)
	os.WriteFile(filepath.Join(required, "badge.json"), []byte(`{"id":"urn:example:ext:Badge","attributes":[{"name":"level","type":"integer"}]}`), 0o644)
	os.WriteFile(filepath.Join(required, "types.yaml"), []byte("resourceTypes:\n  - name: User\n    schemaExtensions:\n      - schema: urn:example:ext:Badge\n        required: true\n"), 0o644)
	// The first start creates the administrator, who lacks the extension;
	// the second start says so, and serves.
	first := start(t, dir, nil, "--schemas", required, "--admin-password", "pw")
	first.cmd.Process.Signal(syscall.SIGTERM)
	first.cmd.Wait()
	p := start(t, dir, nil, "--schemas", required)
	if !strings.Contains(p.log, "types.yaml:4: resource type User requires the extension urn:example:ext:Badge, but 1 stored User resource lacks it") {
		t.Errorf("no warning of the administrator lacking the required extension in:\n%s", p.log)
	}
	code, body := p.do(t, "GET", "/scim2/Users?filter=userName+eq+%22admin%22", "admin", "pw", "")
	if code != 200 {
		t.Fatalf("GET as admin: %d %s", code, body)
	}
	var list struct{ Resources []struct{ ID string } }
	json.Unmarshal([]byte(body), &list)
	if len(list.Resources) != 1 {
		t.Fatalf("admin not found: %s", body)
	}
	path := "/scim2/Users/" + list.Resources[0].ID
	if code, body := p.do(t, "PUT", path, "admin", "pw", `{"userName":"admin"}`); code != 400 || !strings.Contains(body, "urn:example:ext:Badge") {
		t.Errorf("PUT without the required extension: %d %s", code, body)
	}
	if code, body := p.do(t, "PUT", path, "admin", "pw", `{"userName":"admin","urn:example:ext:Badge":{"level":3}}`); code != 200 {
		t.Errorf("PUT with the required extension: %d %s", code, body)
	}
}
