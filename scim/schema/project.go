package schema

import (
	"strings"

	"github.com/scimd/scimd/scim"
)

// Projection is the attribute selection of a request: the "attributes" and
// "excludedAttributes" parameters of RFC 7644 §3.4.2.5 combined with each
// attribute's "returned" characteristic (RFC 7643 §7). The nil *Projection
// returns the default set.
type Projection struct {
	include map[string]bool // canonical paths, lower-cased; nil when attributes= was not given
	exclude map[string]bool
}

// Projection resolves attribute paths as sent in attributes= and
// excludedAttributes= (each entry may itself be a comma-separated list).
// A path that names no attribute of rt is a 400 invalidValue.
func (rt *ResourceType) Projection(attributes, excluded []string) (*Projection, error) {
	inc, err := rt.pathSet("attributes", attributes)
	if err != nil {
		return nil, err
	}
	exc, err := rt.pathSet("excludedAttributes", excluded)
	if err != nil || (inc == nil && exc == nil) {
		return nil, err
	}
	return &Projection{include: inc, exclude: exc}, nil
}

func (rt *ResourceType) pathSet(param string, lists []string) (map[string]bool, error) {
	var set map[string]bool
	for _, list := range lists {
		for _, s := range strings.Split(list, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			p, ok := rt.Resolve(s)
			if !ok {
				if err := rt.ambiguous(s); err != nil {
					return nil, err
				}
				return nil, scim.BadRequest(scim.InvalidValue, "%s: %q is not an attribute of resource type %s", param, s, rt.Name)
			}
			if set == nil {
				set = map[string]bool{}
			}
			set[strings.ToLower(p.String())] = true
		}
	}
	return set, nil
}

// Returns reports whether the top-level attribute p (Sub nil) is returned:
// returned "always" attributes always are, "never" ones never; otherwise
// attributes= (when given) must name it or one of its sub-attributes, and
// excludedAttributes= must not name it. A "request" attribute is returned
// only when attributes= names it.
func (pr *Projection) Returns(p Path) bool {
	switch p.Attr.Returned {
	case scim.ReturnedNever:
		return false
	case scim.ReturnedAlways:
		return true
	}
	if pr == nil {
		return p.Attr.Returned != scim.ReturnedRequest
	}
	key := strings.ToLower(p.String())
	ext := p.Ext && pr.include[strings.ToLower(p.Schema.ID)]
	switch {
	case pr.exclude[key] || (p.Ext && pr.exclude[strings.ToLower(p.Schema.ID)]):
		return false
	case pr.include == nil:
		return p.Attr.Returned != scim.ReturnedRequest
	case pr.include[key] || pr.hasChild(key):
		return true
	}
	return ext && p.Attr.Returned != scim.ReturnedRequest
}

// ReturnsSub reports whether sub-attribute p.Sub of an attribute that
// Returns is returned, by the same rules.
func (pr *Projection) ReturnsSub(p Path) bool {
	switch p.Sub.Returned {
	case scim.ReturnedNever:
		return false
	case scim.ReturnedAlways:
		return true
	}
	if pr == nil {
		return p.Sub.Returned != scim.ReturnedRequest
	}
	key := strings.ToLower(p.String())
	switch {
	case pr.exclude[key]:
		return false
	case pr.include == nil:
		return p.Sub.Returned != scim.ReturnedRequest
	case pr.include[key]:
		return true
	}
	parent := strings.ToLower(Path{Schema: p.Schema, Ext: p.Ext, Attr: p.Attr}.String())
	whole := pr.include[parent] || (p.Ext && pr.include[strings.ToLower(p.Schema.ID)])
	return whole && !pr.hasChild(parent) && p.Sub.Returned != scim.ReturnedRequest
}

// hasChild reports whether attributes= names a sub-attribute of key.
func (pr *Projection) hasChild(key string) bool {
	for k := range pr.include {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// Wants reports whether the top-level attribute with the given name (core
// schema or common) is returned — so that storage can skip loading what
// isn't, such as a group's members under excludedAttributes=members.
func (rt *ResourceType) Wants(pr *Projection, name string) bool {
	p, ok := rt.Lookup("", name, "")
	return ok && pr.Returns(p)
}
