// Package filter owns the SCIM filter language of RFC 7644 §3.4.2.2 and the
// PATCH path syntax of RFC 7644 §3.5.2:
//
//   - Parse and ParsePath turn text into a small, exported syntax tree
//     (Expr, AttrPath, Path) whose String methods print canonical,
//     re-parseable syntax;
//   - Bind and BindPath resolve every attribute path of a tree against a
//     schema.ResourceType and reject what can't be evaluated, so that a
//     filter that binds always has a well-defined meaning;
//   - Match evaluates a bound filter on a resource document in memory.
//
// Match is the reference semantics of filtering in scimd: the store's SQL
// compiler implements exactly the rules documented on Match, and the cases
// in testdata/ (fixture resources and filter → expected ids) are shared by
// both, so that the database and this package agree on every filter.
//
// Every error is a *scim.Error with status 400 and scimType invalidFilter
// (or invalidPath for the part of a PATCH path outside its brackets), with a
// detail that names the byte position or the attribute at fault.
//
// The package performs no I/O. It imports only the standard library, scim
// and scim/schema; it must not import the store, net/http, or anything else
// that does I/O or belongs to a layer above the protocol core, so that the
// server, the store and the client can all depend on it.
package filter
