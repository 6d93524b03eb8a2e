package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/store/sqlstore/pgtest"
)

// binary is the scimd executable built once for the tests that run it as a
// separate process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scimd-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "scimd")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building scimd: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	pgtest.Done() // stop the PostgreSQL that tests needing one started, if any
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running "scimd serve".
type process struct {
	cmd *exec.Cmd
	url string
	out string // the file its standard output goes to
	log string // what it logged until it listened
}

// stdout returns what the process wrote to its standard output so far. The
// process writes to the file directly, so what it wrote before logging a
// line on stderr is there when the test reads that line.
func (p *process) stdout() string {
	b, _ := os.ReadFile(p.out)
	return string(b)
}

var listeningRE = regexp.MustCompile(`addr=(\S+)`)

// start runs scimd serve with args in dir and waits until it listens.
func start(t *testing.T, dir string, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	p := &process{cmd: cmd, out: filepath.Join(t.TempDir(), "stdout")}
	out, err := os.Create(p.out)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout = out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stderr)
	deadline := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for lines.Scan() {
		p.log += lines.Text() + "\n"
		if m := listeningRE.FindStringSubmatch(lines.Text()); m != nil && strings.Contains(lines.Text(), "scimd serving") {
			p.url = "http://" + m[1]
			go io.Copy(io.Discard, stderr)
			return p
		}
	}
	t.Fatalf("scimd serve did not start; stdout:\n%s", p.stdout())
	return nil
}

func (p *process) do(t *testing.T, method, path, user, password, body string) (int, string) {
	t.Helper()
	r, _ := http.NewRequest(method, p.url+path, strings.NewReader(body))
	r.SetBasicAuth(user, password)
	if body != "" {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var passwordRE = regexp.MustCompile(`with the password (\S+)`)

func TestServeBootstrapsAdminOnce(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir, nil)
	m := passwordRE.FindStringSubmatch(p.stdout())
	if m == nil || len(m[1]) < 20 {
		t.Fatalf("no generated password of at least 20 characters printed; stdout:\n%s", p.stdout())
	}
	if code, body := p.do(t, "GET", "/scim2/Users", "admin", m[1], ""); code != 200 || !strings.Contains(body, `"userName":"admin"`) {
		t.Fatalf("GET /scim2/Users as admin: %d %s", code, body)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("scimd exited with %v after SIGTERM, want a clean exit", err)
	}
	again := start(t, dir, nil, "--admin-password", "ignored-now")
	if strings.Contains(again.stdout(), "password") {
		t.Errorf("the second start printed a password:\n%s", again.stdout())
	}
	if code, _ := again.do(t, "GET", "/scim2/Users", "admin", m[1], ""); code != 200 {
		t.Errorf("the first password stopped working after a restart: %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "scimd.db")); err != nil {
		t.Errorf("the default database ./scimd.db was not created: %v", err)
	}
}

func TestServeConfiguration(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "scimd.yaml")
	os.WriteFile(cfg, []byte("db: sqlite:"+filepath.Join(dir, "from-config.db")+"\nbase-url: https://config.example.com\nadmin-password: from-config\n"), 0o600)
	// Flags after the command, an environment twin, and the config file;
	// the environment beats the file.
	p := start(t, dir, []string{"SCIMD_BASE_URL=https://env.example.com"}, "--config", cfg)
	code, body := p.do(t, "GET", "/scim2/Users", "admin", "from-config", "")
	if code != 200 || !strings.Contains(body, `"location":"https://env.example.com/scim2/Users/`) {
		t.Errorf("GET /scim2/Users: %d %s", code, body)
	}
	if _, err := os.Stat(filepath.Join(dir, "from-config.db")); err != nil {
		t.Errorf("the config file's db was not used: %v", err)
	}
	// A second server on the SQLite file is refused, and so are the other
	// commands that write its resources or schema: one process serves an
	// SQLite database (it keeps resources it read in memory).
	db, other := "sqlite:"+filepath.Join(dir, "from-config.db"), "sqlite:"+filepath.Join(dir, "other.db")
	getenv := func(string) string { return "" }
	if code := run(context.Background(), []string{"migrate", "--db", other}, io.Discard, io.Discard, getenv); code != exitOK {
		t.Fatalf("scimd migrate of an unserved database: exit %d", code)
	}
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--config", cfg},
		{"migrate", "--db", db},
		{"copy", "--from", other, "--to", db},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr, getenv); code == exitOK || !strings.Contains(stderr.String(), "in use by another scimd serve") {
			t.Errorf("scimd %s on the served database: exit %d, %s", args[0], code, stderr.String())
		}
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()
	// A flag beats the environment.
	q := start(t, dir, []string{"SCIMD_BASE_URL=https://env.example.com"}, "--config", cfg, "--base-url", "https://flag.example.com")
	if _, body := q.do(t, "GET", "/scim2/Users", "admin", "from-config", ""); !strings.Contains(body, "https://flag.example.com/scim2/Users/") {
		t.Errorf("--base-url did not win: %s", body)
	}
}

func TestRunUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(cfg, []byte("adress: 1.2.3.4:80\n"), 0o600)
	cases := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"no command", nil, nil, exitUsage, "usage"},
		{"unknown command", []string{"frobnicate"}, nil, exitUsage, `unknown command "frobnicate"`},
		{"plain HTTP on all interfaces", []string{"serve", "--addr", ":8080"}, nil, exitUsage, "--insecure-http"},
		{"plain HTTP on a public address", []string{"serve"}, map[string]string{"SCIMD_ADDR": "10.1.2.3:8080"}, exitUsage, "non-loopback"},
		{"half of TLS", []string{"serve", "--tls-cert", "c.pem"}, nil, exitUsage, "--tls-key"},
		{"unknown config key", []string{"serve", "--config", cfg}, nil, exitUsage, `unknown key "adress"`},
		{"missing config file", []string{"serve", "--config", filepath.Join(dir, "none.yaml")}, nil, exitUsage, "none.yaml"},
		{"serve takes no arguments", []string{"serve", "extra"}, nil, exitUsage, "no arguments"},
		{"bad log level", []string{"serve", "--log-level", "loud", "--db", "sqlite:" + filepath.Join(dir, "x.db")}, nil, exitUsage, "log-level"},
		{"tenant without password", []string{"tenant", "create", "example.com"}, nil, exitUsage, "--admin-password"},
		{"tenant with a bad domain", []string{"tenant", "create", "bad domain!", "--admin-password", "x"}, nil, exitUsage, "not a domain"},
		{"help", []string{"help"}, nil, exitOK, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			getenv := func(k string) string { return c.env[k] }
			code := run(context.Background(), c.args, &stdout, &stderr, getenv)
			if code != c.code || !strings.Contains(stderr.String()+stdout.String(), c.want) {
				t.Errorf("exit %d, want %d; output does not mention %q:\n%s%s", code, c.code, c.want, stdout.String(), stderr.String())
			}
		})
	}
}

func TestTenantCreate(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "scimd.db")
	var out, errb bytes.Buffer
	// Flags before and after the positional arguments.
	if code := run(context.Background(), []string{"tenant", "--db", db, "create", "Test.com", "--admin-password", "kimpass"}, &out, &errb, os.Getenv); code != 0 {
		t.Fatalf("tenant create: exit %d\n%s", code, errb.String())
	}
	if code := run(context.Background(), []string{"tenant", "create", "test.com", "--admin-password", "x", "--db", db}, &out, &errb, os.Getenv); code != exitError || !strings.Contains(errb.String(), "exists") {
		t.Errorf("second tenant create: exit %d, %s", code, errb.String())
	}
	p := start(t, dir, nil, "--db", db)
	body := `{"schemas":[],"name":{"familyName":"jayawardana","givenName":"vindula"},"userName":"pavinaa","password":"vindula","emails":[{"primary":true,"value":"vindula_home.com","type":"home"},{"value":"vindula_work.com","type":"work"}]}`
	if code, resp := p.do(t, "POST", "/t/test.com/scim2/Users", "admin@test.com", "kimpass", body); code != 201 {
		t.Errorf("POST /t/test.com/scim2/Users as admin@test.com: %d %s", code, resp)
	}
}

// TestCrashDurability kills scimd with SIGKILL while it is writing and
// checks that every write it acknowledged survived.
func TestCrashDurability(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir, nil, "--admin-password", "pw")
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("w%d-u%d", w, i)
				r, _ := http.NewRequest("POST", p.url+"/scim2/Users", strings.NewReader(`{"userName":"`+name+`"}`))
				r.SetBasicAuth("admin", "pw")
				r.Header.Set("Content-Type", "application/scim+json")
				resp, err := http.DefaultClient.Do(r)
				if err != nil {
					return // the server died
				}
				resp.Body.Close()
				if resp.StatusCode == 201 {
					mu.Lock()
					acked = append(acked, name)
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	p.cmd.Process.Signal(syscall.SIGKILL)
	close(stop)
	wg.Wait()
	p.cmd.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d writes acknowledged before the kill", len(acked))
	}
	q := start(t, dir, nil)
	code, body := q.do(t, "GET", "/scim2/Users?count=0", "admin", "pw", "")
	var total int
	fmt.Sscanf(body[strings.Index(body, `"totalResults":`)+len(`"totalResults":`):], "%d", &total)
	if code != 200 || total < len(acked)+1 {
		t.Fatalf("after kill -9 and restart: %d users (status %d), but %d creates were acknowledged", total, code, len(acked))
	}
	t.Logf("%d acknowledged creates, %d users after the restart", len(acked), total-1)
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeSelfSigned(t, cert, key)
	p := start(t, dir, nil, "--tls-cert", cert, "--tls-key", key, "--admin-password", "pw")
	p.url = strings.Replace(p.url, "http://", "https://", 1)
	pool := x509.NewCertPool()
	certPEM, _ := os.ReadFile(cert)
	pool.AppendCertsFromPEM(certPEM)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	r, _ := http.NewRequest("GET", p.url+"/scim2/Users", nil)
	r.SetBasicAuth("admin", "pw")
	resp, err := hc.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"location":"https://127.0.0.1:`) {
		t.Errorf("GET over TLS: %d %s", resp.StatusCode, b)
	}
}

// writeSelfSigned writes a certificate for 127.0.0.1 and its key.
func writeSelfSigned(t *testing.T, certFile, keyFile string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "scimd test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestClientAndTokenCommands(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "scimd.db")
	runOK := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb, func(string) string { return "" }); code != 0 {
			t.Fatalf("scimd %v: exit %d\n%s", args, code, errb.String())
		}
		return out.String()
	}
	// The server must have bootstrapped the database first.
	start(t, dir, nil, "--db", db, "--admin-password", "pw").cmd.Process.Kill()
	var c struct{ ClientID, ClientSecret string }
	out := runOK("client", "create", "--db", db, "--name", "ballerina", "--scopes", "internal_user_mgt_list internal_user_mgt_create")
	if err := json.Unmarshal([]byte(strings.ReplaceAll(strings.ReplaceAll(out, "client_id", "ClientID"), "client_secret", "ClientSecret")), &c); err != nil || c.ClientID == "" || len(c.ClientSecret) < 40 {
		t.Fatalf("client create printed %s", out)
	}
	var tok struct{ Token, ID string }
	out = runOK("token", "create", "--db", db, "--scopes", "internal_user_mgt_list", "--profile", "entra", "--expires", "30d")
	if err := json.Unmarshal([]byte(out), &tok); err != nil || !strings.HasPrefix(tok.Token, "scimd_") {
		t.Fatalf("token create printed %s", out)
	}
	p := start(t, dir, nil, "--db", db)
	get := func(header string) int {
		r, _ := http.NewRequest("GET", p.url+"/scim2/Users", nil)
		r.Header.Set("Authorization", header)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("Bearer " + tok.Token); code != 200 {
		t.Errorf("GET with the API token: %d", code)
	}
	list := runOK("token", "list", "--db", db)
	if !strings.Contains(list, tok.ID) || strings.Contains(list, tok.Token) {
		t.Errorf("token list = %s", list)
	}
	runOK("token", "revoke", tok.ID, "--db", db)
	time.Sleep(5500 * time.Millisecond) // the server's credential cache lives at most 5s
	if code := get("Bearer " + tok.Token); code != 401 {
		t.Errorf("GET with the revoked token: %d, want 401", code)
	}
	form := "grant_type=client_credentials&client_id=" + c.ClientID + "&client_secret=" + c.ClientSecret
	resp, err := http.Post(p.url+"/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("token endpoint: %v %v", resp, err)
	}
	resp.Body.Close()
	var errb bytes.Buffer
	for _, args := range [][]string{
		{"client", "create", "--db", db, "--name", "x", "--scopes", "internal_root"},
		{"token", "create", "--db", db, "--scopes", "internal_user_mgt_list", "--tenant", "nowhere.org"},
		{"token", "create", "--db", db, "--scopes", "internal_user_mgt_list", "--expires", "forever"},
		{"token", "revoke", "no-such-id", "--db", db},
	} {
		if code := run(context.Background(), args, &bytes.Buffer{}, &errb, func(string) string { return "" }); code == 0 {
			t.Errorf("scimd %v succeeded", args)
		}
	}
}
