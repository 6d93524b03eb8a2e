package patch

import (
	"slices"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// Member is a current member of a group as filters on members see it.
type Member struct {
	Value, Display, Type, Ref string
}

// Membership is what a PATCH does to a group's members: first RemoveAll,
// then Remove, then Add (member ids).
type Membership struct {
	RemoveAll bool
	Remove    []string
	Add       []string
}

// NeedsMembers reports whether applying ops needs the group's current
// member list: only when a value filter on members tests more than their
// value (members[display eq "kim"]). Adding and removing members by id
// never reads the list, whatever the group's size.
func NeedsMembers(ops []Operation) bool {
	for _, op := range ops {
		if op.Path != nil && op.Path.Filter != nil && isMembers(op.Path.Attr.Bound) && valueIDs(op.Path.Filter) == nil {
			return true
		}
	}
	return false
}

// isMembers reports whether p is a group's members, or one of their
// sub-attributes.
func isMembers(p schema.Path) bool {
	return !p.Ext && p.Schema != nil && p.Schema.ID == scim.GroupSchema && p.Attr != nil && p.Attr.Name == "members"
}

// valueIDs returns the ids a filter selects if it is value eq "id", or a
// disjunction of those; nil otherwise.
func valueIDs(e filter.Expr) []string {
	switch e := e.(type) {
	case filter.Compare:
		if s, ok := e.Value.(string); ok && e.Op == filter.Eq && e.Path.Bound.Sub != nil && e.Path.Bound.Sub.Name == "value" {
			return []string{s}
		}
	case filter.Or:
		var out []string
		for _, t := range e {
			ids := valueIDs(t)
			if ids == nil {
				return nil
			}
			out = append(out, ids...)
		}
		return out
	}
	return nil
}

func (a *applier) membership() *Membership {
	if a.change == nil {
		a.change = &Membership{}
	}
	return a.change
}

func (a *applier) addMember(id string) {
	m := a.membership()
	m.Remove = slices.DeleteFunc(m.Remove, func(x string) bool { return x == id })
	if !slices.Contains(m.Add, id) {
		m.Add = append(m.Add, id)
	}
}

func (a *applier) removeMember(id string) {
	m := a.membership()
	m.Add = slices.DeleteFunc(m.Add, func(x string) bool { return x == id })
	if !slices.Contains(m.Remove, id) {
		m.Remove = append(m.Remove, id)
	}
}

func (a *applier) removeAllMembers() {
	a.change = &Membership{RemoveAll: true}
}

// memberIDs reads the ids of members as sent: objects with a "value" (the
// other sub-attributes are the server's to fill, and are ignored).
func memberIDs(v any) ([]string, error) {
	var ids []string
	for i, e := range asList(v) {
		if e == nil {
			continue
		}
		m, ok := e.(map[string]any)
		id, _ := m["value"].(string)
		if !ok || id == "" {
			return nil, scim.BadRequest(scim.InvalidValue, `members[%d] needs a "value": the id of a user or group`, i)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// setMembers adds the members of a value, replacing all members first
// when replace is set.
func (a *applier) setMembers(v any, replace bool) error {
	ids, err := memberIDs(v)
	if err != nil {
		return err
	}
	if replace {
		a.removeAllMembers()
	}
	for _, id := range ids {
		a.addMember(id)
	}
	return nil
}

// memberOp applies an operation whose path is members, members.sub or
// members[F]... .
func (a *applier) memberOp(p filter.Path) error {
	if sub := p.Attr.Bound.Sub; sub != nil {
		return scim.BadRequest(scim.Mutability, "members.%s is %s: members are added and removed, not edited", sub.Name, sub.Mutability)
	}
	if p.Filter == nil {
		switch a.op.Op {
		case "add":
			return a.setMembers(a.op.RawValue, false)
		case "replace":
			return a.setMembers(a.op.RawValue, true)
		}
		if a.op.RawValue == nil {
			a.removeAllMembers()
			return nil
		}
		// Remove with a value removes exactly the listed members (as Entra
		// ID sends it), never all of them.
		ids, err := memberIDs(a.op.RawValue)
		if err != nil {
			return err
		}
		for _, id := range ids {
			a.removeMember(id)
		}
		return nil
	}
	ids := valueIDs(p.Filter)
	if ids == nil {
		ids = a.matchMembers(p)
	}
	return a.filteredMembers(p, ids)
}

// matchMembers evaluates a members filter on the current members, as the
// operations so far changed them.
func (a *applier) matchMembers(p filter.Path) []string {
	var ids []string
	for _, m := range a.currentMembers() {
		e := map[string]any{"value": m.Value}
		for k, v := range map[string]string{"display": m.Display, "type": m.Type, "$ref": m.Ref} {
			if v != "" {
				e[k] = v
			}
		}
		if matchElement(p, e) {
			ids = append(ids, m.Value)
		}
	}
	return ids
}

func (a *applier) currentMembers() []Member {
	ch := a.change
	if ch == nil {
		return a.members
	}
	var out []Member
	if !ch.RemoveAll {
		for _, m := range a.members {
			if !slices.Contains(ch.Remove, m.Value) {
				out = append(out, m)
			}
		}
	}
	for _, id := range ch.Add {
		if !slices.ContainsFunc(out, func(m Member) bool { return m.Value == id }) {
			out = append(out, Member{Value: id})
		}
	}
	return out
}

// filteredMembers applies an operation on members[F], F having selected
// ids. A filter on the value selects by id, without reading the members: a
// remove of a non-member is a no-op, like the removal of a listed value.
func (a *applier) filteredMembers(p filter.Path, ids []string) error {
	if len(ids) == 0 {
		if a.op.Op == "remove" || !a.opts.CreateOnNoTarget {
			return scim.BadRequest(scim.NoTarget, "no member matches [%s]", p.Filter)
		}
		return a.setMembers(withEqualities(p, a.op.RawValue), false)
	}
	if a.op.Op != "add" {
		for _, id := range ids {
			a.removeMember(id)
		}
	}
	switch v, _ := a.op.RawValue.(map[string]any); {
	case a.op.Op == "remove":
		return nil
	case a.op.Op == "replace" || v["value"] != nil:
		return a.setMembers(a.op.RawValue, false)
	}
	for _, id := range ids { // adding what is there already: a no-op
		a.addMember(id)
	}
	return nil
}

// withEqualities returns an object value with the filter's equalities
// added, for creating the element a filter describes.
func withEqualities(p filter.Path, v any) any {
	m, isObj := v.(map[string]any)
	if !isObj && v != nil {
		return v
	}
	return merge(equalities(p), m)
}
