// Command scim talks to any SCIM 2.0 service provider from the command
// line: discovery, user and group CRUD, bulk requests, CSV and JSON-lines
// import with re-runs that update rather than duplicate, and export.
//
//	scim --url https://api.asgardeo.io/t/example/scim2 \
//	     --client-id ID --client-secret SECRET users list -o table
//
// Run "scim help" for the commands and the connection settings.
//
// It is built only on packages client and scim, as any program using
// another SCIM service provider would be; it must not import scimd's server
// packages (internal/..., scim/schema, scim/filter).
package main
