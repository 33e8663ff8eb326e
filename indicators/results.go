package indicators

import (
	"context"
	"fmt"
	"time"

	"globaloffice/model"
)

// Query asks for the results of one period.
type Query struct {
	Period    Period
	Selection Selection
	// Live computes from the stored events even when the period is closed.
	Live bool
	// Revision reads one revision of a closed period (0: the latest);
	// ignored when Live.
	Revision int
}

// Report is the answer to a Query: the results, ordered by the catalog,
// then national, regions, departments, sites, and where they come from.
// The slice is the caller's own; the values its pointers point to may be
// shared with the engine's cache of closed revisions: never modify them.
type Report struct {
	Period     Period     `json:"-"`
	Results    []Result   `json:"results"`
	Provenance Provenance `json:"provenance"`
}

// Provenance tells whether results are the frozen figures of a closed
// period or computed live from the data stored now.
type Provenance struct {
	Closed bool `json:"closed"`
	// Revision is the revision read, for closed results.
	Revision int `json:"revision,omitempty"`
	// Revisions is how many times the period was closed, so that live
	// figures of a closed period say so.
	Revisions  int       `json:"revisions"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	ClosedBy   string    `json:"closed_by,omitempty"`
	ComputedAt time.Time `json:"computed_at,omitzero"` // live results
}

// Results is the one way to read figures: a closed period's frozen results
// (its latest revision, or q.Revision), unless it was never closed or
// q.Live asks for the figures of the data stored now. Every consumer —
// command line, API, pages, exports, dashboards — reads through it, so a
// figure means the same everywhere.
func (e *Engine) Results(ctx context.Context, q Query) (Report, error) {
	sel, err := e.resolve(ctx, q.Selection)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Period: q.Period}
	if q.Period.Kind != "ytd" { // never closed: it moves every day
		if rep.Provenance.Revisions, err = e.revisionsOf(ctx, q.Period); err != nil {
			return Report{}, err
		}
	}
	if !q.Live && (q.Revision < 0 || q.Revision > rep.Provenance.Revisions) {
		return Report{}, fmt.Errorf("period %s has no revision %d (closed %d times): %w", q.Period, q.Revision, rep.Provenance.Revisions, ErrNoRevision)
	}
	// Breakdowns are not kept with closed periods: always live.
	if q.Live || rep.Provenance.Revisions == 0 || q.Selection.By != "" {
		rep.Provenance.ComputedAt = e.Now().UTC().Truncate(time.Second)
		rep.Results, err = e.compute(ctx, q.Period, sel)
	} else {
		rev := q.Revision
		if rev == 0 {
			rev = rep.Provenance.Revisions
		}
		var c *closedRevision
		if c, err = e.closedRevision(ctx, q.Period, rev); err != nil {
			return Report{}, err
		}
		rep.Provenance.Closed, rep.Provenance.Revision = true, rev
		rep.Provenance.ClosedAt, rep.Provenance.ClosedBy = c.at, c.by
		rep.Results = make([]Result, 0, len(c.results))
		for i := range c.results {
			if sel.keep(&c.results[i]) {
				rep.Results = append(rep.Results, c.results[i])
			}
		}
		return rep, nil
	}
	if err != nil {
		return Report{}, err
	}
	e.Catalog.sortResults(rep.Results)
	return rep, nil
}

// Keep keeps, in place, the results a reader may see: seen is asked of
// each with its scope, whether its indicator is published, whether the
// period is closed and whether its sample is enough — the shape of
// auth.Principal.SeesResult, so that every consumer applies the same rule.
func (r *Report) Keep(cat *Catalog, seen func(scope model.ScopeKind, scopeID string, published, closed, enoughSample bool) bool) {
	kept := r.Results[:0] // the report's own slice (see Report)
	for i := range r.Results {
		res := &r.Results[i]
		if d, ok := cat.Get(res.Indicator); ok && seen(res.Scope, res.ScopeID, d.Published, r.Provenance.Closed, res.Status != StatusInsufficientData) {
			kept = append(kept, *res)
		}
	}
	r.Results = kept
}
