package sqlstore

import (
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

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
		return c.val(v), nil
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
		return jsonValue("r.fdata", keys), nil
	}
	if p.Attr.Type != scim.Complex {
		return "json_extract(r.fdata, " + jsonPath(keys)[:len(jsonPath(keys))-1] + "[0]')", nil
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
	v := jsonValue("e.value", []string{sub.Name})
	each := "FROM json_each(r.fdata, " + jsonPath(keys) + ") e WHERE " + v + " IS NOT NULL"
	return "coalesce((SELECT " + v + " " + each + " AND " + jsonValue("e.value", []string{"primary"}) + " = 1 ORDER BY e.key LIMIT 1), " +
		"(SELECT " + v + " " + each + " ORDER BY e.key LIMIT 1))", nil
}
