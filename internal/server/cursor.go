package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
)

// cursorTimeout is how long a cursor stays valid (RFC 9865 cursorTimeout).
const cursorTimeout = time.Hour

// cursor is the state a pagination cursor (RFC 9865) carries. Cursors are
// opaque to clients and sealed: base64url(JSON) "." base64url(HMAC-SHA-256)
// under a key kept in the database, so that every scimd sharing it accepts
// them and nobody can forge one.
type cursor struct {
	Query   []byte          `json:"q"`           // fingerprint of the query the cursor belongs to
	Back    bool            `json:"b,omitempty"` // page before Key/Row instead of after
	Key     json.RawMessage `json:"k"`
	Row     int64           `json:"r"`
	Total   int             `json:"t"` // totalResults when the walk started
	Expires int64           `json:"e"` // Unix seconds
}

// fingerprint identifies a query: tenant, resource types, filters, sort.
// A cursor is refused on any other query.
func fingerprint(tenant string, p *searchParams) []byte {
	h := sha256.New()
	for _, part := range []string{tenant, p.filterText, p.sortBy, p.sortOrder} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	for _, sel := range p.selections {
		h.Write([]byte(sel.Type))
		h.Write([]byte{0})
	}
	return h.Sum(nil)[:16]
}

func (s *Server) sealCursor(key []byte, c cursor) string {
	payload, _ := json.Marshal(c)
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	b64 := base64.RawURLEncoding
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(m.Sum(nil))
}

// openCursor checks and decodes a cursor given for the query fp.
func (s *Server) openCursor(key []byte, text string, fp []byte) (*cursor, error) {
	invalid := scim.BadRequest(scim.InvalidCursor, "the cursor is not one this server issued for this query; "+
		"send an empty cursor to start, then each response's nextCursor or previousCursor with the same query parameters")
	p, sig, ok := strings.Cut(text, ".")
	b64 := base64.RawURLEncoding
	payload, err1 := b64.DecodeString(p)
	mac, err2 := b64.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil {
		return nil, invalid
	}
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	if !hmac.Equal(mac, m.Sum(nil)) {
		return nil, invalid
	}
	var c cursor
	if err := json.Unmarshal(payload, &c); err != nil || !bytes.Equal(c.Query, fp) {
		return nil, invalid
	}
	if s.now().Unix() > c.Expires {
		return nil, scim.BadRequest(scim.ExpiredCursor, "the cursor has expired (cursors are valid for %v); start again with an empty cursor", cursorTimeout)
	}
	return &c, nil
}

// position turns a cursor into the store position it points at.
func (c *cursor) position() (*store.Position, error) {
	pos := &store.Position{Row: c.Row}
	d := json.NewDecoder(bytes.NewReader(c.Key))
	d.UseNumber()
	var k any
	if err := d.Decode(&k); err != nil {
		return nil, err
	}
	switch k := k.(type) {
	case json.Number:
		if i, err := k.Int64(); err == nil {
			pos.Key = i
		} else if f, err := k.Float64(); err == nil {
			pos.Key = f
		}
	default:
		pos.Key = k // nil or string
	}
	return pos, nil
}

func positionCursor(fp []byte, pos *store.Position, back bool, total int, expires time.Time) cursor {
	key, _ := json.Marshal(pos.Key)
	return cursor{Query: fp, Back: back, Key: key, Row: pos.Row, Total: total, Expires: expires.Unix()}
}
