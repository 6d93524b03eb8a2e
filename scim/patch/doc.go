// Package patch is scimd's PATCH engine (RFC 7644 §3.5.2): it decodes and
// validates a PatchOp request against a resource type, and applies its
// operations to a resource document — all of them or, on any error, none.
//
// A group's members are not part of its document: operations on them come
// out as a Membership change that storage applies to its membership table,
// at a cost proportional to the members named, whatever the group's size.
//
// The package performs no I/O and imports only scim, scim/schema and
// scim/filter.
package patch
