package client

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/scimd/scimd/scim"
)

// bulkRefPrefix starts a reference to another operation's resource
// (RFC 7644 §3.7.2).
const bulkRefPrefix = "bulkId:"

// bulkRefs returns the bulkIds that op refers to, in its path
// ("/Groups/bulkId:qwerty") and in the string values of its data.
func bulkRefs(op scim.BulkOperation) []string {
	var refs []string
	if _, id, ok := strings.Cut(op.Path, bulkRefPrefix); ok {
		refs = append(refs, id)
	}
	if !bytes.Contains(op.Data, []byte(bulkRefPrefix)) {
		return refs
	}
	eachString(op.Data, func(start, end int) {
		if id, ok := refString(op.Data[start:end]); ok {
			refs = append(refs, id)
		}
	})
	return refs
}

// rewriteRefs replaces, in op's path and data, each reference to a bulkId
// in ids by the id of the resource it created.
func rewriteRefs(op scim.BulkOperation, ids map[string]string) scim.BulkOperation {
	if prefix, ref, ok := strings.Cut(op.Path, bulkRefPrefix); ok {
		if id, ok := ids[ref]; ok {
			op.Path = prefix + id
		}
	}
	if !bytes.Contains(op.Data, []byte(bulkRefPrefix)) {
		return op
	}
	var out bytes.Buffer
	last, changed := 0, false
	eachString(op.Data, func(start, end int) {
		ref, ok := refString(op.Data[start:end])
		id, known := ids[ref]
		if !ok || !known {
			return
		}
		out.Write(op.Data[last:start])
		out.WriteString(quote(id))
		last, changed = end, true
	})
	if !changed {
		return op
	}
	out.Write(op.Data[last:])
	op.Data = out.Bytes()
	return op
}

// refString reads the JSON string token tok and returns the bulkId it
// refers to, if it is a reference.
func refString(tok []byte) (string, bool) {
	if !bytes.HasPrefix(tok, []byte(`"`+bulkRefPrefix)) {
		return "", false
	}
	var s string
	if json.Unmarshal(tok, &s) != nil {
		return "", false
	}
	return strings.CutPrefix(s, bulkRefPrefix)
}

// eachString calls fn with the byte range of each string value in the JSON
// text data — member names are skipped.
func eachString(data []byte, fn func(start, end int)) {
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		end := stringEnd(data, i)
		if !isMemberName(data[end:]) {
			fn(i, end)
		}
		i = end - 1
	}
}

// stringEnd returns the index just past the JSON string starting at i.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// isMemberName reports whether the text after a string makes it a member
// name: the next non-space byte is a colon.
func isMemberName(rest []byte) bool {
	rest = bytes.TrimLeft(rest, " \t\r\n")
	return len(rest) > 0 && rest[0] == ':'
}
