package indicators

import (
	"slices"

	"globaloffice/model"
)

// Spread is how the sites of a department, a region or the nation differ
// on one indicator and period: the distribution of their own values, over
// the sites with enough sample (at least the indicator's min_sample; a
// site under it has no reliable value and is left out), and how many of
// those missed their target. Quantiles are exact nearest rank over the
// sites' values, as everywhere in the engine: the ⌈p·n⌉-th value in
// ascending order. Only sites' values: it is aggregate data, public where
// the result is.
type Spread struct {
	// Sites is how many sites are counted; without any, the values are
	// null.
	Sites  int      `json:"sites"`
	Min    *float64 `json:"min"`
	P10    *float64 `json:"p10"`
	Median *float64 `json:"median"`
	P90    *float64 `json:"p90"`
	Max    *float64 `json:"max"`
	// Missed is how many of the counted sites missed their target (a site
	// without a target neither meets nor misses it).
	Missed int `json:"missed"`
}

// siteStanding is one site's value and whether it missed its target.
type siteStanding struct {
	value  float64
	missed bool
}

// spreads gathers, for every department, region and the nation, the
// standings of their sites with enough sample in the aggregates of one
// period — all the sites, whatever the selection keeps, since the scope's
// value pools them all — each against its own target.
func spreads(d *Definition, p Period, aggs map[scopeKey]agg, sel *selection, targets *Targets) map[scopeKey]*Spread {
	by := map[scopeKey][]siteStanding{}
	for k, a := range aggs {
		site, ok := sel.sites[k.id]
		if k.kind != model.ScopeSite || !ok {
			continue
		}
		v, _, _ := value(d, a)
		if v == nil || a.sample < uint64(d.MinSample) {
			continue
		}
		r := Result{Value: v, Sample: a.sample, Target: targets.For(d.ID, k, p.Year(), sel.sites)}
		st := siteStanding{value: *v, missed: status(d, r) == StatusMissed}
		by[scopeKey{model.ScopeNational, ""}] = append(by[scopeKey{model.ScopeNational, ""}], st)
		if site.Region != "" {
			by[scopeKey{model.ScopeRegion, site.Region}] = append(by[scopeKey{model.ScopeRegion, site.Region}], st)
		}
		if site.Department != "" {
			by[scopeKey{model.ScopeDepartment, site.Department}] = append(by[scopeKey{model.ScopeDepartment, site.Department}], st)
		}
	}
	out := make(map[scopeKey]*Spread, len(by))
	for k, sts := range by {
		out[k] = spreadOf(sts)
	}
	return out
}

// spreadOf is the spread of the standings of a scope's counted sites.
func spreadOf(sts []siteStanding) *Spread {
	s := &Spread{Sites: len(sts)}
	if len(sts) == 0 {
		return s
	}
	vs := make([]float64, len(sts))
	for i, st := range sts {
		vs[i] = st.value
		if st.missed {
			s.Missed++
		}
	}
	slices.Sort(vs)
	at := func(millionths int) *float64 { v := vs[nearestRank(millionths, len(vs))-1]; return &v }
	s.Min, s.P10, s.Median, s.P90, s.Max = at(0), at(100_000), at(500_000), at(900_000), at(1_000_000)
	return s
}

// nearestRank is the 1-based rank of the p-quantile of n sorted values, p
// in millionths: ⌈p·n⌉, at least 1 (p = 0 is the minimum).
func nearestRank(millionths, n int) int {
	return max(1, (millionths*n+999_999)/1_000_000)
}
