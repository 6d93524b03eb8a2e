package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/patch"
	"github.com/scimd/scimd/scim/schema"
)

// Compatibility profiles (SPEC §5): how scimd meets clients that
// contradict RFC 7644.
const (
	ProfileRFC   = "rfc"
	ProfileEntra = "entra"
	ProfileOkta  = "okta"
)

// patchOptions are the PATCH behaviours of a compatibility profile.
func patchOptions(profile string) patch.Options {
	if profile == ProfileEntra {
		return patch.Options{CreateOnNoTarget: true, BareManager: true}
	}
	return patch.Options{}
}

// patchResource serves PATCH /{Resources}/{id} (RFC 7644 §3.5.2).
func (s *Server) patchResource(w http.ResponseWriter, r *http.Request, req *request) error {
	pr, err := projection(r, req.rt)
	if err != nil {
		return err
	}
	body, err := decodeBody(r)
	if err != nil {
		return err
	}
	res, err := s.applyPatch(r.Context(), req, r.PathValue("id"), body, ifMatch(r), pr)
	if err != nil {
		return err
	}
	if req.who.profile == ProfileEntra && req.rt.Name == schema.GroupType {
		w.Header().Set("ETag", etag(res.Version))
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	s.writeResource(w, r, req, http.StatusOK, res, pr)
	return nil
}

// applyPatch validates a PatchOp and applies it in one transaction: all
// operations or none. Passwords are hashed before the transaction; the
// member list is read only when a filter on members needs it.
func (s *Server) applyPatch(ctx context.Context, req *request, id string, body map[string]any, match func(int64) error, pr *schema.Projection) (*store.Resource, error) {
	rt := req.rt
	opts := patchOptions(req.who.profileOr(ProfileRFC))
	ops, err := patch.Parse(rt, body, opts)
	if err != nil {
		return nil, err
	}
	isUser := rt.Name == schema.UserType // only users have credentials
	var hashes map[string]string
	if isUser {
		if hashes, err = s.patchPasswords(ctx, ops); err != nil {
			return nil, err
		}
	}
	readLoad := store.Load{Members: rt.Name == schema.GroupType && patch.NeedsMembers(ops)}
	res, err := s.store.Update(ctx, req.tenant, rt.Name, id, readLoad, load(rt, pr), func(old *store.Resource) (*store.Change, error) {
		if match != nil {
			if err := match(old.Version); err != nil {
				return nil, err
			}
		}
		out, err := patch.Apply(rt, old.Doc, s.patchMembers(req, old.Members), ops, opts)
		if err != nil {
			return nil, err
		}
		if err := s.checkGrant(req.who, old.Doc, out.Doc); err != nil {
			return nil, err
		}
		if out.Members != nil {
			if err := s.checkMembers(ctx, req.who, req.tenant, id, out.Doc, out.Members.Add); err != nil {
				return nil, err
			}
		}
		ch := &store.Change{Doc: out.Doc, LastModified: s.now().UTC()}
		if pw, ok := out.Doc["password"].(string); ok && isUser {
			delete(out.Doc, "password")
			h := hashes[pw]
			ch.PasswordHash = &h
		} else if isUser && removesPassword(ops) {
			ch.PasswordHash = new(string)
		}
		if m := out.Members; m != nil {
			ch.Members = &store.MemberChange{RemoveAll: m.RemoveAll, Remove: m.Remove, Add: m.Add}
		}
		return ch, nil
	})
	if err != nil {
		return nil, notFound(err, rt, id)
	}
	if len(hashes) > 0 || isUser && removesPassword(ops) {
		s.creds.Forget(subject(req.tenant, id))
	}
	return res, nil
}

// patchPasswords hashes, before the write transaction, every password the
// operations set.
func (s *Server) patchPasswords(ctx context.Context, ops []patch.Operation) (map[string]string, error) {
	hashes := map[string]string{}
	for _, op := range ops {
		pw, ok := op.Doc["password"].(string)
		if b := opTarget(op); b != nil && b.Name == "password" {
			pw, ok = op.Value.(string)
		}
		if !ok || hashes[pw] != "" {
			continue
		}
		if len(pw) > maxPasswordBytes {
			return nil, scim.BadRequest(scim.InvalidValue, "password is longer than %d bytes", maxPasswordBytes)
		}
		h, err := s.hasher.Hash(ctx, pw)
		if err != nil {
			return nil, err
		}
		hashes[pw] = h
	}
	return hashes, nil
}

// removesPassword reports whether an operation removes the password: a
// remove of it, a replace with null, or a path-less replace whose value
// sets it to null (RFC 7643 §2.5: null is unassigned).
func removesPassword(ops []patch.Operation) bool {
	for _, op := range ops {
		if b := opTarget(op); b != nil && b.Name == "password" && (op.Op == "remove" || op.Value == nil) {
			return true
		}
		if v, ok := op.RawValue.(map[string]any); ok && op.Path == nil && op.Op == "replace" {
			for k, pw := range v {
				if strings.EqualFold(k, "password") && (pw == nil || pw == "") {
					return true
				}
			}
		}
	}
	return false
}

func opTarget(op patch.Operation) *scim.Attribute {
	if op.Path == nil || op.Path.Attr.Bound.Ext {
		return nil
	}
	return op.Path.Attr.Bound.Attr
}

// patchMembers presents a group's members to the PATCH engine's filters.
func (s *Server) patchMembers(req *request, members []store.Member) []patch.Member {
	out := make([]patch.Member, len(members))
	for i, m := range members {
		out[i] = patch.Member{Value: m.ID, Display: m.Display, Type: m.Type}
		if rt := s.reg.ResourceType(m.Type); rt != nil {
			out[i].Ref = s.location(req, rt, m.ID)
		}
	}
	return out
}
