package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/store/sqlstore/pgtest"
)

// startReplicas starts n "scimd serve" processes at once on one database,
// as replicas behind a load balancer start, and waits until all listen.
func startReplicas(t *testing.T, n int, args ...string) []*process {
	t.Helper()
	type started struct {
		i   int
		p   *process
		err error
	}
	results := make(chan started, n)
	for i := range n {
		cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
		cmd.Dir = t.TempDir()
		p := &process{cmd: cmd, out: filepath.Join(cmd.Dir, "stdout")}
		out, err := os.Create(p.out)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout = out
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		out.Close()
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		go func() {
			lines := bufio.NewScanner(stderr)
			for lines.Scan() {
				p.log += lines.Text() + "\n"
				if m := listeningRE.FindStringSubmatch(lines.Text()); m != nil && strings.Contains(lines.Text(), "scimd serving") {
					p.url = "http://" + m[1]
					go io.Copy(io.Discard, stderr)
					results <- started{i: i, p: p}
					return
				}
			}
			results <- started{i: i, err: fmt.Errorf("replica %d did not start:\n%s", i, p.log)}
		}()
	}
	ps := make([]*process, n)
	timeout := time.After(60 * time.Second)
	for range n {
		select {
		case r := <-results:
			if r.err != nil {
				t.Fatal(r.err)
			}
			ps[r.i] = r.p
		case <-timeout:
			t.Fatal("the replicas did not start within a minute")
		}
	}
	return ps
}

// call is one HTTP request; unlike process.do, it may run in any goroutine.
type call struct {
	method, path, body string
	user, password     string // Basic credentials, unless bearer is set
	bearer             string
	header             map[string]string
}

func (p *process) call(c call) (int, string, error) {
	if c.method == "" {
		c.method = http.MethodGet
	}
	r, err := http.NewRequest(c.method, p.url+c.path, strings.NewReader(c.body))
	if err != nil {
		return 0, "", err
	}
	switch {
	case c.bearer != "":
		r.Header.Set("Authorization", "Bearer "+c.bearer)
	case c.user != "":
		r.SetBasicAuth(c.user, c.password)
	}
	if c.body != "" {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	for k, v := range c.header {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// mustCall sends a request as admin and fails the test unless the status is want.
func (p *process) mustCall(t *testing.T, want int, c call) map[string]any {
	t.Helper()
	if c.user == "" && c.bearer == "" {
		c.user, c.password = "admin", "pw"
	}
	code, body, err := p.call(c)
	if err != nil || code != want {
		t.Fatalf("%s %s on %s: %d %v, want %d\n%s", c.method, c.path, p.url, code, err, want, body)
	}
	var doc map[string]any
	json.Unmarshal([]byte(body), &doc)
	return doc
}

// race sends the calls at once, each to the replica of its index modulo
// the replicas, and returns how many got each status.
func race(t *testing.T, replicas []*process, calls []call) map[int]int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes = map[int]int{}
		errs  []error
	)
	for i, c := range calls {
		if c.user == "" && c.bearer == "" {
			c.user, c.password = "admin", "pw"
		}
		wg.Go(func() {
			code, body, err := replicas[i%len(replicas)].call(c)
			mu.Lock()
			defer mu.Unlock()
			codes[code]++
			if err != nil || code >= 500 {
				errs = append(errs, fmt.Errorf("%s %s: %d %v %s", c.method, c.path, code, err, body))
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return codes
}

func patchOps(ops string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
}

// TestReplicas runs two scimd processes on one PostgreSQL database, started
// together, and races them: every invariant one process keeps must hold
// across both.
func TestReplicas(t *testing.T) {
	dsn := pgtest.DSN(t)
	// Behind a load balancer, replicas share the base URL: it is the
	// issuer of their access tokens.
	replicas := startReplicas(t, 2, "--db", dsn, "--admin-password", "pw", "--base-url", "https://id.example.com")
	a, b := replicas[0], replicas[1]
	a.mustCall(t, 200, call{path: "/scim2/Users?filter=userName+eq+%22admin%22"})
	if strings.Contains(a.stdout()+b.stdout(), "password") {
		t.Error("a replica printed a generated password although --admin-password was given")
	}

	t.Run("races", func(t *testing.T) {
		t.Run("UniqueUserName", func(t *testing.T) {
			t.Parallel()
			for round := range 5 {
				var calls []call
				for range 10 {
					calls = append(calls, call{method: "POST", path: "/scim2/Users", body: fmt.Sprintf(`{"userName":"Same%d"}`, round)})
				}
				if codes := race(t, replicas, calls); codes[201] != 1 || codes[409] != 9 {
					t.Errorf("10 concurrent creates of one userName on two replicas: %v, want one 201 and nine 409", codes)
				}
			}
		})
		t.Run("MemberAdds", func(t *testing.T) {
			t.Parallel()
			g := a.mustCall(t, 201, call{method: "POST", path: "/scim2/Groups", body: `{"displayName":"crowd"}`})["id"].(string)
			var calls []call
			for i := range 40 {
				u := replicas[i%2].mustCall(t, 201, call{method: "POST", path: "/scim2/Users", body: fmt.Sprintf(`{"userName":"member%d"}`, i)})["id"].(string)
				calls = append(calls, call{method: "PATCH", path: "/scim2/Groups/" + g + "?excludedAttributes=members",
					body: patchOps(`{"op":"add","path":"members","value":[{"value":"` + u + `"}]}`)})
			}
			if codes := race(t, replicas, calls); codes[200] != 40 {
				t.Fatalf("40 concurrent member adds: %v", codes)
			}
			for _, p := range replicas {
				members, _ := p.mustCall(t, 200, call{path: "/scim2/Groups/" + g})["members"].([]any)
				if len(members) != 40 {
					t.Errorf("%s sees %d members after 40 concurrent adds on two replicas", p.url, len(members))
				}
			}
		})
		t.Run("IfMatch", func(t *testing.T) {
			t.Parallel()
			id := a.mustCall(t, 201, call{method: "POST", path: "/scim2/Users", body: `{"userName":"contested"}`})["id"].(string)
			var calls []call
			for i := range 20 {
				calls = append(calls, call{method: "PATCH", path: "/scim2/Users/" + id, header: map[string]string{"If-Match": `W/"1"`},
					body: patchOps(fmt.Sprintf(`{"op":"replace","path":"nickName","value":"n%d"}`, i))})
			}
			if codes := race(t, replicas, calls); codes[200] != 1 || codes[412] != 19 {
				t.Errorf("20 concurrent PATCHes with one If-Match on two replicas: %v, want one 200 and 19 412", codes)
			}
		})
		t.Run("Bulk", func(t *testing.T) {
			t.Parallel()
			var ops []string
			for i := range 20 {
				ops = append(ops, fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"u%d","data":{"userName":"bulk%d"}}`, i, i))
			}
			body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[` + strings.Join(ops, ",") + `]}`
			calls := []call{{method: "POST", path: "/scim2/Bulk", body: body}, {method: "POST", path: "/scim2/Bulk", body: body}}
			if codes := race(t, replicas, calls); codes[200] != 2 {
				t.Fatalf("two concurrent Bulk requests: %v", codes)
			}
			list := b.mustCall(t, 200, call{path: "/scim2/Users?filter=userName+sw+%22bulk%22&count=0"})
			if n, _ := list["totalResults"].(float64); n != 20 {
				t.Errorf("two Bulk requests creating the same 20 users on two replicas made %v users", list["totalResults"])
			}
		})
		t.Run("PasswordChange", func(t *testing.T) {
			t.Parallel()
			id := a.mustCall(t, 201, call{method: "POST", path: "/scim2/Users", body: `{"userName":"changer","password":"old-password"}`})["id"].(string)
			b.mustCall(t, 200, call{path: "/scim2/Me", user: "changer", password: "old-password"}) // now cached on b
			a.mustCall(t, 200, call{method: "PATCH", path: "/scim2/Users/" + id, body: patchOps(`{"op":"replace","path":"password","value":"new-password"}`)})
			b.mustCall(t, 200, call{path: "/scim2/Me", user: "changer", password: "new-password"})
			waitRejected(t, b, call{path: "/scim2/Me", user: "changer", password: "old-password"})
		})
		t.Run("TokenRevocation", func(t *testing.T) {
			t.Parallel()
			out := runCommand(t, "token", "create", "--db", dsn, "--scopes", "internal_user_mgt_list")
			var tok struct{ Token, ID string }
			if err := json.Unmarshal([]byte(out), &tok); err != nil {
				t.Fatalf("token create printed %s", out)
			}
			for _, p := range replicas {
				p.mustCall(t, 200, call{path: "/scim2/Users?count=1", bearer: tok.Token}) // now cached on both
			}
			runCommand(t, "token", "revoke", tok.ID, "--db", dsn)
			for _, p := range replicas {
				waitRejected(t, p, call{path: "/scim2/Users?count=1", bearer: tok.Token})
			}
		})
		t.Run("LoginThrottle", func(t *testing.T) {
			t.Parallel()
			a.mustCall(t, 201, call{method: "POST", path: "/scim2/Users", body: `{"userName":"victim","password":"right"}`})
			var calls []call
			for i := range 10 { // distinct guesses: one guess sent at once several times counts once
				calls = append(calls, call{path: "/scim2/Me", user: "victim", password: fmt.Sprintf("wrong-%d", i)})
			}
			if codes := race(t, replicas, calls); codes[401] != 10 {
				t.Fatalf("10 wrong passwords on two replicas: %v", codes)
			}
			for _, p := range replicas {
				if code, body, _ := p.call(call{path: "/scim2/Me", user: "victim", password: "right"}); code != 429 {
					t.Errorf("%s after 10 failed logins spread over two replicas: %d, want 429\n%s", p.url, code, body)
				}
			}
		})
		t.Run("SigningKeys", func(t *testing.T) {
			t.Parallel()
			// Neither replica has a key for the tenant yet: often both
			// make one at once, and each must accept the tokens the
			// other signs at once.
			for round := range 10 {
				tenant := fmt.Sprintf("keys%d.example.com", round)
				runCommand(t, "tenant", "create", tenant, "--admin-password", "pw", "--db", dsn)
				out := runCommand(t, "client", "create", "--db", dsn, "--tenant", tenant, "--name", "app", "--scopes", "internal_user_mgt_list")
				var c struct {
					ID     string `json:"client_id"`
					Secret string `json:"client_secret"`
				}
				if err := json.Unmarshal([]byte(out), &c); err != nil {
					t.Fatalf("client create printed %s", out)
				}
				tokens := make([]string, len(replicas))
				var wg sync.WaitGroup
				for i, p := range replicas {
					wg.Go(func() { tokens[i] = p.accessToken(tenant, c.ID, c.Secret) })
				}
				wg.Wait()
				for i, tok := range tokens {
					if tok == "" {
						t.Fatalf("no access token from replica %d", i)
					}
					replicas[1-i].mustCall(t, 200, call{path: "/t/" + tenant + "/scim2/Users?count=1", bearer: tok})
				}
			}
		})
	})
}

// accessToken gets a token of the client credentials grant, or "".
func (p *process) accessToken(tenant, id, secret string) string {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	resp, err := http.PostForm(p.url+"/t/"+tenant+"/oauth2/token", form)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	return tok.AccessToken
}

// credentialBound is how long a change of credentials made through one
// replica may take to reach another: auth.Cache's lifetime (5s), plus
// slack for a machine that other tests keep busy hashing passwords.
const credentialBound = 10 * time.Second

// waitRejected polls p with c until it answers 401, failing the test if
// that takes longer than credentialBound.
func waitRejected(t *testing.T, p *process, c call) {
	t.Helper()
	start := time.Now()
	for {
		code, body, err := p.call(c)
		if err != nil {
			t.Fatal(err)
		}
		if code == 401 {
			t.Logf("rejected by %s after %v", p.url, time.Since(start).Round(10*time.Millisecond))
			return
		}
		if code != 200 {
			t.Fatalf("%s: %d\n%s", p.url, code, body)
		}
		if time.Since(start) > credentialBound {
			t.Fatalf("%s still accepts a changed credential after %v", p.url, credentialBound)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runCommand runs a scimd command in-process and returns its output.
func runCommand(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr, func(string) string { return "" }); code != 0 {
		t.Fatalf("scimd %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	return stdout.String()
}
