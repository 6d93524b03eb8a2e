package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"
)

// scenario prepares a workload (seeding what it reads) and returns its op.
type scenario func(ctx context.Context, cl *client, c config) (op, error)

var scenarios = map[string]scenario{
	"create-user": createUser,
	"get-user":    getUser,
	"get-path":    getPath,
	"filter-eq":   filterEq,
	"filter-co":   filterCo,
	"sorted-page": sortedPage,
	"patch-user":  patchUser,
	"add-member":  addMember,
	"bulk-import": bulkImport,
	"login-burst": loginBurst,
}

// tasks are one-shot jobs rather than closed-loop workloads.
var tasks = map[string]func(ctx context.Context, cl *client, c config, stdout io.Writer) error{
	"seed-bulk":   seedBulk,
	"cursor-walk": cursorWalk,
}

// getPath GETs the fixed path -path (e.g. /ServiceProviderConfig): the
// cost of the HTTP stack and authentication alone.
func getPath(ctx context.Context, cl *client, c config) (op, error) {
	return func(ctx context.Context, w, i int) error {
		_, err := cl.do(ctx, http.MethodGet, c.path, nil, http.StatusOK)
		return err
	}, nil
}

func scenarioNames() []string {
	var out []string
	for n := range scenarios {
		out = append(out, n)
	}
	for n := range tasks {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// userBody is a typical provisioned user (what Entra ID and Okta send,
// without a password).
func userBody(name string) []byte {
	return fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"active":true,`+
		`"name":{"givenName":"Load","familyName":"Tester"},"displayName":"Load Tester",`+
		`"emails":[{"value":%q,"type":"work","primary":true}],"externalId":%q}`, name, name+"@example.com", "ext-"+name)
}

// createUser POSTs new users with unique user names.
func createUser(ctx context.Context, cl *client, c config) (op, error) {
	run := time.Now().UnixNano()
	return func(ctx context.Context, w, i int) error {
		_, err := cl.do(ctx, http.MethodPost, "/Users", userBody(fmt.Sprintf("%s-%x-%d-%d", c.prefix, run, w, i)), http.StatusCreated)
		return err
	}, nil
}

// getUser GETs random users among -seed seeded ones.
func getUser(ctx context.Context, cl *client, c config) (op, error) {
	ids, err := seedUsers(ctx, cl, c.prefix, c.seed, c.concurrency)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, w, i int) error {
		_, err := cl.do(ctx, http.MethodGet, "/Users/"+ids[rand.IntN(len(ids))], nil, http.StatusOK)
		return err
	}, nil
}

// seedUsers makes sure n users named prefix-seed-0 … prefix-seed-(n-1)
// exist and returns their ids.
func seedUsers(ctx context.Context, cl *client, prefix string, n, concurrency int) ([]string, error) {
	ids := make([]string, n)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		fail error
		next = make(chan int)
	)
	for range concurrency {
		wg.Go(func() {
			for i := range next {
				id, err := ensureUser(ctx, cl, seededName(prefix, i))
				mu.Lock()
				ids[i] = id
				if err != nil && fail == nil {
					fail = err
				}
				mu.Unlock()
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return ids, fail
}

// ensureUser creates a user, or finds it if it exists already.
func ensureUser(ctx context.Context, cl *client, name string) (string, error) {
	b, err := cl.do(ctx, http.MethodPost, "/Users", userBody(name), http.StatusCreated)
	if err == nil {
		var r struct{ ID string }
		return r.ID, json.Unmarshal(b, &r)
	}
	b, ferr := cl.do(ctx, http.MethodGet, "/Users?filter="+url.QueryEscape(fmt.Sprintf("userName eq %q", name))+"&attributes=id", nil, http.StatusOK)
	if ferr != nil {
		return "", fmt.Errorf("%w: %v; and looking it up: %v", errSeed, err, ferr)
	}
	var list struct{ Resources []struct{ ID string } }
	if err := json.Unmarshal(b, &list); err != nil || len(list.Resources) != 1 {
		return "", fmt.Errorf("%w: user %s neither created nor found", errSeed, name)
	}
	return list.Resources[0].ID, nil
}
