package patch

import (
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// Result is the outcome of Apply.
type Result struct {
	Doc     map[string]any // the new document; the input is not modified
	Members *Membership    // what happens to a group's members; nil if nothing
}

// Apply applies operations, in order, to a copy of a resource document
// (RFC 7644 §3.5.2): all of them, or none if one fails. members are the
// group's current members; they are needed only when NeedsMembers says so.
// Neither the document, the members nor the operations are modified.
//
// Besides the rules of each operation, it keeps at most one "primary" value
// per attribute, setting "primary" to false on the others when an
// operation makes a value primary; and after each operation it checks that
// the immutable values set before it are unchanged and that the required
// attributes are present, so that an error names the operation at fault.
func Apply(rt *schema.ResourceType, doc map[string]any, members []Member, ops []Operation, opts Options) (*Result, error) {
	a := &applier{rt: rt, doc: deepCopy(doc).(map[string]any), opts: opts, members: members}
	for _, op := range ops {
		a.op = op
		if err := a.step(); err != nil {
			return nil, prefixed(op.Index, err)
		}
	}
	return &Result{Doc: a.doc, Members: a.change.result()}, nil
}

type applier struct {
	rt      *schema.ResourceType
	doc     map[string]any
	opts    Options
	op      Operation
	members []Member
	change  *memberChange
}

// step applies the current operation and checks the document it leaves.
func (a *applier) step() error {
	fixed := a.fixedValues()
	if err := a.apply(); err != nil {
		return err
	}
	for _, e := range a.rt.Extensions {
		if m, ok := a.doc[e.Schema.ID].(map[string]any); ok && len(m) == 0 {
			delete(a.doc, e.Schema.ID)
		}
	}
	if err := a.checkFixed(fixed); err != nil {
		return err
	}
	return a.rt.CheckRequired(a.doc)
}

func (a *applier) apply() error {
	if a.op.Path == nil {
		return a.pathless()
	}
	p := *a.op.Path
	b := p.Attr.Bound
	switch {
	case isMembers(b):
		return a.memberOp(p)
	case b.Attr == nil:
		return a.extension(b)
	case b.Attr.Mutability == scim.ReadOnly || b.Leaf().Mutability == scim.ReadOnly:
		return scim.BadRequest(scim.Mutability, "%s is read-only", b)
	case a.op.Op == "add" && a.op.Value == nil:
		return nil // adding null or an empty value adds nothing (RFC 7643 §2.5)
	case p.Filter != nil:
		return a.filtered(p)
	}
	return a.plain(b)
}

// container returns the object holding attribute p: the document or an
// extension's object, created when create is set.
func (a *applier) container(p schema.Path, create bool) map[string]any {
	if !p.Ext {
		return a.doc
	}
	m, _ := a.doc[p.Schema.ID].(map[string]any)
	if m == nil && create {
		m = map[string]any{}
		a.doc[p.Schema.ID] = m
	}
	return m
}

// pathless applies add or replace without a path: each attribute of the
// value is added or replaced as if it were the operation's target, after
// a replace has unassigned the attributes it sets to null.
func (a *applier) pathless() error {
	for _, p := range a.op.unassign {
		if err := a.unassign(p); err != nil {
			return err
		}
	}
	for _, key := range sortedKeys(a.op.Doc) {
		v := a.op.Doc[key]
		e, isExt := a.rt.Extension(key)
		switch {
		case key == "members" && a.rt.Schema.ID == scim.GroupSchema:
			if err := a.setMembers(v, a.op.Op == "replace"); err != nil {
				return err
			}
		case isExt && e.Schema.ID == key:
			a.assignAll(e.Schema, v.(map[string]any))
		default:
			if p, ok := a.rt.Lookup("", key, ""); ok { // Normalize only produces known attributes
				a.assign(p, v)
			}
		}
	}
	return nil
}

// assignAll assigns the attributes of an extension's object in turn.
func (a *applier) assignAll(ext *scim.Schema, obj map[string]any) {
	for _, name := range sortedKeys(obj) {
		p, _ := a.rt.Lookup(ext.ID, name, "")
		a.assign(p, obj[name])
	}
}

// assign adds or replaces one attribute with a normalized value, the way
// an operation targeting it directly would: add appends to a multi-valued
// attribute, and both merge into a single complex value the sub-attributes
// they set (RFC 7644 §3.5.2.1, §3.5.2.3).
func (a *applier) assign(p schema.Path, v any) {
	c := a.container(p, true)
	old, had := c[p.Attr.Name]
	switch {
	case p.Attr.MultiValued && a.op.Op == "add":
		c[p.Attr.Name] = appendValues(p.Attr, old, v.([]any))
		demote(p.Attr, c[p.Attr.Name], v)
	case p.Attr.Type == scim.Complex && !p.Attr.MultiValued && had:
		c[p.Attr.Name] = merge(old, v)
	default:
		c[p.Attr.Name] = deepCopy(v)
	}
}

// extension applies an operation whose path is a whole extension.
func (a *applier) extension(p schema.Path) error {
	if a.op.Op == "remove" || a.op.Op == "replace" {
		if e, _ := a.rt.Extension(p.Schema.ID); e.Required && a.op.Value == nil {
			return scim.BadRequest(scim.Mutability, "the extension %s is required and can't be removed", p.Schema.ID)
		}
		a.clearExtension(p.Schema)
	}
	if a.op.Op == "remove" {
		return nil
	}
	obj, _ := a.op.Value.(map[string]any)
	a.assignAll(p.Schema, obj)
	return nil
}

// clearExtension removes the attributes an extension declares. Values its
// schema no longer declares stay, hidden, as a PUT keeps them
// (schema.ResourceType.KeepUndeclared).
func (a *applier) clearExtension(ext *scim.Schema) {
	obj, _ := a.doc[ext.ID].(map[string]any)
	for _, attr := range ext.Attributes {
		delete(obj, attr.Name)
	}
	if len(obj) == 0 {
		delete(a.doc, ext.ID)
	}
}

// plain applies an operation on attr or attr.sub, without a value filter.
func (a *applier) plain(p schema.Path) error {
	switch {
	case a.op.Op == "remove" && p.Sub == nil:
		return a.remove(p)
	case a.op.Op == "remove" || a.op.Value == nil: // a sub-attribute, or replace with null (RFC 7643 §2.5)
		return a.unassign(p)
	case p.Sub != nil:
		return a.setSub(p)
	case p.Attr.MultiValued && a.op.Op == "replace":
		a.container(p, true)[p.Attr.Name] = deepCopy(a.op.Value)
	default:
		a.assign(p, a.op.Value)
	}
	return nil
}

// setSub sets attr.sub: in the single complex value, or in every value of
// a multi-valued attribute (creating one if there is none).
func (a *applier) setSub(p schema.Path) error {
	c := a.container(p, true)
	if !p.Attr.MultiValued {
		obj, _ := c[p.Attr.Name].(map[string]any)
		c[p.Attr.Name] = withSub(obj, p.Sub.Name, a.op.Value)
		return nil
	}
	list, _ := c[p.Attr.Name].([]any)
	if len(list) == 0 {
		list = []any{map[string]any{}}
	}
	for i, e := range list {
		next := withSub(e.(map[string]any), p.Sub.Name, a.op.Value)
		if err := checkElement(p.Attr, e.(map[string]any), next); err != nil {
			return err
		}
		list[i] = next
	}
	c[p.Attr.Name] = list
	return checkPrimaries(p.Attr, list)
}

// remove removes an attribute, or, when the operation has a value and the
// attribute is multi-valued, exactly the values it lists.
func (a *applier) remove(p schema.Path) error {
	if a.op.RawValue == nil || !p.Attr.MultiValued {
		return a.unassign(p)
	}
	values, err := schema.NormalizeValue(p, asList(a.op.RawValue))
	if err != nil {
		return err
	}
	if c := a.container(p, false); c != nil {
		store(c, p.Attr.Name, withoutValues(p.Attr, c[p.Attr.Name], values))
	}
	return nil
}

// unassign removes an attribute, a sub-attribute (of every value of a
// multi-valued attribute) or, for a path naming none, a whole extension.
// Removing what has no value changes nothing.
func (a *applier) unassign(p schema.Path) error {
	if p.Attr == nil {
		a.clearExtension(p.Schema)
		return nil
	}
	c := a.container(p, false)
	if _, ok := c[p.Attr.Name]; !ok {
		return nil
	}
	if p.Sub == nil && p.Attr.Required {
		return scim.BadRequest(scim.Mutability, "%s is required and can't be removed", p)
	}
	if p.Sub == nil {
		delete(c, p.Attr.Name)
		return nil
	}
	elems := values(p.Attr, c[p.Attr.Name])
	for i, e := range elems {
		next := withSub(e.(map[string]any), p.Sub.Name, nil)
		if err := checkElement(p.Attr, e.(map[string]any), next); err != nil {
			return err
		}
		elems[i] = next
	}
	storeValues(c, p.Attr, elems)
	return nil
}

// storeValues stores the elements of an attribute's value, dropping the
// empty ones: as a list, or as the single complex value.
func storeValues(c map[string]any, attr *scim.Attribute, elems []any) {
	if attr.MultiValued {
		store(c, attr.Name, compact(elems))
	} else {
		store(c, attr.Name, first(compact(elems)))
	}
}

// filtered applies an operation whose path has a value filter:
// attr[F] or attr[F].sub.
func (a *applier) filtered(p filter.Path) error {
	b := p.Attr.Bound
	c := a.container(b, a.op.Op != "remove")
	var elems []any
	if c != nil {
		elems = values(b.Attr, c[b.Attr.Name])
	}
	hit := matching(p, elems)
	if len(hit) == 0 {
		if a.op.Op == "remove" || !a.opts.CreateOnNoTarget {
			return scim.BadRequest(scim.NoTarget, "no value of %s matches [%s]", b.Attr.Name, p.Filter)
		}
		return a.createMatching(p, c)
	}
	for _, i := range hit {
		e, err := a.changeElement(p, elems[i].(map[string]any))
		if err != nil {
			return err
		}
		elems[i] = e
	}
	if err := demoteExcept(b.Attr, elems, hit); err != nil {
		return err
	}
	storeValues(c, b.Attr, elems)
	return nil
}

// changeElement applies the operation to one matched element; it returns
// nil when the element goes.
func (a *applier) changeElement(p filter.Path, e map[string]any) (any, error) {
	b := p.Attr.Bound
	var next map[string]any
	switch {
	case b.Sub != nil:
		next = withSub(e, b.Sub.Name, a.op.Value) // nil removes it
	case a.op.Op == "remove" || a.op.Value == nil:
		return nil, nil
	case a.op.Op == "replace":
		return deepCopy(a.op.Value), nil
	default:
		next = merge(e, a.op.Value).(map[string]any)
	}
	if err := checkElement(b.Attr, e, next); err != nil {
		return nil, err
	}
	return next, nil
}

// createMatching adds the element an add or replace through a filter that
// matched nothing would have changed: the filter's equalities, with the
// value (Entra ID's behaviour, Options.CreateOnNoTarget). For a single
// complex attribute, it replaces the value that didn't match. A replace
// with null has nothing to unassign.
func (a *applier) createMatching(p filter.Path, c map[string]any) error {
	if a.op.Value == nil {
		return nil
	}
	b := p.Attr.Bound
	e := equalities(p)
	if b.Sub != nil {
		e = withSub(e, b.Sub.Name, a.op.Value)
	} else {
		e = merge(e, a.op.Value).(map[string]any)
	}
	if !b.Attr.MultiValued {
		c[b.Attr.Name] = e
		return nil
	}
	list, _ := c[b.Attr.Name].([]any)
	list = append(list, e)
	c[b.Attr.Name] = list
	return demoteExcept(b.Attr, list, []int{len(list) - 1})
}
