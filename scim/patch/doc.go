// Package patch is scimd's PATCH engine (RFC 7644 §3.5.2): it decodes and
// validates a PatchOp request against a resource type, and applies its
// operations to a resource document — all of them or, on any error, none.
//
// A group's members are not part of its document: operations on them come
// out as a Membership change that storage applies to its membership table,
// at a cost proportional to the members named, whatever the group's size.
//
// Where RFC 7644 leaves room, the engine decides as follows; the cases in
// testdata/cases pin each decision down:
//
//   - null, an empty string, array or object is no value (RFC 7643 §2.5):
//     a replace with it unassigns the target, with or without a path; an
//     add of it adds nothing.
//   - remove with a value on a multi-valued attribute removes exactly the
//     values listed (as Microsoft Entra ID sends it for members), never all.
//   - A value filter that matches nothing is noTarget (RFC 7644 §3.12),
//     except where Options say otherwise; members[value eq "id"] selects
//     by id without reading the member list, so removing a non-member that
//     way changes nothing.
//   - An immutable value, once set, can't be changed or removed by any
//     operation; an immutable sub-attribute of a multi-valued attribute
//     belongs to its value, which can be replaced as a whole.
//   - Required attributes and immutable values are checked after each
//     operation, so that every error names the operation at fault.
//
// The package performs no I/O and imports only scim, scim/schema and
// scim/filter.
package patch
