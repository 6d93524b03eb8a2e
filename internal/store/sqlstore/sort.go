package sqlstore

import (
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// keyKind says how a sort key compares. One query sorts all its resource
// types by keys of one kind (the SQL of a sort key has one type on
// PostgreSQL).
type keyKind int

const (
	stringKey keyKind = iota + 1
	numberKey
)

// sortKind returns the kind of the sort key of p.
func (c *compiler) sortKind(p schema.Path) keyKind {
	if v, ok := c.column(p, top); ok && v.nanos {
		return numberKey
	}
	switch p.Leaf().Type {
	case scim.Integer, scim.Decimal, scim.Boolean:
		return numberKey
	}
	return stringKey
}

// sortKey returns the SQL value resources are ordered by for sortBy p
// (RFC 7644 §3.4.2.3): the attribute's search form (so caseExact=false
// strings sort case-insensitively, dateTimes in time order, numbers
// numerically); for a multi-valued attribute, the value of the primary
// element that has one, else of the first element that has one.
func (c *compiler) sortKey(p schema.Path) (string, error) {
	if c.isMembers(p) || c.isGroups(p) {
		return "", scim.BadRequest(scim.InvalidValue, "sortBy: resources can't be sorted by %s", p)
	}
	if v, ok := c.column(p, top); ok {
		typ := p.Leaf().Type
		if v.nanos {
			typ = scim.Integer
		}
		return c.d.sortKey(c.val(v), typ, false), nil
	}
	keys := []string{}
	if p.Ext {
		keys = append(keys, p.Schema.ID)
	}
	keys = append(keys, p.Attr.Name)
	if !p.Attr.MultiValued {
		if p.Sub != nil {
			keys = append(keys, p.Sub.Name)
		} else if p.Attr.Type == scim.Complex {
			return "", scim.BadRequest(scim.InvalidValue, "sortBy: %s is complex; sort by one of its sub-attributes, e.g. %s.%s", p, p, p.Attr.SubAttributes[0].Name)
		}
		return c.d.sortKey(c.d.value("r.fdata", keys), p.Leaf().Type, true), nil
	}
	if p.Attr.Type != scim.Complex {
		return c.d.sortKey(c.d.first("r.fdata", keys), p.Attr.Type, true), nil
	}
	sub := p.Sub
	if sub == nil {
		for _, s := range p.Attr.SubAttributes {
			if s.Name == "value" {
				sub = s
			}
		}
		if sub == nil {
			return "", scim.BadRequest(scim.InvalidValue, "sortBy: %s has no value sub-attribute; sort by one of its sub-attributes", p)
		}
	}
	v := c.d.sortKey(c.d.value("e.value", []string{sub.Name}), sub.Type, true)
	each := "FROM " + c.d.elements("r.fdata", keys, "e") + " WHERE " + v + " IS NOT NULL"
	return "coalesce((SELECT " + v + " " + each + " AND " + c.d.value("e.value", []string{"primary"}) + " = " + c.d.jsonBool(true) + " ORDER BY e.key LIMIT 1), " +
		"(SELECT " + v + " " + each + " ORDER BY e.key LIMIT 1))", nil
}
