package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
)

// maxBatch bounds how many writes share one commit.
const maxBatch = 256

// writeFunc is one write; it runs inside a transaction (on SQLite, inside a
// savepoint of a transaction shared with other writes).
type writeFunc func(ctx context.Context, tx *sql.Tx) error

type writeReq struct {
	ctx  context.Context
	fn   writeFunc
	done chan error
}

// writer runs writes on a single connection and commits the writes that
// arrive while it is busy together: each in its own savepoint, so that one
// failing write rolls back alone, then one COMMIT — one fsync — for all.
// A write is acknowledged only after that commit.
//
// Changes to the substring index (attr_text, an FTS5 table) are the
// exception: FTS5 writes its pending changes out at every savepoint, a new
// segment (and merges) for every write, so each write's are collected
// (pending) and those of the writes that succeeded applied together
// after the last savepoint. Nothing reads attr_text inside a write.
//
// Being the only writer, it also keeps the store's rank buckets (if any)
// exact: it counts the index entries of each committed batch before
// acknowledging it, and builds buckets between batches.
type writer struct {
	db     *sql.DB
	store  *DB
	reqs   chan *writeReq
	builds chan rankIndex // rank buckets to build
	quit   chan struct{}
	log    *slog.Logger
}

func newWriter(db *sql.DB, store *DB, log *slog.Logger) *writer {
	w := &writer{db: db, store: store, reqs: make(chan *writeReq, maxBatch), builds: make(chan rankIndex, 16), quit: make(chan struct{}), log: log}
	go w.run()
	return w
}

// do runs fn in the next batch and waits for its commit.
func (w *writer) do(ctx context.Context, fn writeFunc) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case w.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-w.quit:
		return errClosed
	}
	// Once queued the write may commit whatever the caller's context does,
	// so its outcome is always awaited and reported.
	return <-r.done
}

func (w *writer) close() { close(w.quit) }

func (w *writer) run() {
	batch := make([]*writeReq, 0, maxBatch)
	for {
		select {
		case <-w.quit:
			return
		case ix := <-w.builds:
			w.build(ix)
			continue
		case r := <-w.reqs:
			batch = append(batch[:0], r)
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-w.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		w.commit(batch)
	}
}

// commit runs a batch in one transaction and reports each write's outcome.
func (w *writer) commit(batch []*writeReq) {
	errs := make([]error, len(batch))
	tx, err := w.db.Begin()
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	var text []textOp
	var ranks []rankOp
	for i, r := range batch {
		p := &pending{}
		if errs[i] = w.apply(tx, r, p); errs[i] == nil {
			text, ranks = append(text, p.text...), append(ranks, p.ranks...)
		}
		if errors.Is(errs[i], errSavepoint) {
			err = errs[i]
			break
		}
	}
	if err == nil {
		if err = w.store.applyText(context.Background(), tx, text); err != nil {
			err = fmt.Errorf("substring index: %w", err)
		}
	}
	if err != nil {
		tx.Rollback()
	} else {
		err = tx.Commit()
	}
	if err == nil && len(ranks) > 0 {
		if rerr := w.store.ranks.apply(context.Background(), w.db, ranks); rerr != nil {
			w.log.Warn("rank buckets dropped", "err", rerr)
		}
	}
	if err != nil {
		w.log.Error("commit failed", "err", err, "writes", len(batch))
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("commit: %w", err)
			}
		}
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// apply runs one write in a savepoint, rolling back to it on failure; what
// it leaves for the batch goes to p.
func (w *writer) apply(tx *sql.Tx, r *writeReq, p *pending) (err error) {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if _, err := tx.Exec("SAVEPOINT w"); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write panicked: %v", p)
			w.log.Error("write panicked", "panic", p)
		}
		if err != nil {
			if _, rerr := tx.Exec("ROLLBACK TO w"); rerr != nil {
				err = fmt.Errorf("%w: %w (and rolling the write back failed: %v)", errSavepoint, err, rerr)
			}
		}
		if _, rerr := tx.Exec("RELEASE w"); rerr != nil && !errors.Is(err, errSavepoint) {
			err = fmt.Errorf("%w: %v", errSavepoint, rerr)
		}
	}()
	return r.fn(context.WithValue(r.ctx, pendingKey{}, p), tx)
}

// errSavepoint is a write whose savepoint could not be rolled back or
// released: what it wrote can't be told apart from the rest of the batch,
// so the whole batch is rolled back.
var errSavepoint = errors.New("savepoint failed")

// requestBuild asks for the rank buckets of ix, unless the writer has
// enough to do already; it doesn't wait.
func (w *writer) requestBuild(ix rankIndex) {
	select {
	case w.builds <- ix:
	default:
	}
}

// build builds the rank buckets of ix, between batches: the index is
// then exactly what the counts of committed batches say.
func (w *writer) build(ix rankIndex) {
	if w.store.ranks.has(ix) {
		return // asked for twice
	}
	if err := w.store.ranks.build(context.Background(), w.db, ix); err != nil {
		w.log.Warn("building rank buckets failed", "index", ix.rtype+"."+ix.attr, "err", err)
	}
}
