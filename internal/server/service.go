package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// The resource operations below are the one implementation of create,
// replace and delete, shared by the single-resource endpoints and Bulk.

// maxPasswordBytes bounds a password; longer ones are refused, not truncated.
const maxPasswordBytes = 1024

// createResource validates a representation and stores it as a new resource.
func (s *Server) createResource(ctx context.Context, req *request, body map[string]any, pr *schema.Projection) (*store.Resource, error) {
	rt := req.rt
	doc, err := s.validate(req, body)
	if err != nil {
		return nil, err
	}
	members, err := takeMembers(rt, doc)
	if err != nil {
		return nil, err
	}
	if err := s.checkGrant(req.who, nil, doc); err != nil {
		return nil, err
	}
	if err := s.checkMembers(ctx, req.who, req.tenant, "", doc, members); err != nil {
		return nil, err
	}
	hash, err := s.takePassword(ctx, rt, doc)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	res := &store.Resource{Type: rt.Name, ID: newID(), Created: now, LastModified: now, Doc: doc}
	if err := s.store.Create(ctx, req.tenant, res, members, hash); err != nil {
		return nil, err
	}
	l := load(rt, pr)
	if l.Members && len(members) > 0 {
		return s.store.Get(ctx, req.tenant, rt.Name, res.ID, l)
	}
	if l.Members {
		res.Members = []store.Member{}
	}
	if l.Groups {
		res.Groups = []store.GroupRef{} // a new resource belongs to no group
	}
	return res, nil
}

// replaceResource replaces a resource's attributes (RFC 7644 §3.5.1):
// readOnly attributes in the body are ignored, immutable ones must match,
// and a password, which is never returned, is kept unless one is sent.
func (s *Server) replaceResource(ctx context.Context, req *request, id string, body map[string]any, match func(int64) error, pr *schema.Projection) (*store.Resource, error) {
	rt := req.rt
	doc, err := s.validate(req, body)
	if err != nil {
		return nil, err
	}
	members, err := takeMembers(rt, doc)
	if err != nil {
		return nil, err
	}
	hash, err := s.takePassword(ctx, rt, doc)
	if err != nil {
		return nil, err
	}
	isGroup := rt.Name == schema.GroupType
	res, err := s.store.Update(ctx, req.tenant, rt.Name, id, store.Load{Members: isGroup}, load(rt, pr), func(old *store.Resource) (*store.Change, error) {
		if match != nil {
			if err := match(old.Version); err != nil {
				return nil, err
			}
		}
		if err := rt.CheckImmutable(old.Doc, doc); err != nil {
			return nil, err
		}
		rt.KeepUndeclared(old.Doc, doc)
		if err := s.checkGrant(req.who, old.Doc, doc); err != nil {
			return nil, err
		}
		ch := &store.Change{Doc: doc, LastModified: s.now().UTC()}
		if hash != "" {
			ch.PasswordHash = &hash
		}
		if isGroup {
			ch.Members = memberDiff(old.Members, members)
			if err := s.checkMembers(ctx, req.who, req.tenant, id, doc, ch.Members.Add); err != nil {
				return nil, err
			}
		}
		return ch, nil
	})
	if err != nil {
		return nil, notFound(err, rt, id)
	}
	if hash != "" {
		s.creds.Forget(subject(req.tenant, id))
	}
	return res, nil
}

// deleteResource deletes a resource and forgets its cached credentials.
func (s *Server) deleteResource(ctx context.Context, req *request, id string, match func(int64) error) error {
	if err := s.store.Delete(ctx, req.tenant, req.rt.Name, id, match); err != nil {
		return notFound(err, req.rt, id)
	}
	s.creds.Forget(subject(req.tenant, id))
	return nil
}

// validate normalizes a representation and checks its required attributes.
func (s *Server) validate(req *request, body map[string]any) (map[string]any, error) {
	doc, err := req.rt.Normalize(body)
	if err != nil {
		return nil, err
	}
	return doc, req.rt.CheckRequired(doc)
}

// checkGrant refuses a group document that grants scopes the old one didn't
// and the caller doesn't hold (SPEC §3: nobody grants a scope it lacks).
func (s *Server) checkGrant(who *principal, old, next map[string]any) error {
	had := scopeSet(groupScopes(old))
	for _, sc := range groupScopes(next) {
		if !had[sc] && who != nil && !who.has(sc) {
			return &scim.Error{Status: http.StatusForbidden, Detail: "can't grant the scope " + sc + ", which " + who.name() + " does not hold"}
		}
	}
	return nil
}

func groupScopes(doc map[string]any) []string {
	ext, _ := doc[schema.AuthorizationSchema].(map[string]any)
	list, _ := ext["scopes"].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if sc, ok := v.(string); ok {
			out = append(out, sc)
		}
	}
	return out
}

// checkMembers refuses to add members to a group that confers scopes the
// caller doesn't hold: the group's own, and those of the groups it is in.
func (s *Server) checkMembers(ctx context.Context, who *principal, tenant, groupID string, doc map[string]any, added []string) error {
	if len(added) == 0 || who == nil {
		return nil
	}
	conferred := groupScopes(doc)
	if groupID != "" {
		above, err := s.store.GroupValues(ctx, tenant, groupID, schema.AuthorizationScopes)
		if err != nil {
			return err
		}
		conferred = append(conferred, above...)
	}
	for _, sc := range conferred {
		if !who.has(sc) {
			return &scim.Error{Status: http.StatusForbidden,
				Detail: "can't add members to this group: it grants the scope " + sc + ", which " + who.name() + " does not hold"}
		}
	}
	return nil
}

// takeMembers removes a group's members from its document and returns
// their ids, which storage keeps in its membership table.
func takeMembers(rt *schema.ResourceType, doc map[string]any) ([]string, error) {
	list, _ := doc["members"].([]any)
	if rt.Name != schema.GroupType {
		return nil, nil
	}
	delete(doc, "members")
	ids := make([]string, 0, len(list))
	seen := make(map[string]bool, len(list))
	for i, m := range list {
		id, _ := m.(map[string]any)["value"].(string)
		if id == "" {
			return nil, scim.BadRequest(scim.InvalidValue, `members[%d] has no "value": each member needs the id of a user or group`, i)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// memberDiff turns a full replacement of a group's members into the
// additions and removals it amounts to.
func memberDiff(old []store.Member, next []string) *store.MemberChange {
	ch := &store.MemberChange{}
	keep := make(map[string]bool, len(next))
	for _, id := range next {
		keep[id] = true
	}
	had := make(map[string]bool, len(old))
	for _, m := range old {
		had[m.ID] = true
		if !keep[m.ID] {
			ch.Remove = append(ch.Remove, m.ID)
		}
	}
	for _, id := range next {
		if !had[id] {
			ch.Add = append(ch.Add, id)
		}
	}
	return ch
}

// takePassword removes the password from a user document and returns its
// hash, or "" when none was sent. Only users have credentials: a
// "password" attribute of another resource type is an attribute like any
// other.
func (s *Server) takePassword(ctx context.Context, rt *schema.ResourceType, doc map[string]any) (string, error) {
	pw, ok := doc["password"].(string)
	if !ok || rt.Name != schema.UserType {
		return "", nil
	}
	delete(doc, "password")
	if len(pw) > maxPasswordBytes {
		return "", scim.BadRequest(scim.InvalidValue, "password is longer than %d bytes", maxPasswordBytes)
	}
	return s.hasher.Hash(ctx, pw)
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// NewID returns a new resource or credential id: a UUIDv7, whose time
// order keeps index inserts cheap.
func NewID() string { return newID() }

// notFound names the missing resource in a store.ErrNotFound.
func notFound(err error, rt *schema.ResourceType, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &scim.Error{Status: http.StatusNotFound, Detail: fmt.Sprintf("no %s with id %q", rt.Name, id)}
	}
	return err
}
