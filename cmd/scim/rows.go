package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/scimd/scimd/scim"
)

// row is one user to import.
type row struct {
	line     int // in the input file, for the report
	userName string
	set      []assignment
	schemas  []string // for a new user: core, and the extensions set
	err      error    // why the row cannot be imported
}

// assignment is one value of a row and where it goes.
type assignment struct {
	col   *column
	value any
}

// apply sets the row's values in doc and reports whether that changed it.
// A password always counts as a change: it cannot be read back to compare.
func (r *row) apply(doc map[string]any) bool {
	changed := false
	for _, a := range r.set {
		if a.col.apply(doc, a.value) || strings.EqualFold(a.col.attr, "password") && a.col.urn == "" {
			changed = true
		}
	}
	return changed
}

// newUser returns the document that creates the row's user.
func (r *row) newUser() scim.Resource {
	doc := scim.Resource{}
	r.apply(doc)
	if _, ok := lookupFold(doc, "schemas"); !ok {
		doc["schemas"] = r.schemas
	}
	return doc
}

// readCSV reads users from CSV whose header row holds attribute paths (see
// column). Empty cells are left out: they neither set nor clear a value.
// Quotes are read leniently, so that a header may be written
// emails[type eq "work"].value as well as "emails[type eq ""work""].value".
func readCSV(in io.Reader, types attrTypes) ([]*row, error) {
	cr := csv.NewReader(in)
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("CSV header: %w", err)
	}
	cols, userName, schemas, err := parseHeader(header, types)
	if err != nil {
		return nil, err
	}
	var rows []*row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		r := &row{line: line, userName: strings.TrimSpace(rec[userName]), schemas: schemas}
		for i, cell := range rec {
			if cell = strings.TrimSpace(cell); cell == "" {
				continue
			}
			v, err := types.convert(&cols[i], cell)
			if err != nil && r.err == nil {
				r.err = err
			}
			r.set = append(r.set, assignment{col: &cols[i], value: v})
		}
		rows = append(rows, r)
	}
}

// parseHeader parses the columns of a CSV header and returns them, the
// index of the userName column and the schemas of a new user.
func parseHeader(header []string, types attrTypes) (cols []column, userName int, schemas []string, err error) {
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF") // a byte order mark, as spreadsheets write
	}
	userName, schemas = -1, []string{scim.UserSchema}
	cols = make([]column, len(header))
	for i, h := range header {
		if cols[i], err = parseColumn(h); err != nil {
			return nil, 0, nil, err
		}
		if err = types.check(&cols[i]); err != nil {
			return nil, 0, nil, err
		}
		c := &cols[i]
		if c.urn == "" && c.sub == "" && strings.EqualFold(c.attr, "userName") {
			userName = i
		}
		if c.urn != "" && !containsFold(schemas, c.urn) {
			schemas = append(schemas, c.urn)
		}
	}
	if userName < 0 {
		return nil, 0, nil, errors.New("CSV header: no userName column")
	}
	return cols, userName, schemas, nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// readJSONLines reads users as JSON objects, one a line. Each top-level
// attribute of a line replaces the user's; id and meta are ignored.
func readJSONLines(in io.Reader) ([]*row, error) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var rows []*row
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		rows = append(rows, jsonRow(line, text))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("JSON lines: %w", err)
	}
	return rows, nil
}

func jsonRow(line int, text []byte) *row {
	r := &row{line: line, schemas: []string{scim.UserSchema}}
	var doc scim.Resource
	if err := json.Unmarshal(text, &doc); err != nil || doc == nil {
		r.err = fmt.Errorf("not a JSON object: %v", err)
		return r
	}
	if v, ok := lookupFold(doc, "userName"); ok {
		r.userName, _ = v.(string)
	}
	for k, v := range doc {
		switch strings.ToLower(k) {
		case "id", "meta":
			continue
		case "schemas":
			r.schemas = doc.Schemas()
			continue
		}
		r.set = append(r.set, assignment{col: &column{header: k, attr: k}, value: v})
	}
	return r
}
