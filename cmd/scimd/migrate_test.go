package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimd/scimd/internal/store/sqlstore/pgtest"
)

func TestMigrateCommand(t *testing.T) {
	for name, dsn := range map[string]string{
		"sqlite":   "sqlite:" + filepath.Join(t.TempDir(), "scimd.db"),
		"postgres": pgtest.DSN(t),
	} {
		t.Run(name, func(t *testing.T) {
			if out := runCommand(t, "migrate", "--db", dsn); !strings.Contains(out, "applied 0001_init.sql") {
				t.Errorf("the first migrate printed %q", out)
			}
			if out := runCommand(t, "migrate", "--db", dsn); !strings.Contains(out, "up to date") {
				t.Errorf("the second migrate printed %q", out)
			}
		})
	}
}
