package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/scimd/scimd/scim"
)

// BulkOptions are the optional parameters of Execute.
type BulkOptions struct {
	// MaxOperations and MaxPayloadSize bound each request; 0 means the
	// service provider's advertised bulk.maxOperations and
	// bulk.maxPayloadSize, or 1000 and 1 MiB when it advertises none.
	MaxOperations  int
	MaxPayloadSize int

	// FailOnErrors stops Execute once this many operations have failed in
	// all (RFC 7644 §3.7.3); 0 runs every operation.
	FailOnErrors int

	// OneByOne, when the service provider does not support bulk requests,
	// sends the operations one by one as ordinary requests instead of
	// returning ErrBulkUnsupported. A reference to a bulkId is then
	// resolved only if the operation that defines it came earlier.
	OneByOne bool

	// Progress, if not nil, is called after each request with the number
	// of operations finished and the total.
	Progress func(done, total int)
}

// BulkItem is the outcome of one operation given to Execute.
type BulkItem struct {
	// Operation is the operation as sent: with a bulkId if it is a POST
	// that had none, and with references to resources created by earlier
	// requests replaced by their ids.
	Operation scim.BulkOperation

	// Result is the service provider's result; nil if the operation was
	// not sent or got no result.
	Result *scim.BulkResult

	// ID is the id of the resource the operation wrote, from the result's
	// location.
	ID string

	// Err is nil if the operation succeeded. Otherwise it is the
	// *scim.Error the service provider reported for it, the error of the
	// whole request, or an error wrapping ErrBulkNotRun.
	Err error
}

const (
	fallbackMaxOperations = 1000
	fallbackMaxPayload    = 1 << 20
)

// Execute runs ops, in order, in as many bulk requests as the service
// provider's limits require, and returns one BulkItem per operation.
//
// The size of each request is measured as encoded, not estimated. An
// operation that refers to another's bulkId is kept in the same request
// when the limits allow; when they do not, or when the reference is to an
// operation of an earlier request, the reference is replaced by the id of
// the created resource — or, if that operation failed, the operation is not
// sent and fails too.
//
// Execute returns ErrBulkUnsupported, before sending anything, if the
// service provider says it does not support bulk requests, unless
// BulkOptions.OneByOne asks it to send the operations as ordinary requests.
// It returns an error when a request as a whole fails, after which it sends
// nothing more; the items say what was done.
func (s *BulkService) Execute(ctx context.Context, ops []scim.BulkOperation, opts *BulkOptions) ([]BulkItem, error) {
	o, err := s.limits(ctx, opts)
	oneByOne := errors.Is(err, ErrBulkUnsupported) && o.OneByOne
	if err != nil && !oneByOne {
		return nil, err
	}
	r := newBulkRun(s, ops, o)
	if oneByOne {
		err = r.runOneByOne(ctx)
	} else {
		err = r.run(ctx)
	}
	r.finish()
	return r.items, err
}

func (s *BulkService) limits(ctx context.Context, opts *BulkOptions) (BulkOptions, error) {
	var o BulkOptions
	if opts != nil {
		o = *opts
	}
	cfg := s.client.providerConfig(ctx)
	if cfg != nil && !cfg.Bulk.Supported {
		return o, ErrBulkUnsupported
	}
	var adv scim.BulkConfig
	if cfg != nil {
		adv = cfg.Bulk
	}
	o.MaxOperations = firstPositive(o.MaxOperations, adv.MaxOperations, fallbackMaxOperations)
	o.MaxPayloadSize = firstPositive(o.MaxPayloadSize, adv.MaxPayloadSize, fallbackMaxPayload)
	return o, nil
}

func firstPositive(ns ...int) int {
	for _, n := range ns {
		if n > 0 {
			return n
		}
	}
	return 0
}

// bulkRun is the state of one Execute.
type bulkRun struct {
	s        *BulkService
	opts     BulkOptions
	items    []BulkItem
	refs     [][]string        // the bulkIds each operation refers to
	reach    []int             // the last operation each one refers to, or itself
	defined  map[string]int    // bulkId → the operation that defines it
	created  map[string]string // bulkId → id of the resource created
	failures int
	stop     error // why Execute stopped early
}

func newBulkRun(s *BulkService, ops []scim.BulkOperation, o BulkOptions) *bulkRun {
	r := &bulkRun{
		s: s, opts: o,
		items:   make([]BulkItem, len(ops)),
		refs:    make([][]string, len(ops)),
		reach:   make([]int, len(ops)),
		defined: make(map[string]int),
		created: make(map[string]string),
	}
	for i, op := range ops {
		r.items[i].Operation = op
		if op.BulkID != "" {
			r.defined[op.BulkID] = i
		}
	}
	for i := range r.items {
		op := &r.items[i].Operation
		if strings.EqualFold(op.Method, http.MethodPost) && op.BulkID == "" {
			op.BulkID = r.freshID(i)
			r.defined[op.BulkID] = i
		}
	}
	for i := range r.items {
		r.refs[i] = bulkRefs(r.items[i].Operation)
		r.reach[i] = i
		for _, ref := range r.refs[i] {
			if j, ok := r.defined[ref]; ok && j > r.reach[i] {
				r.reach[i] = j
			}
		}
	}
	return r
}

// freshID returns a bulkId for operation i that no operation uses.
func (r *bulkRun) freshID(i int) string {
	id := "op" + strconv.Itoa(i+1)
	for {
		if _, taken := r.defined[id]; !taken {
			return id
		}
		id += "_"
	}
}

func (r *bulkRun) run(ctx context.Context) error {
	for start := 0; start < len(r.items) && r.stop == nil; {
		batch, encs, next := r.nextBatch(start)
		if len(batch) > 0 {
			if err := r.send(ctx, batch, encs); err != nil {
				r.stop = fmt.Errorf("%w: an earlier bulk request failed", ErrBulkNotRun)
				return err
			}
		}
		if r.opts.FailOnErrors > 0 && r.failures >= r.opts.FailOnErrors {
			r.stop = fmt.Errorf("%w: failOnErrors limit of %d reached", ErrBulkNotRun, r.opts.FailOnErrors)
		}
		start = next
		if r.opts.Progress != nil {
			r.opts.Progress(start, len(r.items))
		}
	}
	return nil
}

// nextBatch chooses the operations of the request that starts at start,
// returning their indexes, their encodings and where the next request
// starts. It fills the request as far as the limits allow, then cuts it
// after the last operation that no earlier one in it refers beyond.
func (r *bulkRun) nextBatch(start int) (batch []int, encs [][]byte, next int) {
	size := r.envelopeSize()
	need, safe, safeNext := start, 0, start
	k := start
	for ; k < len(r.items); k++ {
		enc, ok := r.prepare(k)
		if ok {
			if len(batch) == r.opts.MaxOperations || size+len(enc)+1 > r.opts.MaxPayloadSize {
				break
			}
			batch, encs = append(batch, k), append(encs, enc)
			size += len(enc) + 1
			need = max(need, r.reach[k])
		}
		if need <= k {
			safe, safeNext = len(batch), k+1
		}
	}
	if k == len(r.items) || safe == 0 {
		return batch, encs, k
	}
	return batch[:safe], encs[:safe], safeNext
}

// prepare makes operation k ready to send and returns its encoding, or
// records why it cannot be sent.
func (r *bulkRun) prepare(k int) ([]byte, bool) {
	it := &r.items[k]
	if it.Err != nil {
		return nil, false
	}
	for _, ref := range r.refs[k] {
		j, ok := r.defined[ref]
		if !ok || j >= k || !r.finished(j) {
			continue // unknown to us, or sent in the same request
		}
		if _, ok := r.created[ref]; !ok {
			return nil, r.fail(it, fmt.Errorf("%w: it refers to bulkId %q, whose operation failed", ErrBulkNotRun, ref))
		}
	}
	it.Operation = rewriteRefs(it.Operation, r.created)
	enc, err := json.Marshal(it.Operation)
	if err != nil {
		return nil, r.fail(it, fmt.Errorf("%w: %v", ErrBulkNotRun, err))
	}
	if r.envelopeSize()+len(enc) > r.opts.MaxPayloadSize {
		return nil, r.fail(it, fmt.Errorf("%w: its %d bytes exceed the maxPayloadSize of %d",
			ErrBulkNotRun, len(enc), r.opts.MaxPayloadSize))
	}
	return enc, true
}

func (r *bulkRun) finished(j int) bool {
	return r.items[j].Result != nil || r.items[j].Err != nil
}

func (r *bulkRun) fail(it *BulkItem, err error) bool {
	it.Err = err
	r.failures++
	return false
}

const bulkPrefix = `{"schemas":["` + scim.BulkRequestMessage + `"],`

// envelopeSize is the size of a request body without its operations,
// with room for the largest failOnErrors.
func (r *bulkRun) envelopeSize() int {
	n := len(bulkPrefix) + len(`"Operations":[]}`)
	if r.opts.FailOnErrors > 0 {
		n += len(`"failOnErrors":,`) + len(strconv.Itoa(r.opts.FailOnErrors))
	}
	return n
}

func (r *bulkRun) send(ctx context.Context, batch []int, encs [][]byte) error {
	var body bytes.Buffer
	body.WriteString(bulkPrefix)
	if r.opts.FailOnErrors > 0 {
		fmt.Fprintf(&body, `"failOnErrors":%d,`, max(r.opts.FailOnErrors-r.failures, 1))
	}
	body.WriteString(`"Operations":[`)
	body.Write(bytes.Join(encs, []byte{','}))
	body.WriteString(`]}`)
	res, _, err := r.s.send(ctx, json.RawMessage(body.Bytes()))
	if err != nil {
		for _, k := range batch {
			r.items[k].Err = err
		}
		return err
	}
	r.match(batch, res.Operations)
	return nil
}

// match pairs the results of a request with its operations: by bulkId, and
// in order for results without one.
func (r *bulkRun) match(batch []int, results []scim.BulkResult) {
	byID := make(map[string]*scim.BulkResult)
	var rest []*scim.BulkResult
	for i := range results {
		if id := results[i].BulkID; id != "" {
			byID[id] = &results[i]
		} else {
			rest = append(rest, &results[i])
		}
	}
	for _, k := range batch {
		res := byID[r.items[k].Operation.BulkID]
		if res == nil && len(rest) > 0 {
			res, rest = rest[0], rest[1:]
		}
		r.record(k, res)
	}
}

func (r *bulkRun) record(k int, res *scim.BulkResult) {
	it := &r.items[k]
	if res == nil {
		it.Err = fmt.Errorf("%w: the service provider returned no result for it", ErrBulkNotRun)
		return
	}
	it.Result = res
	status := int(res.Status)
	if status >= 200 && status <= 299 {
		it.ID = resourceID(res.Location)
		if id := it.Operation.BulkID; id != "" && it.ID != "" {
			r.created[id] = it.ID
		}
		return
	}
	e := scim.Error{Status: status}
	if res.Response != nil {
		e = *res.Response
		e.Status = status
	}
	r.fail(it, &e)
}

// finish gives every operation that was not run the reason.
func (r *bulkRun) finish() {
	for i := range r.items {
		if !r.finished(i) && r.stop != nil {
			r.items[i].Err = r.stop
		}
	}
}

// resourceID returns the last path segment of a resource's location.
func resourceID(location string) string {
	u, err := url.Parse(location)
	if err != nil || u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return ""
	}
	return path.Base(u.Path)
}
