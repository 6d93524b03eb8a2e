package sqlstore

import (
	"strings"
	"unicode/utf8"

	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// valueExpr is one value of a membership as SQL, and whether it is in its
// search form already (folded display names) or needs lower() (type
// names, which are ASCII).
type valueExpr struct {
	sql    string
	args   []any // the arguments of sql's placeholders
	folded bool
	nanos  bool // a time column in Unix nanoseconds
	json   bool // a JSON value (of the search document), not an SQL one
}

// val returns v's SQL and adds its arguments: call it exactly where, and
// as often as, the SQL goes into the statement.
func (c *compiler) val(v valueExpr) string {
	c.args = append(c.args, v.args...)
	return v.sql
}

// A group's members and a user's groups are kept in the members table, not
// in the document; filters on them compile to subqueries.

func (c *compiler) isMembers(p schema.Path) bool {
	return c.rt.Name == schema.GroupType && !p.Ext && p.Attr.Name == "members"
}

func (c *compiler) isGroups(p schema.Path) bool {
	return c.rt.Name == schema.UserType && !p.Ext && p.Attr.Name == "groups"
}

// memberValues are the sub-attributes of a member x.
func (c *compiler) memberValues() map[string]valueExpr {
	return map[string]valueExpr{
		"value":   {sql: "x.id", folded: true},
		"display": {sql: "x.fdisplay", folded: true},
		"type":    {sql: "x.rtype", folded: false},
		"$ref": {sql: "(CASE x.rtype WHEN 'User' THEN ? ELSE ? END || x.id)", folded: true,
			args: []any{schema.Fold(c.refs(schema.UserType)), schema.Fold(c.refs(schema.GroupType))}},
	}
}

// groupValues are the sub-attributes of a group g reached by the walk d.
func (c *compiler) groupValues() map[string]valueExpr {
	return map[string]valueExpr{
		"value":   {sql: "g.id", folded: true},
		"display": {sql: "g.fdisplay", folded: true},
		"type":    {sql: "(CASE WHEN max(d.direct) = 1 THEN 'direct' ELSE 'indirect' END)", folded: true},
		"$ref":    {sql: "(? || g.id)", folded: true, args: []any{schema.Fold(c.refs(schema.GroupType))}},
	}
}

// relational compiles "some member (or group) has a value that satisfies
// test" for members.sub or groups.sub outside brackets.
func (c *compiler) relational(p schema.Path, test func(valueExpr) string) (string, bool) {
	sub := "value"
	if p.Sub != nil {
		sub = p.Sub.Name
	}
	switch {
	case c.isMembers(p):
		return c.memberExists(func() string { return test(c.memberValues()[sub]) }), true
	case c.isGroups(p):
		return c.groupMembership(func() string { return test(c.groupValues()[sub]) }), true
	}
	return "", false
}

// relationalFilter compiles members[F] and groups[F].
func (c *compiler) relationalFilter(p schema.Path, f filter.Expr) (string, bool) {
	switch {
	case c.isMembers(p):
		return c.memberExists(func() string { return c.cond(f, scope{elem: true, rel: c.memberValues()}) }), true
	case c.isGroups(p):
		return c.groupMembership(func() string { return c.cond(f, scope{elem: true, rel: c.groupValues()}) }), true
	}
	return "", false
}

func (c *compiler) memberExists(cond func() string) string {
	return "EXISTS (SELECT 1 FROM members m JOIN resources x ON x.rid = m.member_rid WHERE m.group_rid = r.rid AND " + cond() + ")"
}

// groupMembership compiles "the user belongs, directly or through nested
// groups, to a group g for which cond holds": a walk down from every group
// of the tenant, grouped by (group, member) so that a membership is
// "direct" when one path to it is.
func (c *compiler) groupMembership(cond func() string) string {
	tenant := c.arg(c.tenant)
	return "r.rid IN (WITH RECURSIVE d(top, rid, direct) AS (" +
		"SELECT g.rid, m.member_rid, 1 FROM resources g JOIN members m ON m.group_rid = g.rid WHERE g.tenant = " + tenant + " AND g.rtype = 'Group' " +
		"UNION SELECT d.top, m.member_rid, 0 FROM d JOIN members m ON m.group_rid = d.rid) " +
		"SELECT d.rid FROM d JOIN resources g ON g.rid = d.top GROUP BY d.top, d.rid, g.id, g.fdisplay HAVING " + cond() + ")"
}

// indexed compiles a comparison on an indexed attribute through attr_index:
// the same values (the search forms of every value at the path) that the
// document holds, found through an index instead of a scan.
func (c *compiler) indexed(p schema.Path, e filter.Compare, s scope) (string, bool) {
	switch e.Op {
	case filter.Eq, filter.Gt, filter.Ge, filter.Lt, filter.Le, filter.Sw:
	default:
		return "", false
	}
	if s.elem || !c.isIndexed(p) {
		return "", false
	}
	lit := schema.SearchString(p.Leaf(), e.Value.(string))
	if !utf8.ValidString(lit) { // the filter parser allows none, but prefixUpper needs it
		return "", false
	}
	head := "r.rid IN (SELECT rid FROM attr_index WHERE tenant = " + c.arg(c.tenant) + " AND rtype = " + c.arg(c.rt.Name) +
		" AND attr = " + c.arg(p.String()) + " AND "
	if e.Op != filter.Sw {
		return head + "val " + sqlOp(e.Op) + " " + c.arg(lit) + ")", true
	}
	if upper, ok := prefixUpper(lit); ok {
		return head + "val >= " + c.arg(lit) + " AND val < " + c.arg(upper) + ")", true
	}
	return head + "val >= " + c.arg(lit) + ")", true
}

// indexedIn compiles a disjunction of equalities on indexed attributes —
// `userName eq "a" or userName eq "b" or ...`, as a client looking up many
// users at once sends — as one index lookup per attribute, with the
// values in a list. Each equality compiled alone and joined with OR, the
// databases scan every resource of the type (one index probe per
// resource) instead of probing the index once per value. It reports false
// for any other disjunction.
func (c *compiler) indexedIn(terms filter.Or, s scope) (string, bool) {
	var order []string
	values := map[string][]any{} // by attribute path
	var walk func(filter.Or) bool
	walk = func(terms filter.Or) bool {
		for _, t := range terms {
			switch t := t.(type) {
			case filter.Or:
				if !walk(t) {
					return false
				}
			case filter.Compare:
				p := t.Path.Bound
				lit, ok := t.Value.(string)
				if t.Op != filter.Eq || !ok || s.rel != nil || s.elem || !c.isIndexed(p) ||
					c.isMembers(p) || c.isGroups(p) || (p.Attr.Name == "schemas" && p.Sub == nil) {
					return false
				}
				if _, ok := c.column(p, s); ok {
					return false
				}
				key := p.String()
				if _, ok := values[key]; !ok {
					order = append(order, key)
				}
				values[key] = append(values[key], schema.SearchString(p.Leaf(), lit))
			default:
				return false
			}
		}
		return true
	}
	if !walk(terms) {
		return "", false
	}
	lookups := make([]string, len(order))
	for i, attr := range order {
		head := "SELECT rid FROM attr_index WHERE tenant = " + c.arg(c.tenant) + " AND rtype = " + c.arg(c.rt.Name) +
			" AND attr = " + c.arg(attr) + " AND val IN ("
		list := make([]string, len(values[attr])) // its arguments after head's
		for j, v := range values[attr] {
			list[j] = c.arg(v)
		}
		lookups[i] = head + strings.Join(list, ", ") + ")"
	}
	return "r.rid IN (" + strings.Join(lookups, " UNION ") + ")", true
}

func (c *compiler) isIndexed(p schema.Path) bool { return isIndexed(c.rt, p) }

// isIndexed reports whether attr_index holds the values at p for
// resources of type rt.
func isIndexed(rt *schema.ResourceType, p schema.Path) bool {
	switch p.Leaf().Type {
	case "string", "reference", "dateTime", "binary":
	default:
		return false
	}
	for _, ix := range rt.Indexed() {
		if ix.Path.String() == p.String() {
			return true
		}
	}
	return false
}

// prefixUpper returns a string greater, in byte order, than every string
// that starts with prefix and less than or equal to every greater string
// that doesn't: prefix with its last character replaced by the next one
// (dropping trailing U+10FFFF), valid UTF-8 if prefix is (PostgreSQL
// accepts nothing else). There is none for "" and strings of U+10FFFF.
func prefixUpper(prefix string) (string, bool) {
	for s := prefix; s != ""; {
		r, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
		switch {
		case r == utf8.MaxRune:
			continue
		case r == 0xD7FF: // the surrogates are not characters
			r = 0xE000
		default:
			r++
		}
		return s + string(r), true
	}
	return "", false
}
