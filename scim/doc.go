// Package scim is the SCIM 2.0 protocol vocabulary shared by the scimd server
// and its client: schema URNs, the wire representation of schemas and
// resource types (RFC 7643 §6–§7), the protocol messages of RFC 7644
// (ListResponse, SearchRequest, PatchOp, Bulk) and the SCIM error (§3.12).
//
// It also holds the resources a client reads and writes:
//
//   - User, with the enterprise extension (EnterpriseUser), and Group are
//     typed, with a field for every attribute RFC 7643 §4 defines.
//   - Extra, in each of them and in their complex attributes, keeps the
//     members the Go types do not model — other extensions keyed by their
//     URN, vendor attributes — as raw JSON, so that a resource read and
//     written back loses nothing; it also sends an explicit null.
//   - Resource is any resource as a JSON object, for resource types and
//     extensions without a Go type, with case-insensitive Get and Set by
//     attribute path.
//
// Decoding is lenient where real service providers differ from the RFCs
// (the enterprise extension under "EnterpriseUser", a bare string for a
// manager, timestamps that are not RFC 3339); encoding follows the RFCs.
//
// It performs no I/O and imports only the standard library, so any program
// that speaks SCIM can depend on it.
package scim
