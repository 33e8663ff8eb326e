package indicators

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"globaloffice/model"
)

// cache keeps what a long-running server reads on every request: the
// sites, each period's latest revision, and closed revisions' results,
// which never change once written. Sites and revision numbers are read
// again after Engine.CacheFor, so that a site imported or a period closed
// by another process shows within it; a closing by this engine shows at
// once. Without CacheFor (the command line) nothing is kept.
type cache struct {
	mu        sync.Mutex
	sites     []model.Site
	sitesAt   time.Time
	revisions map[string]cachedRevisions // by period name
	closed    map[closedKey]*closedRevision
	order     []closedKey // oldest first, for eviction
	periods   []ClosedPeriod
	periodsAt time.Time
	closings  atomic.Uint64 // closings made by this engine
}

// Closings counts the closings this engine made: what was derived from
// closed figures before a change of it may be stale (a page cache, say).
func (e *Engine) Closings() uint64 { return e.cache.closings.Load() }

type cachedRevisions struct {
	n  int
	at time.Time
}

type closedKey struct {
	period   string
	revision int
}

// closedRevision is every result of one revision of a closed period.
type closedRevision struct {
	results []Result
	at      time.Time
	by      string
}

// maxClosedRevisions bounds the cache: a quarter at every scope is about
// 1,500 results (well under a megabyte).
const maxClosedRevisions = 48

func (e *Engine) cached() bool { return e.CacheFor > 0 }

// Sites lists the sites, ordered by id, from the cache when fresh.
func (e *Engine) Sites(ctx context.Context) ([]model.Site, error) {
	if e.cached() {
		e.cache.mu.Lock()
		s, at := e.cache.sites, e.cache.sitesAt
		e.cache.mu.Unlock()
		if s != nil && time.Since(at) < e.CacheFor {
			return s, nil
		}
	}
	s, err := e.DB.Sites(ctx)
	if err != nil {
		return nil, err
	}
	if e.cached() {
		if s == nil {
			s = []model.Site{}
		}
		e.cache.mu.Lock()
		e.cache.sites, e.cache.sitesAt = s, time.Now()
		e.cache.mu.Unlock()
	}
	return s, nil
}

// revisionsOf is Revisions, from the cache when fresh.
func (e *Engine) revisionsOf(ctx context.Context, p Period) (int, error) {
	if e.cached() {
		e.cache.mu.Lock()
		r, ok := e.cache.revisions[p.Name]
		e.cache.mu.Unlock()
		if ok && time.Since(r.at) < e.CacheFor {
			return r.n, nil
		}
	}
	n, err := e.Revisions(ctx, p)
	if err != nil {
		return 0, err
	}
	e.noteRevisions(p, n)
	return n, nil
}

func (e *Engine) noteRevisions(p Period, n int) {
	if !e.cached() {
		return
	}
	e.cache.mu.Lock()
	if e.cache.revisions == nil {
		e.cache.revisions = map[string]cachedRevisions{}
	}
	e.cache.revisions[p.Name] = cachedRevisions{n, time.Now()}
	e.cache.periods = nil // a closing changes the list of closed periods
	e.cache.mu.Unlock()
	e.cache.closings.Add(1)
}

// ClosedPeriods lists the closed periods, the latest-starting first, each
// with its revisions in order; from the cache when fresh (the list is then
// shared: never modify it).
func (e *Engine) ClosedPeriods(ctx context.Context) ([]ClosedPeriod, error) {
	if e.cached() {
		e.cache.mu.Lock()
		ps, at := e.cache.periods, e.cache.periodsAt
		e.cache.mu.Unlock()
		if ps != nil && time.Since(at) < e.CacheFor {
			return ps, nil
		}
	}
	ps, err := e.readClosedPeriods(ctx)
	if err != nil || !e.cached() {
		return ps, err
	}
	if ps == nil {
		ps = []ClosedPeriod{}
	}
	e.cache.mu.Lock()
	e.cache.periods, e.cache.periodsAt = ps, time.Now()
	e.cache.mu.Unlock()
	return ps, nil
}

// closedRevision reads every result of a revision, from the cache when
// kept.
func (e *Engine) closedRevision(ctx context.Context, p Period, revision int) (*closedRevision, error) {
	k := closedKey{p.Name, revision}
	if e.cached() {
		e.cache.mu.Lock()
		c, ok := e.cache.closed[k]
		e.cache.mu.Unlock()
		if ok {
			return c, nil
		}
	}
	c, err := e.readClosed(ctx, p, revision)
	if err != nil || !e.cached() {
		return c, err
	}
	e.cache.mu.Lock()
	defer e.cache.mu.Unlock()
	if e.cache.closed == nil {
		e.cache.closed = map[closedKey]*closedRevision{}
	}
	if _, ok := e.cache.closed[k]; !ok {
		e.cache.closed[k] = c
		e.cache.order = append(e.cache.order, k)
		if len(e.cache.order) > maxClosedRevisions {
			delete(e.cache.closed, e.cache.order[0])
			e.cache.order = e.cache.order[1:]
		}
	}
	return c, nil
}
