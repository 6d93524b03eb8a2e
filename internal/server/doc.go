// Package server is scimd's HTTP interface: routing for the default tenant
// (/scim2) and named tenants (/t/{domain}/scim2), authentication and
// permission checks, one file per endpoint, and the one place where errors
// become RFC 7644 §3.12 responses. It reads and writes resources through
// store.Store and validates them with the schema registry; it must not
// contain SQL.
package server
