package schemaconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// value is a decoded JSON value that remembers where it starts in its
// file, so that an error about it can name the line. Its v is nil, bool,
// json.Number, string, []*value or *object.
type value struct {
	off int
	v   any
}

// object is a JSON object with its members in file order.
type object struct {
	keys    []string
	members map[string]*value
}

// source is a file being decoded.
type source struct {
	path string
	data []byte
}

// at returns "path:line" for a byte offset.
func (s *source) at(off int) string {
	line, _ := s.lineCol(off)
	return fmt.Sprintf("%s:%d", s.path, line)
}

// lineCol returns the 1-based line and column (in characters) of a byte
// offset.
func (s *source) lineCol(off int) (line, col int) {
	off = min(off, len(s.data))
	before := s.data[:off]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte{'\n'}) + 1, utf8.RuneCount(before[start:]) + 1
}

// errorf returns an error located at a byte offset.
func (s *source) errorf(off int, format string, args ...any) error {
	return fmt.Errorf("%s: %s", s.at(off), fmt.Sprintf(format, args...))
}

// values decodes the JSON values of the file: usually one, but a sequence
// of values, optionally separated by commas, is accepted too — that is how
// entries copied from the WSO2 guide, which shows them one by one, look.
func (s *source) values() ([]*value, error) {
	var out []*value
	pos := 0
	for {
		pos = skipSpace(s.data, pos)
		if pos < len(s.data) && s.data[pos] == ',' && len(out) > 0 {
			pos = skipSpace(s.data, pos+1)
		}
		if pos == len(s.data) {
			if len(out) == 0 {
				return nil, fmt.Errorf("%s: the file is empty", s.path)
			}
			return out, nil
		}
		d := decoder{src: s, dec: json.NewDecoder(bytes.NewReader(s.data[pos:])), base: pos}
		d.dec.UseNumber()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		pos += int(d.dec.InputOffset())
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// decoder decodes one JSON value token by token, recording offsets.
type decoder struct {
	src  *source
	dec  *json.Decoder
	base int // offset of the decoder's input in the file
}

// start returns the file offset where the next token starts.
func (d *decoder) start() int {
	i := d.base + int(d.dec.InputOffset())
	for i < len(d.src.data) && strings.IndexByte(" \t\r\n,:", d.src.data[i]) >= 0 {
		i++
	}
	return i
}

func (d *decoder) token() (json.Token, int, error) {
	off := d.start()
	t, err := d.dec.Token()
	if err != nil {
		return nil, off, d.syntaxError(err, off)
	}
	return t, off, nil
}

// syntaxError locates a decoding error as line and column.
func (d *decoder) syntaxError(err error, off int) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off = d.base + int(se.Offset) // the offending byte, as Decoder.Token reports it
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		off = len(d.src.data)
		err = errors.New("unexpected end of the file: a JSON value is incomplete")
	}
	line, col := d.src.lineCol(off)
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return fmt.Errorf("%s:%d:%d: invalid JSON: %s", d.src.path, line, col, msg)
}

func (d *decoder) value() (*value, error) {
	t, off, err := d.token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		obj := &object{members: map[string]*value{}}
		for d.dec.More() {
			k, koff, err := d.token()
			if err != nil {
				return nil, err
			}
			key := k.(string) // a member name is always a string
			if _, dup := obj.members[key]; dup {
				return nil, d.src.errorf(koff, "the member %q is repeated", key)
			}
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			obj.keys = append(obj.keys, key)
			obj.members[key] = v
		}
		if _, _, err := d.token(); err != nil { // '}'
			return nil, err
		}
		return &value{off: off, v: obj}, nil
	case json.Delim('['):
		list := []*value{}
		for d.dec.More() {
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		if _, _, err := d.token(); err != nil { // ']'
			return nil, err
		}
		return &value{off: off, v: list}, nil
	}
	return &value{off: off, v: t}, nil
}

// describe names the JSON type of a value for messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return fmt.Sprintf("the string %q", v)
	case []*value:
		return "an array"
	case *object:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
