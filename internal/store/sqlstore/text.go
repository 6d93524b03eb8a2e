package sqlstore

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
)

// Both flavors store and look up exactly the same strings: PostgreSQL's
// text and jsonb hold valid UTF-8 without U+0000 only, and its B-tree
// entries are limited in size, so the store refuses documents it could
// not keep on either, and answers lookups of strings that can't be stored
// as lookups of nothing (on SQLite too, where they would find nothing).

// maxIndexedValue bounds the values of indexed attributes (userName,
// emails.value, ...) in bytes; PostgreSQL's B-tree entries hold at most
// about 2.7 kB.
const maxIndexedValue = 2000

// storable reports whether s can be stored as text: valid UTF-8 without
// U+0000.
func storable(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return false
		}
	}
	return true
}

// checkRow refuses a document that holds U+0000 or an indexed value that
// is too long.
func checkRow(r *row) error {
	if hasNUL(r.data) {
		return scim.BadRequest(scim.InvalidValue, "a string holds the character U+0000, which scimd does not store")
	}
	for _, e := range r.index {
		if len(e.val) > maxIndexedValue {
			return scim.BadRequest(scim.InvalidValue, "a value of %s is %d bytes long; scimd indexes values of at most %d bytes", e.attr, len(e.val), maxIndexedValue)
		}
	}
	return nil
}

// hasNUL reports whether a JSON document holds the escape \u0000 (which is
// how encoding/json writes U+0000), not preceded by a backslash that
// escapes its backslash.
func hasNUL(js []byte) bool {
	esc := []byte(`\u0000`)
	for i := 0; ; {
		j := bytes.Index(js[i:], esc)
		if j < 0 {
			return false
		}
		j += i
		n := 0
		for k := j - 1; k >= 0 && js[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
		i = j + 1
	}
}

// checkLiterals refuses a filter comparing with a string that holds
// U+0000 (the filter grammar allows "\u0000"): no stored value holds it,
// and PostgreSQL can't take it as an argument.
func checkLiterals(e filter.Expr) error {
	ok := true
	var walk func(e filter.Expr)
	walk = func(e filter.Expr) {
		switch e := e.(type) {
		case filter.And:
			for _, x := range e {
				walk(x)
			}
		case filter.Or:
			for _, x := range e {
				walk(x)
			}
		case filter.Not:
			walk(e.X)
		case filter.Compare:
			if s, isString := e.Value.(string); isString && !storable(s) {
				ok = false
			}
		case filter.ValuePath:
			walk(e.Filter)
			if e.Test != nil {
				walk(e.Test)
			}
		}
	}
	walk(e)
	if !ok {
		return scim.BadRequest(scim.InvalidFilter, "the filter compares with a string holding the character U+0000, which no stored value holds")
	}
	return nil
}
