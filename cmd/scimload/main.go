// Command scimload drives load against a SCIM service provider and reports
// throughput and latency percentiles: a closed loop of a fixed number of
// workers over keep-alive connections, measured after a warm-up.
//
//	scimload -url http://127.0.0.1:8080/scim2 -user admin -password PW -scenario get-user -c 32 -d 20s
//
// Scenarios seed what they need (e.g. get-user creates -seed users first,
// or reuses users named by -prefix that exist already).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "scimload:", err)
		os.Exit(1)
	}
}

type config struct {
	url, user, password, token string
	scenario, prefix, out      string
	path                       string
	attr                       string
	concurrency, seed, runs    int
	groupSize, bulkSize, burst int
	duration, warmup           time.Duration
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var c config
	fs := flag.NewFlagSet("scimload", flag.ContinueOnError)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080/scim2", "SCIM base URL; several, comma-separated, take requests in turn (replicas of one database)")
	fs.StringVar(&c.user, "user", "admin", "Basic user name")
	fs.StringVar(&c.password, "password", "", "Basic password")
	fs.StringVar(&c.token, "token", "", "bearer token (instead of Basic)")
	fs.StringVar(&c.scenario, "scenario", "get-user", "workload: "+strings.Join(scenarioNames(), ", "))
	fs.StringVar(&c.prefix, "prefix", "load", "prefix of the user names the scenario creates and uses")
	fs.StringVar(&c.path, "path", "/ServiceProviderConfig", "path the get-path scenario requests")
	fs.StringVar(&c.attr, "attr", "userName", "attribute filter-eq compares with a seeded user's name: userName, or a URN-qualified extension attribute (indexed through scimd serve --schemas) that seed-bulk then sets to the name too")
	fs.StringVar(&c.out, "json", "", "also write the result as JSON to this file")
	fs.IntVar(&c.concurrency, "c", 32, "concurrent workers (connections)")
	fs.IntVar(&c.seed, "seed", 1000, "users to seed (or, with seed-bulk, to create) for read scenarios")
	fs.IntVar(&c.groupSize, "group-size", 0, "add-member: members the group starts with")
	fs.IntVar(&c.bulkSize, "bulk-size", 1000, "operations per Bulk request")
	fs.IntVar(&c.burst, "burst", 10000, "login-burst: failed logins to send")
	fs.DurationVar(&c.duration, "d", 20*time.Second, "measured duration (of each run)")
	fs.IntVar(&c.runs, "runs", 1, "measured runs, back to back after one warm-up; their median is reported too")
	fs.DurationVar(&c.warmup, "warmup", 3*time.Second, "unmeasured warm-up before the measurement")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.attr != "userName" && !strings.Contains(c.attr, ":") {
		return fmt.Errorf("-attr must be userName or a URN-qualified extension attribute, not %q", c.attr)
	}
	cl := newClient(c)
	if task, ok := tasks[c.scenario]; ok {
		return task(ctx, cl, c, stdout)
	}
	sc, ok := scenarios[c.scenario]
	if !ok {
		return fmt.Errorf("unknown scenario %q (have %s)", c.scenario, strings.Join(scenarioNames(), ", "))
	}
	op, err := sc(ctx, cl, c)
	if err != nil {
		return fmt.Errorf("seeding %s: %w", c.scenario, err)
	}
	if c.runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	runs := drive(ctx, c, op)
	for i := range runs {
		runs[i].Scenario = c.scenario
		runs[i].print(stdout)
	}
	report := struct {
		Runs   []result `json:"runs"`
		Median result   `json:"median"`
	}{Runs: runs, Median: median(runs)}
	if len(runs) > 1 {
		report.Median.print(stdout)
	}
	if c.out != "" {
		b, _ := json.MarshalIndent(report, "", "  ")
		return os.WriteFile(c.out, b, 0o644)
	}
	return nil
}

// op is one request of a scenario; worker is the caller's index and i
// counts its requests. It returns an error for a failed request.
type op func(ctx context.Context, worker, i int) error

// result is what a run measured.
type result struct {
	Scenario    string        `json:"scenario"`
	Concurrency int           `json:"concurrency"`
	Duration    time.Duration `json:"duration_ns"`
	Requests    int           `json:"requests"`
	Errors      int           `json:"errors"`
	PerSecond   float64       `json:"per_second"`
	P50         time.Duration `json:"p50_ns"`
	P90         time.Duration `json:"p90_ns"`
	P99         time.Duration `json:"p99_ns"`
	Max         time.Duration `json:"max_ns"`
	FirstError  string        `json:"first_error,omitempty"`
}

func (r result) print(w io.Writer) {
	fmt.Fprintf(w, "%-14s c=%d  %8.0f req/s  requests=%d errors=%d  p50=%v p90=%v p99=%v max=%v\n",
		r.Scenario, r.Concurrency, r.PerSecond, r.Requests, r.Errors,
		r.P50.Round(time.Microsecond), r.P90.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Max.Round(time.Microsecond))
	if r.FirstError != "" {
		fmt.Fprintf(w, "first error: %s\n", r.FirstError)
	}
}

// drive runs op in a closed loop on c.concurrency workers: an unmeasured
// warm-up, then c.runs measured periods of c.duration back to back. A
// request counts in the period in which it completes.
func drive(ctx context.Context, c config, o op) []result {
	var (
		window   atomic.Int32 // the period being measured; -1 for none
		errCount = make([]atomic.Int64, c.runs)
		firstErr = make([]atomic.Value, c.runs)
		wg       sync.WaitGroup
		lat      = make([][][]time.Duration, c.concurrency) // worker, period
	)
	window.Store(-1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := range c.concurrency {
		lat[w] = make([][]time.Duration, c.runs)
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				start := time.Now()
				err := o(ctx, w, i)
				d := time.Since(start)
				p := window.Load()
				if p < 0 || ctx.Err() != nil {
					continue
				}
				lat[w][p] = append(lat[w][p], d)
				if err != nil {
					errCount[p].Add(1)
					firstErr[p].CompareAndSwap(nil, err.Error())
				}
			}
		})
	}
	sleep(ctx, c.warmup)
	elapsed := make([]time.Duration, c.runs)
	for p := range c.runs {
		start := time.Now()
		window.Store(int32(p))
		sleep(ctx, c.duration)
		elapsed[p] = time.Since(start)
	}
	window.Store(-1)
	cancel()
	wg.Wait()
	out := make([]result, c.runs)
	for p := range out {
		var all []time.Duration
		for _, l := range lat {
			all = append(all, l[p]...)
		}
		slices.Sort(all)
		r := result{Concurrency: c.concurrency, Duration: elapsed[p], Requests: len(all), Errors: int(errCount[p].Load())}
		if len(all) > 0 {
			r.PerSecond = float64(len(all)) / elapsed[p].Seconds()
			r.P50, r.P90, r.P99, r.Max = pct(all, 50), pct(all, 90), pct(all, 99), all[len(all)-1]
		}
		if e, ok := firstErr[p].Load().(string); ok {
			r.FirstError = e
		}
		out[p] = r
	}
	return out
}

// median returns, field by field, the median of several runs' results.
func median(runs []result) result {
	pick := func(f func(result) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	dur := func(f func(result) time.Duration) time.Duration {
		return time.Duration(pick(func(r result) float64 { return float64(f(r)) }))
	}
	return result{
		Scenario:    runs[0].Scenario + " median",
		Concurrency: runs[0].Concurrency,
		Duration:    dur(func(r result) time.Duration { return r.Duration }),
		Requests:    int(pick(func(r result) float64 { return float64(r.Requests) })),
		Errors:      int(pick(func(r result) float64 { return float64(r.Errors) })),
		PerSecond:   pick(func(r result) float64 { return r.PerSecond }),
		P50:         dur(func(r result) time.Duration { return r.P50 }),
		P90:         dur(func(r result) time.Duration { return r.P90 }),
		P99:         dur(func(r result) time.Duration { return r.P99 }),
		Max:         dur(func(r result) time.Duration { return r.Max }),
	}
}

func pct(sorted []time.Duration, p int) time.Duration { return sorted[(len(sorted)-1)*p/100] }

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// client sends SCIM requests with the configured credentials.
type client struct {
	bases []string
	next  atomic.Uint64
	hc    *http.Client
	auth  func(*http.Request)
}

// base returns the base URL of a request: with several, each in turn.
func (cl *client) base() string {
	if len(cl.bases) == 1 {
		return cl.bases[0]
	}
	return cl.bases[cl.next.Add(1)%uint64(len(cl.bases))]
}

func newClient(c config) *client {
	tr := &http.Transport{MaxIdleConns: c.concurrency * 2, MaxIdleConnsPerHost: c.concurrency * 2, IdleConnTimeout: time.Minute}
	cl := &client{hc: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
	for u := range strings.SplitSeq(c.url, ",") {
		cl.bases = append(cl.bases, strings.TrimRight(strings.TrimSpace(u), "/"))
	}
	if c.token != "" {
		cl.auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+c.token) }
	} else {
		cl.auth = func(r *http.Request) { r.SetBasicAuth(c.user, c.password) }
	}
	return cl
}

// do sends a request and returns the body, or an error unless the status
// is want.
func (cl *client) do(ctx context.Context, method, path string, body []byte, want int) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	r, err := http.NewRequestWithContext(ctx, method, cl.base()+path, rd)
	if err != nil {
		return nil, err
	}
	cl.auth(r)
	if body != nil {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := cl.hc.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return b, &statusError{status: resp.StatusCode, retryAfter: time.Duration(secs) * time.Second,
			msg: fmt.Sprintf("%s %s: status %d: %.300s", method, path, resp.StatusCode, b)}
	}
	return b, nil
}

// statusError is a response with another status than the one wanted.
type statusError struct {
	status     int
	retryAfter time.Duration
	msg        string
}

func (e *statusError) Error() string { return e.msg }

// doPatiently is do, but tries again, up to 10 times, when the server asks
// to (429 or 503, after Retry-After): for seeding, not for measuring.
func (cl *client) doPatiently(ctx context.Context, method, path string, body []byte, want int) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		b, err := cl.do(ctx, method, path, body, want)
		var se *statusError
		if attempt == 10 || !errors.As(err, &se) || (se.status != http.StatusTooManyRequests && se.status != http.StatusServiceUnavailable) {
			return b, err
		}
		sleep(ctx, max(se.retryAfter, time.Second))
	}
}

var errSeed = errors.New("seeding failed")
