// Package scim is the SCIM 2.0 protocol vocabulary shared by the scimd server
// and its client: schema URNs, the wire representation of schemas and
// resource types (RFC 7643 §6–§7), the protocol messages of RFC 7644
// (ListResponse, SearchRequest, PatchOp, Bulk) and the SCIM error (§3.12).
//
// It performs no I/O and imports only the standard library, so any program
// that speaks SCIM can depend on it.
package scim
