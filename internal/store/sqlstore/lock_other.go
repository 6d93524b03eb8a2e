//go:build !unix

package sqlstore

import "errors"

// lockExclusive is unsupported here: Open then keeps no resource cache,
// which would be safe only with the lock.
func lockExclusive(string) (func(), error) {
	return nil, errors.ErrUnsupported
}
