package client

import (
	"testing"

	"github.com/scimd/scimd/internal/scimdtest"
)

// The capability-aware suite runs against scimd as it is, with every
// optional feature, and behind scimdtest.Degraded, which makes it a service
// provider without bulk, sorting, entity tags or cursors.

func TestSuiteScimd(t *testing.T) {
	runSuite(t, func(t *testing.T) *Client {
		c, _ := setup(t, scimdtest.Options{})
		return c
	})
}

func TestSuiteScimdDegraded(t *testing.T) {
	runSuite(t, func(t *testing.T) *Client {
		c, _ := setup(t, scimdtest.Options{Wrap: scimdtest.Degraded{}.Wrap})
		return c
	})
}
