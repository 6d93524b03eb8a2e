package sqlstore

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// listStmts is how many prepared list statements a store keeps.
const listStmts = 64

// stmtCache keeps prepared read statements for query texts built at run
// time — a list's text follows its filter's shape, its values are bound —
// at most size of them, dropping the least recently used. Preparing is most
// of the cost of a selective query on SQLite (5× the run of a userName eq
// page); a hostile stream of shapes only cycles the cache.
type stmtCache struct {
	db     *sql.DB
	size   int
	mu     sync.Mutex
	byText map[string]*list.Element // of *cachedStmt
	lru    list.List                // most recently used first
}

type cachedStmt struct {
	text    string
	stmt    *sql.Stmt
	users   int  // queries starting on it
	dropped bool // out of the cache: closed by its last user
}

func newStmtCache(db *sql.DB, size int) *stmtCache {
	return &stmtCache{db: db, size: size, byText: map[string]*list.Element{}}
}

// query runs a read query on the statement prepared for its text. The
// rows keep the statement usable after the cache drops it: database/sql
// closes a statement only once its rows are closed.
func (c *stmtCache) query(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	s, err := c.acquire(ctx, text)
	if err != nil {
		return nil, err
	}
	defer c.release(s)
	return s.stmt.QueryContext(ctx, args...)
}

func (c *stmtCache) acquire(ctx context.Context, text string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.byText[text]; ok {
		c.lru.MoveToFront(e)
		s := e.Value.(*cachedStmt)
		s.users++
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()

	// Prepare outside the lock: it takes a connection and parses.
	stmt, err := c.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byText[text]; ok { // prepared meanwhile by another query
		stmt.Close()
		s := e.Value.(*cachedStmt)
		s.users++
		return s, nil
	}
	s := &cachedStmt{text: text, stmt: stmt, users: 1}
	c.byText[text] = c.lru.PushFront(s)
	for c.lru.Len() > c.size {
		old := c.lru.Remove(c.lru.Back()).(*cachedStmt)
		delete(c.byText, old.text)
		old.dropped = true
		if old.users == 0 {
			old.stmt.Close()
		}
	}
	return s, nil
}

func (c *stmtCache) release(s *cachedStmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.users--
	if s.users == 0 && s.dropped {
		s.stmt.Close()
	}
}
