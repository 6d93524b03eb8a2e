package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestErrorJSON(t *testing.T) {
	e := &Error{Status: 409, Type: Uniqueness, Detail: "userName taken"}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName taken"}`
	if string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	tests := []struct {
		name, in string
		want     Error
		wantErr  bool
	}{
		{"status as string", want, *e, false},
		{"status as number", `{"status":404,"detail":"x"}`, Error{Status: 404, Detail: "x"}, false},
		{"no status", `{"detail":"x"}`, Error{Detail: "x"}, false},
		{"status not a number", `{"status":"four"}`, Error{}, true},
		{"status object", `{"status":{}}`, Error{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Error
			err := json.Unmarshal([]byte(tt.in), &got)
			if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
				t.Errorf("Unmarshal = %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestErrorIs(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", Errorf(http.StatusBadRequest, InvalidFilter, "bad"))
	cases := []struct {
		target *Error
		want   bool
	}{
		{&Error{Status: 400}, true},
		{&Error{Status: 400, Type: InvalidFilter}, true},
		{&Error{Status: 400, Type: InvalidPath}, false},
		{&Error{Status: 404}, false},
	}
	for _, c := range cases {
		if got := errors.Is(err, c.target); got != c.want {
			t.Errorf("errors.Is(%v, %+v) = %v, want %v", err, c.target, got, c.want)
		}
	}
	var se *Error
	if !errors.As(err, &se) || se.Detail != "bad" {
		t.Errorf("errors.As = %+v", se)
	}
}

func TestBulkStatus(t *testing.T) {
	for _, in := range []string{`"201"`, `201`, `{"code":201}`, `{"code":"201"}`} {
		var s BulkStatus
		if err := json.Unmarshal([]byte(in), &s); err != nil || s != 201 {
			t.Errorf("Unmarshal(%s) = %d, %v; want 201", in, s, err)
		}
	}
	if b, _ := json.Marshal(BulkStatus(412)); string(b) != `"412"` {
		t.Errorf("Marshal = %s, want \"412\"", b)
	}
}
