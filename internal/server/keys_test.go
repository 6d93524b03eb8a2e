package server

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/uuid"
)

// uuidV7At returns a UUIDv7 made at t.
func uuidV7At(t time.Time) string {
	id := uuid.Must(uuid.NewV7())
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(id[:6], ms[2:])
	return id.String()
}

func TestKeyReload(t *testing.T) {
	loaded := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := loaded.Add(10 * time.Second)
	k := newKeyring(nil, func() time.Time { return now }, time.Hour)
	if !k.mayReload("example.com", uuidV7At(loaded)) {
		t.Error("a tenant whose keys were never loaded: no reload")
	}
	k.tenants["example.com"] = &tenantKeys{loaded: loaded}
	again := uuidV7At(loaded.Add(2 * time.Second))
	for _, c := range []struct {
		name string
		kid  string
		want bool
	}{
		{"made since the load", again, true},
		{"the same kid again", again, false},
		{"made just before the load, on a clock behind", uuidV7At(loaded.Add(-30 * time.Second)), true},
		{"made well before the load", uuidV7At(loaded.Add(-time.Hour)), false},
		{"made in the future", uuidV7At(now.Add(time.Hour)), false},
		{"not a UUID", "key-1", false},
		{"a UUIDv4", uuid.NewString(), false},
	} {
		if got := k.mayReload("example.com", c.kid); got != c.want {
			t.Errorf("%s: mayReload = %v, want %v", c.name, got, c.want)
		}
	}
	now = now.Add(keyReload)
	if !k.mayReload("example.com", again) {
		t.Error("the same kid after keyReload: no reload")
	}
	// A flood of made-up kids of the right shape: past maxLookups of them,
	// the keys reload at most every keyReload.
	reloads := 0
	for i := range 3 * maxLookups {
		if k.mayReload("example.com", uuidV7At(now.Add(-time.Duration(i)*time.Millisecond))) {
			reloads++
			k.tenants["example.com"] = &tenantKeys{loaded: now} // as the reload does
		}
	}
	if reloads > maxLookups {
		t.Errorf("%d made-up kids made %d reloads, want at most %d", 3*maxLookups, reloads, maxLookups)
	}
}
