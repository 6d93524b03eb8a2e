package server

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
)

// scimError converts any error into the SCIM error sent to the client:
// *scim.Error as it is, storage sentinels to their RFC 7644 statuses, and
// anything else to a 500 whose details stay in the log.
func scimError(err error) (*scim.Error, bool) {
	var se *scim.Error
	var ue *store.UniqueError
	var me *store.MemberError
	var ae *authError
	var re *retryError
	switch {
	case errors.As(err, &se):
		return se, false
	case errors.As(err, &ae):
		return &scim.Error{Status: http.StatusUnauthorized, Detail: ae.detail}, false
	case errors.As(err, &re):
		return &scim.Error{Status: cmp.Or(re.status, http.StatusTooManyRequests), Detail: re.detail}, false
	case errors.As(err, &ue):
		return &scim.Error{Status: http.StatusConflict, Type: scim.Uniqueness, Detail: ue.Error()}, false
	case errors.As(err, &me):
		return &scim.Error{Status: http.StatusBadRequest, Type: scim.InvalidValue,
			Detail: fmt.Sprintf("members must be existing users or groups of this tenant; not found: %s", joinIDs(me.IDs))}, false
	case errors.Is(err, store.ErrSelfMember):
		return &scim.Error{Status: http.StatusBadRequest, Type: scim.InvalidValue, Detail: "a group can't be a member of itself"}, false
	case errors.Is(err, store.ErrNotFound):
		return &scim.Error{Status: http.StatusNotFound, Detail: "resource not found"}, false
	case errors.Is(err, store.ErrVersionMismatch):
		return &scim.Error{Status: http.StatusPreconditionFailed, Detail: "the resource has changed: its version no longer matches If-Match"}, false
	case errors.Is(err, store.ErrConflict):
		return &scim.Error{Status: http.StatusConflict, Type: scim.Uniqueness, Detail: "a unique attribute's value is already taken"}, false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &scim.Error{Status: http.StatusServiceUnavailable, Detail: "the request was cancelled or timed out"}, true
	}
	return &scim.Error{Status: http.StatusInternalServerError, Detail: "internal server error; the server log has the details"}, true
}

func joinIDs(ids []string) string {
	const max = 10
	s := ""
	for i, id := range ids {
		if i == max {
			return s + fmt.Sprintf(" and %d more", len(ids)-max)
		}
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", id)
	}
	return s
}

// statusClientClosed is the status recorded (in logs and metrics) for a
// request whose client went away before it was answered, as nginx does; the
// client never sees it.
const statusClientClosed = 499

// cancelled reports whether err is what cancelling work makes: a
// context's error, or, from pgx, the connection it closed under a
// cancelled query.
func cancelled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn)
}

// writeError sends err as a SCIM error response, logging server-side failures.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	se, internal := scimError(err)
	if internal && r.Context().Err() != nil && cancelled(err) {
		// The client went away and the work for it was cancelled.
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "client went away", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("err", err))
		w.WriteHeader(statusClientClosed)
		return
	}
	if internal {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	var ae *authError
	var re *retryError
	switch {
	case se.Status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "":
		errors.As(err, &ae)
		challenges(w.Header(), ae)
	case errors.As(err, &re):
		w.Header().Set("Retry-After", retryAfter(re.after))
	}
	s.writeJSON(w, r, se.Status, se)
}
