// Package store defines scimd's storage interface: what the server needs of
// a database, the records it exchanges and the sentinel errors every backend
// maps its driver errors to. Backends live in subpackages (sqlstore); the
// conformance suite every backend must pass lives in storetest.
//
// Every method takes the tenant it acts in; nothing crosses tenants. The
// package knows SCIM only through scim/schema and scim/filter: it must not
// import net/http or the server.
package store
