package schemaconfig_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scimd/scimd/internal/schemaconfig"
	"github.com/scimd/scimd/internal/server"
)

// FuzzLoad feeds arbitrary files of each kind to Load: it must return a
// configuration with a registry or an error, and never panic.
func FuzzLoad(f *testing.F) {
	guide, err := os.ReadFile(filepath.Join("testdata", "wso2", "scim2-schema-extension.config"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(1), string(guide))
	f.Add(uint8(0), `{"id":"urn:example:params:scim:schemas:extension:x:2.0:User","name":"X","attributes":[`+
		`{"name":"badge","type":"complex","multiValued":true,"subAttributes":[{"name":"value","type":"string"}]}]}`)
	f.Add(uint8(0), `[{"attributeURI":"urn:x:a","attributeName":"a","dataType":"string","multiValued":"false"}]`)
	f.Add(uint8(2), "resourceTypes:\n  - name: Device\n    endpoint: /Devices\n    schema: urn:x:Device\n    indexes: [serial]\n")
	f.Add(uint8(3), "resourceTypes:\n  - name: User\n    indexes: [nickName]\n    substring: [title]\n")
	exts := []string{".json", ".config", ".yaml", ".yml"}
	f.Fuzz(func(t *testing.T, kind uint8, content string) {
		path := filepath.Join(t.TempDir(), "schema"+exts[int(kind)%len(exts)])
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := schemaconfig.Load(path, server.ResourceTypes())
		if err == nil && c.Registry == nil {
			t.Fatal("Load returned neither a registry nor an error")
		}
	})
}
