package indicators

import (
	"context"
	"fmt"
	"time"

	"globaloffice/model"
)

// Closing records every result of a period (the whole catalog, every scope)
// as a new revision; reading a closed period returns its latest revision,
// whatever data arrived since.

// Close freezes the period's results as revision n+1 and returns n+1 and
// the number of results.
func (e *Engine) Close(ctx context.Context, p Period, by string) (int, int, error) {
	if p.Kind == "ytd" {
		return 0, 0, fmt.Errorf("close %s: a year-to-date period moves every day; close a day, week, month, quarter, year or date range", p)
	}
	rs, err := e.Compute(ctx, p, Selection{})
	if err != nil {
		return 0, 0, err
	}
	var last uint32
	if err := e.DB.Conn().QueryRow(ctx, `SELECT toUInt32(max(revision)) FROM results WHERE period = ?`, p.Name).Scan(&last); err != nil {
		return 0, 0, fmt.Errorf("close %s: %w", p, err)
	}
	rev := last + 1
	at := e.Now().UTC().Truncate(time.Second)
	b, err := e.DB.Conn().PrepareBatch(ctx, `INSERT INTO results (period, period_from, period_to, revision, closed_at, closed_by, indicator, scope, scope_id, unit, value, numerator, denominator, sample, ci_low, ci_high, target, status, previous, last_year, required)`)
	if err != nil {
		return 0, 0, fmt.Errorf("close %s: %w", p, err)
	}
	for _, r := range rs {
		if err := b.Append(p.Name, p.From, p.To, rev, at, by, r.Indicator, string(r.Scope), r.ScopeID, r.Unit, r.Value, r.Numerator, r.Denominator, r.Sample, r.CILow, r.CIHigh, r.Target, r.Status, r.Previous, r.LastYear, r.Required); err != nil {
			_ = b.Abort()
			return 0, 0, fmt.Errorf("close %s: %w", p, err)
		}
	}
	if err := b.Send(); err != nil {
		return 0, 0, fmt.Errorf("close %s: %w", p, err)
	}
	return int(rev), len(rs), nil
}

// Closed returns the frozen results of the period's latest revision (none
// when it was never closed), narrowed by sel.
func (e *Engine) Closed(ctx context.Context, p Period, sel Selection) ([]Result, error) {
	return e.ClosedRevision(ctx, p, 0, sel)
}

// ClosedRevision returns the results of one revision (0: the latest).
func (e *Engine) ClosedRevision(ctx context.Context, p Period, revision int, sel Selection) ([]Result, error) {
	if _, err := e.selected(sel); err != nil {
		return nil, err
	}
	q := `SELECT indicator, toString(scope), scope_id, unit, value, numerator, denominator, sample, ci_low, ci_high, target, toString(status), previous, last_year, required, revision, closed_at
FROM results WHERE period = ? AND revision = `
	args := []any{p.Name}
	if revision > 0 {
		q += "?"
		args = append(args, uint32(revision))
	} else {
		q += "(SELECT max(revision) FROM results WHERE period = ?)"
		args = append(args, p.Name)
	}
	rows, err := e.DB.Conn().Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("closed results of %s: %w", p, err)
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, id := range sel.Indicators {
		want[id] = true
	}
	var sites map[string]model.Site
	if sel.SiteID != "" {
		all, err := e.DB.Sites(ctx)
		if err != nil {
			return nil, err
		}
		if err := checkSite(sel.SiteID, all); err != nil {
			return nil, err
		}
		sites = map[string]model.Site{}
		for _, s := range all {
			sites[s.ID] = s
		}
	}
	var out []Result
	for rows.Next() {
		var r Result
		var scope string
		var rev uint32
		if err := rows.Scan(&r.Indicator, &scope, &r.ScopeID, &r.Unit, &r.Value, &r.Numerator, &r.Denominator, &r.Sample, &r.CILow, &r.CIHigh, &r.Target, &r.Status, &r.Previous, &r.LastYear, &r.Required, &rev, &r.ClosedAt); err != nil {
			return nil, fmt.Errorf("closed results of %s: %w", p, err)
		}
		r.Scope, r.Period, r.Revision = model.ScopeKind(scope), p.Name, int(rev)
		if len(want) > 0 && !want[r.Indicator] || sel.Scope != "" && r.Scope != sel.Scope {
			continue
		}
		if sel.SiteID != "" {
			s := sites[sel.SiteID]
			ok := r.Scope == model.ScopeNational || r.Scope == model.ScopeSite && r.ScopeID == s.ID ||
				r.Scope == model.ScopeDepartment && r.ScopeID == s.Department || r.Scope == model.ScopeRegion && r.ScopeID == s.Region
			if !ok {
				continue
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	e.Catalog.sortResults(out)
	return out, nil
}
