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

// Close computes every result of the period from the data stored now and
// freezes them as revision n+1, recorded with who closed it and when; it
// returns the report of that revision.
func (e *Engine) Close(ctx context.Context, p Period, by string) (Report, error) {
	if p.Kind == "ytd" {
		return Report{}, fmt.Errorf("close %s: a year-to-date period moves every day; close a day, week, month, quarter, year or date range", p)
	}
	rep, err := e.Results(ctx, Query{Period: p, Live: true})
	if err != nil {
		return Report{}, err
	}
	rev := rep.Provenance.Revisions + 1
	at := e.Now().UTC().Truncate(time.Second)
	b, err := e.DB.Conn().PrepareBatch(ctx, `INSERT INTO results (period, period_from, period_to, revision, closed_at, closed_by, indicator, scope, scope_id, unit, value, numerator, denominator, sample, ci_low, ci_high, target, status, previous, last_year, required,
  version, version_since, previous_break, last_year_break, spread_sites, spread_min, spread_p10, spread_median, spread_p90, spread_max, spread_missed,
  respondents, distribution_scale, distribution_level, distribution_count)`)
	if err != nil {
		return Report{}, fmt.Errorf("close %s: %w", p, err)
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		r.Revision, r.ClosedAt = rev, at
		var since *time.Time
		if r.VersionSince != "" {
			t, err := time.Parse(time.DateOnly, r.VersionSince)
			if err != nil {
				return Report{}, fmt.Errorf("close %s: %s: version since: %w", p, r.Indicator, err)
			}
			since = &t
		}
		sp, ds := storedSpread(r.Spread), storedDistribution(r.Distribution)
		if err := b.Append(p.Name, p.From, p.To, uint32(rev), at, by, r.Indicator, string(r.Scope), r.ScopeID, r.Unit, r.Value, r.Numerator, r.Denominator, r.Sample, r.CILow, r.CIHigh, r.Target, r.Status, r.Previous, r.LastYear, r.Required,
			uint32(r.Version), since, r.PreviousBreak, r.LastYearBreak, sp.sites, sp.min, sp.p10, sp.median, sp.p90, sp.maxV, sp.missed,
			r.Respondents, ds.scales, ds.levels, ds.counts); err != nil {
			_ = b.Abort()
			return Report{}, fmt.Errorf("close %s: %w", p, err)
		}
	}
	if err := b.Send(); err != nil {
		return Report{}, fmt.Errorf("close %s: %w", p, err)
	}
	rep.Provenance = Provenance{Closed: true, Revision: rev, Revisions: rev, ClosedAt: at, ClosedBy: by}
	e.noteRevisions(p, rev)
	return rep, nil
}

// spreadColumns is a Spread as the results table holds it: all NULL
// without one.
type spreadColumns struct {
	sites, missed               *uint32
	min, p10, median, p90, maxV *float64
}

func storedSpread(s *Spread) spreadColumns {
	if s == nil {
		return spreadColumns{}
	}
	sites, missed := uint32(s.Sites), uint32(s.Missed)
	return spreadColumns{sites: &sites, missed: &missed, min: s.Min, p10: s.P10, median: s.Median, p90: s.P90, maxV: s.Max}
}

func (c spreadColumns) spread() *Spread {
	if c.sites == nil {
		return nil
	}
	s := &Spread{Sites: int(*c.sites), Min: c.min, P10: c.p10, Median: c.median, P90: c.p90, Max: c.maxV}
	if c.missed != nil {
		s.Missed = int(*c.missed)
	}
	return s
}

// Revisions is how many times a period was closed (0: never).
func (e *Engine) Revisions(ctx context.Context, p Period) (int, error) {
	var last uint32
	if err := e.DB.Conn().QueryRow(ctx, `SELECT toUInt32(max(revision)) FROM results WHERE period = ?`, p.Name).Scan(&last); err != nil {
		return 0, fmt.Errorf("revisions of %s: %w", p, err)
	}
	return int(last), nil
}

// readClosed reads every result of one revision of a closed period, and
// when and by whom it was closed.
func (e *Engine) readClosed(ctx context.Context, p Period, revision int) (*closedRevision, error) {
	rows, err := e.DB.Conn().Query(ctx, `SELECT indicator, toString(scope), scope_id, unit, value, numerator, denominator, sample, ci_low, ci_high, target, toString(status), previous, last_year, required, closed_at, closed_by,
  version, version_since, previous_break = 1, last_year_break = 1, spread_sites, spread_min, spread_p10, spread_median, spread_p90, spread_max, spread_missed,
  respondents, distribution_scale, distribution_level, distribution_count
FROM results WHERE period = ? AND revision = ?`, p.Name, uint32(revision))
	if err != nil {
		return nil, fmt.Errorf("closed results of %s: %w", p, err)
	}
	defer rows.Close()
	c := &closedRevision{}
	for rows.Next() {
		r := Result{Period: p.Name, Revision: revision}
		var scope string
		var version uint32
		var since *time.Time
		var sp spreadColumns
		var ds distributionColumns
		if err := rows.Scan(&r.Indicator, &scope, &r.ScopeID, &r.Unit, &r.Value, &r.Numerator, &r.Denominator, &r.Sample, &r.CILow, &r.CIHigh, &r.Target, &r.Status, &r.Previous, &r.LastYear, &r.Required, &r.ClosedAt, &c.by,
			&version, &since, &r.PreviousBreak, &r.LastYearBreak, &sp.sites, &sp.min, &sp.p10, &sp.median, &sp.p90, &sp.maxV, &sp.missed,
			&r.Respondents, &ds.scales, &ds.levels, &ds.counts); err != nil {
			return nil, fmt.Errorf("closed results of %s: %w", p, err)
		}
		r.Scope, c.at = model.ScopeKind(scope), r.ClosedAt
		r.Version, r.Spread, r.Distribution = int(version), sp.spread(), ds.distribution()
		if since != nil {
			r.VersionSince = since.Format(time.DateOnly)
		}
		c.results = append(c.results, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("closed results of %s: %w", p, err)
	}
	e.Catalog.sortResults(c.results)
	return c, nil
}

// ClosedPeriod is a period closed at least once, with its revisions.
type ClosedPeriod struct {
	Period    string     `json:"period"`
	From      string     `json:"from"` // first day, YYYY-MM-DD
	To        string     `json:"to"`   // last day
	Revisions []Revision `json:"revisions"`
}

// Revision is one closing of a period.
type Revision struct {
	Revision int       `json:"revision"`
	ClosedAt time.Time `json:"closed_at"`
	ClosedBy string    `json:"closed_by"`
	Results  int       `json:"results"`
}

// readClosedPeriods reads the closed periods and their revisions.
func (e *Engine) readClosedPeriods(ctx context.Context) ([]ClosedPeriod, error) {
	rows, err := e.DB.Conn().Query(ctx, `SELECT period, period_from, period_to, revision, min(closed_at) AS at, any(closed_by) AS who, toUInt64(count()) AS n
FROM results GROUP BY period, period_from, period_to, revision ORDER BY period_from DESC, period_to DESC, period, revision`)
	if err != nil {
		return nil, fmt.Errorf("closed periods: %w", err)
	}
	defer rows.Close()
	var out []ClosedPeriod
	for rows.Next() {
		var p ClosedPeriod
		var from, to time.Time
		var rev uint32
		var r Revision
		var n uint64
		if err := rows.Scan(&p.Period, &from, &to, &rev, &r.ClosedAt, &r.ClosedBy, &n); err != nil {
			return nil, fmt.Errorf("closed periods: %w", err)
		}
		r.Revision, r.Results = int(rev), int(n)
		if len(out) == 0 || out[len(out)-1].Period != p.Period {
			p.From, p.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
			out = append(out, p)
		}
		last := &out[len(out)-1]
		last.Revisions = append(last.Revisions, r)
	}
	return out, rows.Err()
}
