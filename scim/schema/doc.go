// Package schema is scimd's one model of SCIM schemas: the built-in RFC 7643
// schemas, the registry of resource types with their extensions, and what
// every other layer reads from them — validation and normalization of client
// input, attribute path resolution, attributes/excludedAttributes
// projection, rendering in schema order, and the case folding used for
// caseExact=false comparisons.
//
// It performs no I/O and imports only the scim package and the standard
// library's neighbours (golang.org/x/text); storage and HTTP depend on it,
// never the reverse.
package schema
