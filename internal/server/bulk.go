package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// bulkWorkers is how many independent operations of a Bulk request run at
// once: enough for the store to commit many creates together.
const bulkWorkers = 64

// bulkOp is one operation of a Bulk request as it is processed.
type bulkOp struct {
	index   int
	method  string // upper case
	path    string // as sent, references resolved when run
	bulkID  string
	version string
	data    any
	rt      *schema.ResourceType
	target  string   // the id in the path ("" for POST), maybe "bulkId:x"
	refs    []string // bulkIds this operation references
	after   []int    // operations on the same target that precede it
	result  *scim.BulkResult
	// deferred is set for a POST created without the references a cycle
	// left unresolved; it is completed by a PUT of its full data at the end.
	deferred bool
}

// bulk serves POST /Bulk (RFC 7644 §3.7).
func (s *Server) bulk(w http.ResponseWriter, r *http.Request, req *request) error {
	raw, err := s.readBulkBody(r)
	if err != nil {
		return err
	}
	// A Bulk request's operations run concurrently already, and decoded
	// they take ten times its size in memory: many more Bulk requests at
	// once than there are CPUs (or, on PostgreSQL, than commits in
	// flight) only add to the memory used. The body is read before
	// waiting, so a slow upload holds no slot.
	wait := time.NewTimer(bulkSlotWait)
	defer wait.Stop()
	select {
	case s.bulkSlots <- struct{}{}:
		defer func() { <-s.bulkSlots }()
	case <-wait.C:
		return &retryError{status: http.StatusServiceUnavailable, detail: "too many Bulk requests are running; try again shortly", after: time.Second}
	case <-r.Context().Done():
		return r.Context().Err()
	}
	ops, failOnErrors, err := s.decodeBulk(raw)
	if err != nil {
		return err
	}
	b := &bulkRun{s: s, req: req, ops: ops, failOnErrors: failOnErrors, ids: map[string]string{}, failed: map[string]string{}}
	b.run(r.Context())
	resp := scim.BulkResponse{Schemas: []string{scim.BulkResponseMessage}, Operations: []scim.BulkResult{}}
	for _, op := range ops {
		if op.result != nil {
			resp.Operations = append(resp.Operations, *op.result)
		}
	}
	s.writeJSON(w, r, http.StatusOK, resp)
	return nil
}

// bulkSlotWait is how long a Bulk request waits for a slot before it is
// answered 503: within the server's write timeout with time to run.
const bulkSlotWait = 60 * time.Second

// readBulkBody reads a BulkRequest's body within maxPayloadSize (413
// naming the limit).
func (s *Server) readBulkBody(r *http.Request) ([]byte, error) {
	limit := s.limits.MaxPayloadSize
	tooBig := &scim.Error{Status: http.StatusRequestEntityTooLarge,
		Detail: fmt.Sprintf("the Bulk request exceeds maxPayloadSize (%d bytes; see /ServiceProviderConfig)", limit)}
	if r.ContentLength > limit {
		return nil, tooBig
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, scim.BadRequest(scim.InvalidSyntax, "reading the request body: %v", err)
	}
	if int64(len(b)) > limit {
		return nil, tooBig
	}
	return b, nil
}

// decodeBulk decodes a BulkRequest; maxOperations is checked before any
// operation runs (413 naming the limit).
func (s *Server) decodeBulk(b []byte) ([]*bulkOp, int, error) {
	v, err := decodeJSON(b)
	if err != nil {
		return nil, 0, err
	}
	body, ok := v.(map[string]any)
	if !ok {
		return nil, 0, scim.BadRequest(scim.InvalidSyntax, "the request body must be a BulkRequest object, not %s", jsonKind(v))
	}
	return s.parseBulk(body)
}

func (s *Server) parseBulk(body map[string]any) ([]*bulkOp, int, error) {
	var rawOps []any
	failOnErrors := 0
	for k, v := range body {
		switch strings.ToLower(k) {
		case "schemas":
			if list, _ := v.([]any); !slices.ContainsFunc(list, func(x any) bool { s, _ := x.(string); return strings.EqualFold(s, scim.BulkRequestMessage) }) {
				return nil, 0, scim.BadRequest(scim.InvalidSyntax, `a BulkRequest's "schemas" must be [%q]`, scim.BulkRequestMessage)
			}
		case "failonerrors":
			n, ok := v.(json.Number)
			i, err := n.Int64()
			if !ok || err != nil || i < 1 {
				return nil, 0, scim.BadRequest(scim.InvalidValue, "failOnErrors must be a positive integer")
			}
			failOnErrors = int(i)
		case "operations":
			list, ok := v.([]any)
			if !ok {
				return nil, 0, scim.BadRequest(scim.InvalidSyntax, `"Operations" must be an array`)
			}
			rawOps = list
		default:
			return nil, 0, scim.BadRequest(scim.InvalidSyntax, "a BulkRequest has no member %q", k)
		}
	}
	if len(rawOps) == 0 {
		return nil, 0, scim.BadRequest(scim.InvalidSyntax, `a BulkRequest needs "Operations": a non-empty array`)
	}
	if len(rawOps) > s.limits.MaxOperations {
		return nil, 0, &scim.Error{Status: http.StatusRequestEntityTooLarge, Type: scim.TooMany,
			Detail: fmt.Sprintf("the Bulk request has %d operations; maxOperations is %d (see /ServiceProviderConfig)", len(rawOps), s.limits.MaxOperations)}
	}
	ops := make([]*bulkOp, len(rawOps))
	for i, raw := range rawOps {
		ops[i] = s.parseBulkOp(i, raw)
	}
	return ops, failOnErrors, nil
}

// parseBulkOp reads one operation; what is wrong with it becomes its
// result, not an error of the whole request.
func (s *Server) parseBulkOp(i int, raw any) *bulkOp {
	op := &bulkOp{index: i}
	m, ok := raw.(map[string]any)
	if !ok {
		op.fail(scim.BadRequest(scim.InvalidSyntax, "operation %d is not an object", i))
		return op
	}
	for k, v := range m {
		str, _ := v.(string)
		switch strings.ToLower(k) {
		case "method":
			op.method = strings.ToUpper(str)
		case "path":
			op.path = str
		case "bulkid":
			op.bulkID = str
		case "version":
			op.version = str
		case "data":
			op.data = v
		}
	}
	if err := s.checkBulkOp(op); err != nil {
		op.fail(err)
	}
	return op
}

func (s *Server) checkBulkOp(op *bulkOp) error {
	switch op.method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	case "":
		return scim.BadRequest(scim.InvalidSyntax, `the operation has no "method"`)
	default:
		return &scim.Error{Status: http.StatusMethodNotAllowed, Detail: fmt.Sprintf("method %q is not one of POST, PUT, PATCH, DELETE", op.method)}
	}
	if op.path == "" {
		return scim.BadRequest(scim.InvalidSyntax, `the operation has no "path"`)
	}
	endpoint, target, _ := strings.Cut(strings.TrimPrefix(op.path, "/"), "/")
	op.rt, op.target = s.reg.ByEndpoint(endpoint), target
	switch {
	case op.rt == nil:
		return scim.BadRequest(scim.InvalidPath, "path %q names no resource type (%s)", op.path, s.endpoints())
	case op.method == http.MethodPost && target != "":
		return scim.BadRequest(scim.InvalidPath, "POST goes to a resource type's endpoint, such as /%s, not %q", endpoint, op.path)
	case op.method != http.MethodPost && (target == "" || strings.Contains(target, "/")):
		return scim.BadRequest(scim.InvalidPath, "%s needs the path of one resource, such as /%s/{id}, not %q", op.method, endpoint, op.path)
	case op.method == http.MethodPost && op.bulkID == "":
		return scim.BadRequest(scim.InvalidSyntax, "a POST operation needs a bulkId (RFC 7644 §3.7)")
	case op.method != http.MethodDelete:
		if _, ok := op.data.(map[string]any); !ok {
			return scim.BadRequest(scim.InvalidSyntax, `%s needs "data": a JSON object`, op.method)
		}
	}
	op.refs = references(op.data, op.target)
	return nil
}

func (s *Server) endpoints() string {
	var eps []string
	for _, rt := range s.reg.ResourceTypes() {
		eps = append(eps, rt.Endpoint)
	}
	return strings.Join(eps, ", ")
}

// fail records an error as the operation's result.
func (op *bulkOp) fail(err error) {
	se, _ := scimError(err)
	op.result = &scim.BulkResult{Method: op.method, BulkID: op.bulkID, Status: scim.BulkStatus(se.Status), Response: se}
}

const bulkRef = "bulkId:"

// references returns the bulkIds an operation refers to: "bulkId:x"
// strings anywhere in its data, and in its target.
func references(data any, target string) []string {
	var out []string
	add := func(s string) {
		if id, ok := strings.CutPrefix(s, bulkRef); ok && id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	add(target)
	walkStrings(data, func(s string) string { add(s); return s })
	return out
}

// walkStrings replaces every string value (not key) in v by f's result.
func walkStrings(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case map[string]any:
		for k, e := range x {
			x[k] = walkStrings(e, f)
		}
	case []any:
		for i, e := range x {
			x[i] = walkStrings(e, f)
		}
	}
	return v
}

// bulkRun executes the operations of one request.
type bulkRun struct {
	s            *Server
	req          *request
	ops          []*bulkOp
	failOnErrors int

	mu     sync.Mutex
	ids    map[string]string // bulkId → created id
	failed map[string]string // bulkId → why it failed
	errors int
}

// run executes the operations in dependency order, in waves of
// operations whose references are resolved.
func (b *bulkRun) run(ctx context.Context) {
	b.prepare()
	pending := slices.DeleteFunc(slices.Clone(b.ops), func(op *bulkOp) bool { return op.result != nil })
	for len(pending) > 0 && !b.stopped() {
		ready, rest := b.ready(pending)
		if len(ready) == 0 {
			ready, rest = b.breakCycle(rest)
		}
		b.runWave(ctx, ready)
		pending = rest
	}
	b.complete(ctx)
}

// prepare counts the errors of malformed operations and checks bulkIds:
// duplicates, and references to bulkIds the request doesn't define.
func (b *bulkRun) prepare() {
	defined := map[string]int{}
	for _, op := range b.ops {
		if op.bulkID == "" {
			continue
		}
		if first, dup := defined[op.bulkID]; dup && op.result == nil {
			op.fail(scim.BadRequest(scim.InvalidValue, "bulkId %q is also the bulkId of operation %d", op.bulkID, first))
			continue
		}
		defined[op.bulkID] = op.index
	}
	last := map[string]int{} // target → the last operation on it so far
	for _, op := range b.ops {
		if op.result == nil {
			for _, ref := range op.refs {
				if _, ok := defined[ref]; !ok {
					op.fail(scim.BadRequest(scim.InvalidValue, "bulkId %q is not the bulkId of any operation of this request", ref))
					break
				}
			}
		}
		key := op.target
		if op.method == http.MethodPost {
			key = bulkRef + op.bulkID
		}
		if i, ok := last[key]; ok && key != bulkRef {
			op.after = append(op.after, i)
		}
		last[key] = op.index
		if op.result != nil {
			b.errors++
		}
	}
}

func (b *bulkRun) stopped() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failOnErrors > 0 && b.errors >= b.failOnErrors
}

// ready splits the pending operations into those that can run now and the
// rest. An operation whose reference failed fails without running.
func (b *bulkRun) ready(pending []*bulkOp) (ready, rest []*bulkOp) {
	for _, op := range pending {
		if why := b.failedRef(op); why != "" {
			op.fail(&scim.Error{Status: http.StatusConflict, Detail: why})
			b.errors++
			continue
		}
		if b.resolved(op) && b.predecessorsDone(op) && (b.failOnErrors == 0 || len(ready) == 0) {
			ready = append(ready, op)
		} else {
			rest = append(rest, op)
		}
	}
	return ready, rest
}

func (b *bulkRun) failedRef(op *bulkOp) string {
	for _, ref := range op.refs {
		if why, ok := b.failed[ref]; ok {
			return fmt.Sprintf("the operation refers to bulkId %q, whose operation failed: %s", ref, why)
		}
	}
	return ""
}

func (b *bulkRun) resolved(op *bulkOp) bool {
	for _, ref := range op.refs {
		if _, ok := b.ids[ref]; !ok {
			return false
		}
	}
	return true
}

func (b *bulkRun) predecessorsDone(op *bulkOp) bool {
	for _, i := range op.after {
		if b.ops[i].result == nil && !b.ops[i].deferred {
			return false
		}
	}
	return true
}

// breakCycle handles operations that wait on each other (RFC 7644 §3.7.1):
// the first POST among them is created without its unresolved references,
// and completed once everything else has run.
func (b *bulkRun) breakCycle(pending []*bulkOp) (ready, rest []*bulkOp) {
	for i, op := range pending {
		if op.method == http.MethodPost && b.predecessorsDone(op) {
			op.deferred = true
			return []*bulkOp{op}, append(slices.Clone(pending[:i]), pending[i+1:]...)
		}
	}
	for _, op := range pending { // references that can never resolve
		op.fail(&scim.Error{Status: http.StatusConflict, Detail: "the operation's bulkId references form a cycle no creation can break"})
		b.errors++
	}
	return nil, nil
}

// runWave runs independent operations: concurrently, so that the store
// commits them together, unless failOnErrors asks for one at a time.
func (b *bulkRun) runWave(ctx context.Context, ops []*bulkOp) {
	sem := make(chan struct{}, bulkWorkers)
	var wg sync.WaitGroup
	for _, op := range ops {
		if b.stopped() {
			return
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			b.execute(ctx, op)
		})
	}
	wg.Wait()
}

// execute runs one operation through the single-resource code path.
func (b *bulkRun) execute(ctx context.Context, op *bulkOp) {
	data, target := b.resolve(op.data, op.refs, op.deferred), b.resolveTarget(op.target)
	res, status, err := b.s.runOp(ctx, b.req, op, data, target)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		op.fail(err)
		b.errors++
		if op.bulkID != "" {
			b.failed[op.bulkID] = op.result.Response.Detail
		}
		return
	}
	op.result = &scim.BulkResult{Method: op.method, BulkID: op.bulkID, Status: scim.BulkStatus(status)}
	if res != nil {
		op.result.Version, op.result.Location = etag(res.Version), b.s.location(b.req, op.rt, res.ID)
		if op.bulkID != "" {
			b.ids[op.bulkID] = res.ID
		}
	}
}

// runOp checks the operation's permission and runs it.
func (s *Server) runOp(ctx context.Context, req *request, op *bulkOp, data map[string]any, id string) (*store.Resource, int, error) {
	sc := op.rt.Scopes
	need := map[string]string{http.MethodPost: sc.Create, http.MethodPut: sc.Update, http.MethodPatch: sc.Update, http.MethodDelete: sc.Delete}[op.method]
	if !req.who.has(need) {
		return nil, 0, &scim.Error{Status: http.StatusForbidden, Detail: "this operation needs the scope " + need + ", which " + req.who.name() + " does not hold"}
	}
	r := *req
	r.rt = op.rt
	var match func(int64) error
	if op.version != "" {
		match = ifMatchValue(op.version)
	}
	switch op.method {
	case http.MethodPost:
		res, err := s.createResource(ctx, &r, data, nil)
		return res, http.StatusCreated, err
	case http.MethodPut:
		res, err := s.replaceResource(ctx, &r, id, data, match, nil)
		return res, http.StatusOK, err
	case http.MethodPatch:
		res, err := s.applyPatch(ctx, &r, id, data, match, nil)
		return res, http.StatusOK, err
	}
	return nil, http.StatusNoContent, s.deleteResource(ctx, &r, id, match)
}

// resolve returns a copy of data with bulkId references replaced by the
// ids created; for a deferred POST, unresolved references are left out.
func (b *bulkRun) resolve(data any, refs []string, deferred bool) map[string]any {
	ids := make(map[string]string, len(refs)) // of the references data holds
	b.mu.Lock()
	for _, ref := range refs {
		if id, ok := b.ids[ref]; ok {
			ids[ref] = id
		}
	}
	b.mu.Unlock()
	cp, _ := deepCopyJSON(data).(map[string]any)
	walkStrings(cp, func(s string) string {
		if ref, ok := strings.CutPrefix(s, bulkRef); ok {
			if id, ok := ids[ref]; ok {
				return id
			}
		}
		return s
	})
	if deferred {
		if stripped, _ := stripRefs(cp); stripped != nil {
			cp = stripped.(map[string]any)
		}
	}
	return cp
}

func (b *bulkRun) resolveTarget(target string) string {
	ref, ok := strings.CutPrefix(target, bulkRef)
	if !ok {
		return target
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if id, ok := b.ids[ref]; ok {
		return id
	}
	return target
}

// stripRefs returns v without the values that still hold a bulkId
// reference. A complex value whose "value" is such a reference (a member,
// a manager) goes whole; drop reports that v itself goes.
func stripRefs(v any) (out any, drop bool) {
	switch x := v.(type) {
	case string:
		return x, strings.HasPrefix(x, bulkRef)
	case map[string]any:
		for k, e := range x {
			ne, d := stripRefs(e)
			switch {
			case d && k == "value":
				return nil, true
			case d:
				delete(x, k)
			default:
				x[k] = ne
			}
		}
		return x, false
	case []any:
		kept := []any{}
		for _, e := range x {
			if ne, d := stripRefs(e); !d {
				kept = append(kept, ne)
			}
		}
		return kept, false
	}
	return v, false
}

// complete finishes the POSTs created without their references: a PUT of
// their whole data, every reference now resolved.
func (b *bulkRun) complete(ctx context.Context) {
	for _, op := range b.ops {
		if !op.deferred || op.result == nil || op.result.Response != nil {
			continue
		}
		data := b.resolve(op.data, op.refs, false)
		id := b.ids[op.bulkID]
		r := *b.req
		r.rt = op.rt
		res, err := b.s.replaceResource(ctx, &r, id, data, nil, nil)
		if err != nil {
			op.fail(err)
			continue
		}
		op.result.Version = etag(res.Version)
	}
}

// deepCopyJSON copies decoded JSON.
func deepCopyJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopyJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopyJSON(e)
		}
		return out
	}
	return v
}

// ifMatchValue is the precondition of a Bulk operation's "version".
func ifMatchValue(version string) func(int64) error {
	e := parseETags(version)
	return func(v int64) error {
		if !e.match(v) {
			return store.ErrVersionMismatch
		}
		return nil
	}
}
