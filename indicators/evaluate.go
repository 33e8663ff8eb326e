package indicators

import (
	"math"
	"sort"
	"time"

	"globaloffice/model"
)

// Status of a result against its target.
const (
	StatusMet              = "met"
	StatusMissed           = "missed"
	StatusInsufficientData = "insufficient_data"
	StatusNoTarget         = "no_target"
)

// Result is one indicator for one scope and period.
type Result struct {
	Indicator   string          `json:"indicator"`
	Scope       model.ScopeKind `json:"scope"`
	ScopeID     string          `json:"scope_id"`
	Period      string          `json:"period"`
	Value       *float64        `json:"value"`
	Numerator   *float64        `json:"numerator"`
	Denominator *float64        `json:"denominator"`
	Sample      uint64          `json:"sample"`
	CILow       *float64        `json:"ci_low"`
	CIHigh      *float64        `json:"ci_high"`
	Target      *float64        `json:"target"`
	Status      string          `json:"status"`
	Previous    *float64        `json:"previous"`
	LastYear    *float64        `json:"last_year"`
	// Required is, for a year-to-date period with an annual target, the
	// value the rest of the year must reach for the year to meet it.
	Required *float64  `json:"required_rest_of_year"`
	Unit     string    `json:"unit"`
	Revision int       `json:"revision,omitempty"` // closed results only
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// Version is the definition's version the result was computed with
	// (a closed revision keeps its own), VersionSince the date it took
	// effect, YYYY-MM-DD (empty: from the beginning).
	Version      int    `json:"version"`
	VersionSince string `json:"version_since,omitempty"`
	// PreviousBreak and LastYearBreak flag a comparison across a change of
	// definition: previous (last_year) was measured, at least in part,
	// under another version than the period, so it is no trend.
	PreviousBreak bool `json:"previous_break"`
	LastYearBreak bool `json:"last_year_break"`
	// SeriesBreak is set by Series only: this point was measured under
	// another definition than the point before it in the series.
	SeriesBreak bool `json:"series_break,omitempty"`
	// Spread is the spread across the scope's sites, for departments,
	// regions and the nation (nil for a site, and in revisions closed
	// before spreads were kept).
	Spread *Spread `json:"spread"`
	// Respondents (satisfaction measures) is the number of distinct
	// responses counted; nil for other measures and in revisions closed
	// before it was kept.
	Respondents *uint64 `json:"respondents,omitempty"`
	// Distribution (satisfaction measures) is how the answers on the
	// indicator's dimension spread over the levels of each scale used.
	// None below min_sample: a suppressed result shows nothing, and a few
	// answers per level could tell who answered what.
	Distribution []Distribution `json:"distribution,omitempty"`
	// Breakdown is the group of users or contacts the result is limited
	// to, when the query asked for one (Selection.By); nil otherwise.
	Breakdown *Breakdown `json:"breakdown,omitempty"`
}

// Breakdown names one group of a breakdown: the field and its value.
type Breakdown struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// evaluate turns the aggregates of d (the period, the previous one, last
// year) into the results of every selected scope, with targets and status.
func evaluate(d *Definition, p Period, byPeriod []map[scopeKey]agg, sel *selection, targets *Targets) []Result {
	// Every scope that exists, whether or not it has events.
	scopes := map[scopeKey]bool{{model.ScopeNational, ""}: true}
	for _, s := range sel.sites {
		scopes[scopeKey{model.ScopeSite, s.ID}] = true
		if s.Department != "" {
			scopes[scopeKey{model.ScopeDepartment, s.Department}] = true
		}
		if s.Region != "" {
			scopes[scopeKey{model.ScopeRegion, s.Region}] = true
		}
	}
	for k := range byPeriod[0] {
		scopes[k] = true
	}
	spread := spreads(d, p, byPeriod[0], sel, targets)
	now := eraOf(d.versionOf(), d.Since, p)
	var out []Result
	for k := range scopes {
		if !sel.keepScope(k) {
			continue
		}
		a := byPeriod[0][k]
		r := Result{Indicator: d.ID, Scope: k.kind, ScopeID: k.id, Period: p.Name, Sample: a.sample, Unit: d.Unit}
		r.Value, r.Numerator, r.Denominator = value(d, a)
		if d.IsProportion() && a.den > 0 {
			lo, hi := Wilson(a.num, a.den)
			lo, hi = 100*lo, 100*hi
			r.CILow, r.CIHigh = &lo, &hi
		}
		r.Previous, _, _ = value(d, byPeriod[1][k])
		r.LastYear, _, _ = value(d, byPeriod[2][k])
		r.Version, r.VersionSince = d.versionOf(), sinceText(d.Since)
		if byPeriod[1] != nil { // Series leaves the comparisons out
			r.PreviousBreak = breaks(now, eraOf(d.versionOf(), d.Since, p.Previous()))
			r.LastYearBreak = breaks(now, eraOf(d.versionOf(), d.Since, p.LastYear()))
		}
		if k.kind != model.ScopeSite {
			if r.Spread = spread[k]; r.Spread == nil {
				r.Spread = &Spread{}
			}
		}
		if _, ok := d.Measure.(scored); ok && a.den > 0 {
			n := a.resp
			r.Respondents = &n
			if a.sample >= uint64(d.MinSample) {
				r.Distribution = distribution(a.dist)
			}
		}
		r.Target = targets.For(d.ID, k, p.Year(), sel.sites)
		r.Status = status(d, r)
		if p.Kind == "ytd" && r.Target != nil && r.Value != nil {
			r.Required = required(d, a, *r.Target, p)
		}
		out = append(out, r)
	}
	return out
}

// value turns an aggregate into the indicator's value in its unit; nil
// when the population is empty.
func value(d *Definition, a agg) (v, num, den *float64) {
	if a.den == 0 {
		return nil, nil, nil
	}
	return d.Measure.value(a)
}

// z95 is the standard normal quantile for a two-sided 95% interval.
const z95 = 1.959963984540054

// Wilson returns the 95% Wilson score interval of k successes in n, as
// fractions.
func Wilson(k, n float64) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	p := k / n
	z2 := z95 * z95
	den := 1 + z2/n
	center := (p + z2/(2*n)) / den
	half := z95 / den * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	return math.Max(0, center-half), math.Min(1, center+half)
}

// status is a result's standing against its target.
func status(d *Definition, r Result) string {
	switch {
	case r.Value == nil || r.Sample < uint64(d.MinSample):
		return StatusInsufficientData
	case r.Target == nil:
		return StatusNoTarget
	case d.Direction == "higher" && *r.Value >= *r.Target, d.Direction == "lower" && *r.Value <= *r.Target:
		return StatusMet
	}
	return StatusMissed
}

// required is the value the rest of the year must reach for the whole year
// to meet target t, the rest of the year's population projected from the
// pace so far: with N, D the year-to-date numerator and denominator over E
// elapsed days and R = D·(days left)/E, (t·(D+R) − N)/R. Only for pooled
// ratios and means; nil when the year is over.
func required(d *Definition, a agg, t float64, p Period) *float64 {
	elapsed := float64(p.Days())
	left := float64(time.Date(p.From.Year(), 12, 31, 0, 0, 0, 0, time.UTC).Sub(p.To).Hours() / 24)
	scale := d.Measure.pace()
	if left <= 0 || a.den == 0 || scale == 0 {
		return nil
	}
	n, den := a.num*scale, a.den
	rest := den * left / elapsed
	v := (t*(den+rest) - n) / rest
	return &v
}

// sortResults orders results by the catalog's order, then national,
// regions, departments, sites.
func (c *Catalog) sortResults(rs []Result) {
	order := map[string]int{}
	for i, d := range c.Indicators {
		order[d.ID] = i
	}
	rank := map[model.ScopeKind]int{model.ScopeNational: 0, model.ScopeRegion: 1, model.ScopeDepartment: 2, model.ScopeSite: 3}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Indicator != b.Indicator {
			oa, oka := order[a.Indicator]
			ob, okb := order[b.Indicator]
			if oka && okb {
				return oa < ob
			}
			return a.Indicator < b.Indicator
		}
		if rank[a.Scope] != rank[b.Scope] {
			return rank[a.Scope] < rank[b.Scope]
		}
		return a.ScopeID < b.ScopeID
	})
}
