// Package schemaconfig loads scimd's schema configuration — the files
// given to "scimd serve --schemas" — and applies it to the built-in
// resource types: extension schemas, in RFC 7643 §7 Schema JSON or in the
// flat attribute list of WSO2 Identity Server (scim2-schema-extension.config),
// attached to resource types as required or optional; new resource types,
// with their endpoint, schema and permission scopes; and the attributes
// storage indexes. docs/SCHEMAS.md describes the formats.
//
// The result is a schema.Registry, the one model every other layer reads.
// Loading is all or nothing, and every error names the file, the line
// where it can, and the schema, attribute or resource type at fault.
//
// It reads files, so it is not part of the pure scim/schema; it imports
// only the scim packages and the YAML parser, and takes the built-in
// resource types as input, so that it depends on neither the server nor
// the store (Counter is the one thing it needs of the store).
package schemaconfig
