package indicators

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// Series computes the selected indicators for many periods — the days or
// weeks of a breakdown, the months of a trend — in as few queries as the
// compiler allows: the periods that were never closed in batches of up to
// 250 per indicator and query, the closed ones through Results, so that a
// closed month shows its frozen figures as everywhere else. The periods
// must not overlap. Each report has the value, numerator, denominator,
// sample, interval, target and status of every selected scope; previous
// and last_year are left out of live ones (a series carries its own
// history). A point measured under another definition than the one before
// it (see version.go) has SeriesBreak set: no line joins them as a trend.
func (e *Engine) Series(ctx context.Context, periods []Period, sel Selection) ([]Report, error) {
	s, err := e.resolve(ctx, sel)
	if err != nil {
		return nil, err
	}
	out := make([]Report, len(periods))
	var live []int // indexes of the periods computed here
	for i, p := range periods {
		revs := 0
		if p.Kind != "ytd" {
			if revs, err = e.revisionsOf(ctx, p); err != nil {
				return nil, err
			}
		}
		if revs > 0 {
			if out[i], err = e.Results(ctx, Query{Period: p, Selection: sel}); err != nil {
				return nil, err
			}
			continue
		}
		live = append(live, i)
		out[i] = Report{Period: p, Provenance: Provenance{ComputedAt: e.Now().UTC().Truncate(time.Second)}}
	}
	if len(live) == 0 {
		flagBreaks(out)
		return out, nil
	}
	targets, err := LoadTargets(ctx, e.DB)
	if err != nil {
		return nil, err
	}
	merged, err := e.mergedMonths(ctx)
	if err != nil {
		return nil, err
	}
	comp := s.compiler(e.Compiler)
	comp.Merged = merged
	if comp.Starts, err = e.journeyWatermarks(ctx, s.defs); err != nil {
		return nil, err
	}
	const batch = 250 // the compiler's limit
	for start := 0; start < len(live); start += batch {
		idx := live[start:min(start+batch, len(live))]
		ps := make([]Period, len(idx))
		for k, i := range idx {
			ps[k] = periods[i]
		}
		bs := batches(s.defs)
		byBatch := make([][][]map[scopeKey]agg, len(bs))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(e.parallel())
		for b, defs := range bs {
			g.Go(func() error {
				res, err := e.batch(gctx, comp, defs, ps, merged)
				byBatch[b] = res
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return nil, fmt.Errorf("series: %w", err)
		}
		for b, defs := range bs {
			for j, d := range defs {
				for k, i := range idx {
					rs := evaluate(d, ps[k], []map[scopeKey]agg{byBatch[b][j][k], nil, nil}, s, targets)
					out[i].Results = append(out[i].Results, rs...)
				}
			}
		}
	}
	for _, i := range live {
		e.Catalog.sortResults(out[i].Results)
	}
	flagBreaks(out)
	return out, nil
}

// flagBreaks sets SeriesBreak on each result measured under another
// definition than the same indicator and scope at the point before, each
// placed by the version it was computed with (a closed month keeps its
// own).
func flagBreaks(reps []Report) {
	type key struct {
		indicator string
		scope     scopeKey
	}
	last := map[key]era{}
	for i := range reps {
		for j := range reps[i].Results {
			r := &reps[i].Results[j]
			k := key{r.Indicator, scopeKey{r.Scope, r.ScopeID}}
			now := eraOfResult(r, reps[i].Period)
			if before, ok := last[k]; ok {
				r.SeriesBreak = breaks(before, now)
			}
			last[k] = now
		}
	}
}

// Split cuts p into the periods of a breakdown: days ("day") or ISO weeks
// ("week"), the weeks at either end cut to p (named as a date range then,
// so that they are never mistaken for a whole week).
func (p Period) Split(unit string) []Period {
	var out []Period
	for d := p.From; !d.After(p.To); {
		switch unit {
		case "day":
			out = append(out, Period{Name: d.Format(time.DateOnly), Kind: "day", From: d, To: d})
			d = d.AddDate(0, 0, 1)
		default:
			mon := d.AddDate(0, 0, -(int(d.Weekday())+6)%7)
			end := mon.AddDate(0, 0, 6)
			if mon.Equal(d) && !end.After(p.To) {
				w := isoWeekOf(mon)
				out = append(out, Period{Name: fmt.Sprintf("%d-W%02d", w.year, w.week), Kind: "week", From: mon, To: end})
			} else {
				to := end
				if to.After(p.To) {
					to = p.To
				}
				out = append(out, Period{Name: d.Format(time.DateOnly) + ".." + to.Format(time.DateOnly), Kind: "range", From: d, To: to})
			}
			d = end.AddDate(0, 0, 1)
		}
	}
	return out
}

// Months is the n months ending with the one p ends in, oldest first.
func (p Period) Months(n int) []Period {
	last := date(p.To.Year(), p.To.Month(), 1)
	out := make([]Period, n)
	for i := range n {
		f := last.AddDate(0, i-n+1, 0)
		out[i] = Period{Name: f.Format("2006-01"), Kind: "month", From: f, To: f.AddDate(0, 1, -1)}
	}
	return out
}
