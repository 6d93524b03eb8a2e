package main

import (
	"context"

	"github.com/scimd/scimd/internal/schemaconfig"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/internal/store/sqlstore"
	"github.com/scimd/scimd/scim/schema"
)

// schemasUsage documents --schemas, which every command that opens the
// database takes: the server's attribute indexes follow its schemas, and
// configured resource types bring scopes of their own.
const schemasUsage = "schema configuration: a file, or a directory of files, of extension schemas (RFC 7643 or WSO2 format) and resource types (docs/SCHEMAS.md); give every scimd command on a database the same one"

// schemas is the schema registry a command works with.
type schemas struct {
	reg *schema.Registry
	cfg *schemaconfig.Config // nil without configuration
}

// loadSchemas returns the built-in resource types with the configuration
// at path applied, or without configuration if path is empty.
func loadSchemas(path string) (*schemas, error) {
	if path == "" {
		reg, err := server.Registry()
		return &schemas{reg: reg}, err
	}
	cfg, err := schemaconfig.Load(path, server.ResourceTypes())
	if err != nil {
		return nil, err
	}
	return &schemas{reg: cfg.Registry, cfg: cfg}, nil
}

// open opens the database with the registry and opts, and logs (to
// opts.Logger) what stored resources lack of what the configuration
// requires (schemaconfig.Config.Shortfalls). Commands that run beside a
// server keep its indexes (sqlstore.KeepIndexes): their schemas may not be
// the server's.
func (s *schemas) open(ctx context.Context, dsn string, opts sqlstore.Options) (*sqlstore.DB, error) {
	opts.Registry = s.reg
	if opts.Logger == nil {
		opts.Logger = discardLogger()
	}
	st, err := sqlstore.Open(ctx, dsn, opts)
	if err != nil || s.cfg == nil {
		return st, err
	}
	short, err := s.cfg.Shortfalls(ctx, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	for _, msg := range short {
		opts.Logger.Warn(msg)
	}
	return st, nil
}

// openConfigured loads the schema configuration at path and opens the
// database with it.
func openConfigured(ctx context.Context, dsn, path string, opts sqlstore.Options) (*sqlstore.DB, error) {
	s, err := loadSchemas(path)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, dsn, opts)
}
