package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The read workloads run against users named PREFIX-seed-N; "seed-bulk"
// creates them fast (-seed of them) before a read benchmark.

// seededName is the userName of the i-th seeded user.
func seededName(prefix string, i int) string { return fmt.Sprintf("%s-seed-%07d", prefix, i) }

// filterEq GETs one random seeded user by -attr (userName) eq.
func filterEq(ctx context.Context, cl *client, c config) (op, error) {
	return func(ctx context.Context, w, i int) error {
		f := url.QueryEscape(fmt.Sprintf("%s eq %q", c.attr, seededName(c.prefix, rand.IntN(c.seed))))
		b, err := cl.do(ctx, http.MethodGet, "/Users?filter="+f, nil, http.StatusOK)
		if err == nil && !strings.Contains(string(b), `"totalResults":1,`) {
			return fmt.Errorf("%s eq found no user: %.200s", c.attr, b)
		}
		return err
	}, nil
}

// filterCo GETs 10 users whose userName contains 4 random digits.
func filterCo(ctx context.Context, cl *client, c config) (op, error) {
	return func(ctx context.Context, w, i int) error {
		f := url.QueryEscape(fmt.Sprintf("userName co %q", fmt.Sprintf("%04d", rand.IntN(10000))))
		_, err := cl.do(ctx, http.MethodGet, "/Users?count=10&filter="+f, nil, http.StatusOK)
		return err
	}, nil
}

// sortedPage GETs 100 users sorted by userName from a random offset.
func sortedPage(ctx context.Context, cl *client, c config) (op, error) {
	return func(ctx context.Context, w, i int) error {
		_, err := cl.do(ctx, http.MethodGet, fmt.Sprintf("/Users?sortBy=userName&count=100&startIndex=%d", 1+rand.IntN(c.seed)), nil, http.StatusOK)
		return err
	}, nil
}

// patchUser replaces a random seeded user's nickName.
func patchUser(ctx context.Context, cl *client, c config) (op, error) {
	ids, err := seedUsers(ctx, cl, c.prefix, c.seed, c.concurrency)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, w, i int) error {
		body := fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"nickName","value":"n%d-%d"}]}`, w, i)
		_, err := cl.do(ctx, http.MethodPatch, "/Users/"+ids[rand.IntN(len(ids))], body, http.StatusOK)
		return err
	}, nil
}

// addMember adds seeded users one by one to a group that starts with
// -group-size members, answering without the member list.
func addMember(ctx context.Context, cl *client, c config) (op, error) {
	members, err := seedUsers(ctx, cl, c.prefix, c.groupSize+c.seed, c.concurrency)
	if err != nil {
		return nil, err
	}
	group, err := createGroup(ctx, cl, fmt.Sprintf("%s-group-%d-%d", c.prefix, c.groupSize, time.Now().UnixNano()), members[:c.groupSize])
	if err != nil {
		return nil, err
	}
	var next atomic.Int64
	pool := members[c.groupSize:]
	return func(ctx context.Context, w, i int) error {
		m := pool[int(next.Add(1))%len(pool)]
		body := fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, m)
		_, err := cl.do(ctx, http.MethodPatch, "/Groups/"+group+"?excludedAttributes=members", body, http.StatusOK)
		return err
	}, nil
}

// createGroup creates a group with members, adding them 1000 at a time.
func createGroup(ctx context.Context, cl *client, name string, members []string) (string, error) {
	b, err := cl.do(ctx, http.MethodPost, "/Groups?excludedAttributes=members", fmt.Appendf(nil, `{"displayName":%q}`, name), http.StatusCreated)
	if err != nil {
		return "", err
	}
	var g struct{ ID string }
	if err := json.Unmarshal(b, &g); err != nil {
		return "", err
	}
	for start := 0; start < len(members); start += 1000 {
		var vals []string
		for _, m := range members[start:min(start+1000, len(members))] {
			vals = append(vals, fmt.Sprintf(`{"value":%q}`, m))
		}
		body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[` + strings.Join(vals, ",") + `]}]}`
		if _, err := cl.do(ctx, http.MethodPatch, "/Groups/"+g.ID+"?excludedAttributes=members", []byte(body), http.StatusOK); err != nil {
			return "", err
		}
	}
	return g.ID, nil
}

// bulkImport POSTs Bulk requests of -bulk-size new users each; it reports
// requests per second (users per second is that times -bulk-size).
func bulkImport(ctx context.Context, cl *client, c config) (op, error) {
	run := time.Now().UnixNano()
	return func(ctx context.Context, w, i int) error {
		_, err := cl.do(ctx, http.MethodPost, "/Bulk", bulkUsers(c.bulkSize, func(j int) []byte {
			return userBody(fmt.Sprintf("%s-bulk-%x-%d-%d-%d", c.prefix, run, w, i, j))
		}), http.StatusOK)
		return err
	}, nil
}

// bulkUsers is a Bulk request creating n users, user(j) the body of the
// j-th.
func bulkUsers(n int, user func(j int) []byte) []byte {
	var b strings.Builder
	b.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[`)
	for j := range n {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"method":"POST","path":"/Users","bulkId":"u%d","data":%s}`, j, user(j))
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// seededBody is the body of a seeded user: userBody, with the extension
// attribute -attr, if it is one, set to the user's name.
func (c config) seededBody(name string) []byte {
	b := userBody(name)
	if c.attr == "userName" {
		return b
	}
	i := strings.LastIndexByte(c.attr, ':')
	return fmt.Appendf(b[:len(b)-1], `,%q:{%q:%q}}`, c.attr[:i], c.attr[i+1:], name)
}

// seedBulk creates -seed users named PREFIX-seed-N through Bulk, once,
// reporting progress on stderr; existing ones are reported as conflicts in
// the Bulk responses and skipped. With -attr an extension attribute, each
// user's is its name too.
func seedBulk(ctx context.Context, cl *client, c config, stdout io.Writer) error {
	start := time.Now()
	var (
		done    atomic.Int64
		wg      sync.WaitGroup
		failed  atomic.Value
		batches = make(chan int)
	)
	for range c.concurrency {
		wg.Go(func() {
			for first := range batches {
				n := min(c.bulkSize, c.seed-first)
				if _, err := cl.doPatiently(ctx, http.MethodPost, "/Bulk", bulkUsers(n, func(j int) []byte { return c.seededBody(seededName(c.prefix, first+j)) }), http.StatusOK); err != nil {
					failed.CompareAndSwap(nil, err)
				}
				if d := done.Add(int64(n)); d%100_000 < int64(n) {
					fmt.Fprintf(os.Stderr, "seeded %d users, %.0f/s\n", d, float64(d)/time.Since(start).Seconds())
				}
			}
		})
	}
	for first := 0; first < c.seed; first += c.bulkSize {
		batches <- first
	}
	close(batches)
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Fprintf(stdout, "seeded %d users in %v (%.0f users/s)\n", c.seed, time.Since(start).Round(time.Millisecond), float64(c.seed)/time.Since(start).Seconds())
	return nil
}

// cursorWalk walks every user with cursor pagination once and reports the
// time it took.
func cursorWalk(ctx context.Context, cl *client, c config, stdout io.Writer) error {
	start := time.Now()
	cursor, n, pages := "", 0, 0
	for {
		b, err := cl.do(ctx, http.MethodGet, "/Users?attributes=userName&count=200&cursor="+url.QueryEscape(cursor), nil, http.StatusOK)
		if err != nil {
			return err
		}
		var page struct {
			NextCursor string
			Resources  []json.RawMessage
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return err
		}
		n, pages = n+len(page.Resources), pages+1
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	fmt.Fprintf(stdout, "cursor walk: %d users in %d pages in %v\n", n, pages, time.Since(start).Round(time.Millisecond))
	return nil
}

// loginBurst sends -burst failed Basic logins (from -c goroutines) while the
// measured get-user workload runs, to show their effect on legitimate requests.
func loginBurst(ctx context.Context, cl *client, c config) (op, error) {
	inner, err := getUser(ctx, cl, c)
	if err != nil {
		return nil, err
	}
	go func() {
		time.Sleep(c.warmup)
		var wg sync.WaitGroup
		var sent atomic.Int64
		for range c.concurrency {
			wg.Go(func() {
				for sent.Add(1) <= int64(c.burst) {
					r, _ := http.NewRequestWithContext(ctx, http.MethodGet, cl.base()+"/Users", nil)
					r.SetBasicAuth(fmt.Sprintf("attacker%d", rand.IntN(1000)), "guess")
					if resp, err := cl.hc.Do(r); err == nil {
						resp.Body.Close()
					}
				}
			})
		}
		wg.Wait()
		fmt.Fprintf(os.Stderr, "sent %d failed logins\n", c.burst)
	}()
	return inner, nil
}
