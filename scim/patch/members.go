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
// disjunction of those; nil otherwise (and for an empty id, which no
// member has).
func valueIDs(e filter.Expr) []string {
	switch e := e.(type) {
	case filter.Compare:
		if s, ok := e.Value.(string); ok && s != "" && e.Op == filter.Eq && e.Path.Bound.Sub != nil && e.Path.Bound.Sub.Name == "value" {
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

// memberChange is what the operations so far do to a group's members,
// at a cost proportional to the ids they name.
type memberChange struct {
	removeAll   bool
	add, remove idSet
}

// idSet is a set of member ids that keeps the order they were added in.
type idSet struct {
	ids []string       // "" where an id was deleted; no member id is empty
	at  map[string]int // the index of each id in ids
}

func (s *idSet) insert(id string) {
	if _, ok := s.at[id]; ok {
		return
	}
	if s.at == nil {
		s.at = map[string]int{}
	}
	s.at[id] = len(s.ids)
	s.ids = append(s.ids, id)
}

func (s *idSet) delete(id string) {
	if i, ok := s.at[id]; ok {
		s.ids[i] = ""
		delete(s.at, id)
	}
}

func (s *idSet) has(id string) bool {
	_, ok := s.at[id]
	return ok
}

// list returns the ids in the order they were added.
func (s *idSet) list() []string {
	return slices.DeleteFunc(slices.Clone(s.ids), func(id string) bool { return id == "" })
}

func (a *applier) membership() *memberChange {
	if a.change == nil {
		a.change = &memberChange{}
	}
	return a.change
}

func (a *applier) addMember(id string) {
	m := a.membership()
	m.remove.delete(id)
	m.add.insert(id)
}

func (a *applier) removeMember(id string) {
	m := a.membership()
	m.add.delete(id)
	m.remove.insert(id)
}

func (a *applier) removeAllMembers() {
	a.change = &memberChange{removeAll: true}
}

// result returns the membership change, nil if the operations made none.
func (m *memberChange) result() *Membership {
	if m == nil {
		return nil
	}
	return &Membership{RemoveAll: m.removeAll, Remove: m.remove.list(), Add: m.add.list()}
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
		return a.allMembers()
	}
	ids := valueIDs(p.Filter)
	if ids == nil {
		ids = a.matchMembers(p)
	}
	return a.filteredMembers(p, ids)
}

// allMembers applies an operation whose path is members.
func (a *applier) allMembers() error {
	switch {
	case a.op.Op != "remove":
		return a.setMembers(a.op.RawValue, a.op.Op == "replace")
	case a.op.RawValue == nil:
		a.removeAllMembers()
		return nil
	}
	// Remove with a value removes exactly the listed members (as Entra ID
	// sends it), never all of them.
	ids, err := memberIDs(a.op.RawValue)
	if err != nil {
		return err
	}
	for _, id := range ids {
		a.removeMember(id)
	}
	return nil
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

// currentMembers returns the members as the operations so far left them;
// the members they added are known by their id only.
func (a *applier) currentMembers() []Member {
	ch := a.change
	if ch == nil {
		return a.members
	}
	var out []Member
	kept := map[string]bool{}
	if !ch.removeAll {
		for _, m := range a.members {
			if !ch.remove.has(m.Value) {
				out = append(out, m)
				kept[m.Value] = true
			}
		}
	}
	for _, id := range ch.add.list() {
		if !kept[id] {
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
	for _, id := range ids { // the members selected: a no-op for those there already
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
