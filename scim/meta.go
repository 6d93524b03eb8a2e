package scim

import (
	"encoding/json"
	"strings"
	"time"
)

// UnmarshalJSON decodes "meta" leniently, so that a resource from any
// service provider can be read. created and lastModified are dateTime
// values (RFC 7643 §2.3.5): RFC 3339 timestamps, but some service providers
// send other xsd:dateTime forms — a zone without a colon
// ("2017-10-09T11:32:36+0000"), no zone at all (read as UTC), a space for
// the "T" — or null. A timestamp in none of these forms is left nil rather
// than making the whole resource unreadable.
func (m *Meta) UnmarshalJSON(b []byte) error {
	var v struct {
		ResourceType string          `json:"resourceType"`
		Created      json.RawMessage `json:"created"`
		LastModified json.RawMessage `json:"lastModified"`
		Location     string          `json:"location"`
		Version      string          `json:"version"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = Meta{
		ResourceType: v.ResourceType,
		Created:      parseDateTime(v.Created),
		LastModified: parseDateTime(v.LastModified),
		Location:     v.Location,
		Version:      v.Version,
	}
	return nil
}

// dateTimeLayouts are the forms of xsd:dateTime that service providers
// send, RFC 3339 first. Fractional seconds of any length are accepted by
// each.
var dateTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700", // +0000
	"2006-01-02T15:04:05.999999999Z07",   // +00
	"2006-01-02T15:04:05.999999999",      // no zone
}

// parseDateTime reads a JSON dateTime string, or returns nil.
func parseDateTime(raw json.RawMessage) *time.Time {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return nil
	}
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return &t
		}
	}
	return nil
}
