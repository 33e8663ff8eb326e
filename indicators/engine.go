package indicators

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"globaloffice/calendar"
	"globaloffice/model"
	"globaloffice/store"
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
}

// Engine computes indicators over the stored events.
type Engine struct {
	DB       *store.DB
	Catalog  *Catalog
	Compiler *Compiler
	Now      func() time.Time
}

// NewEngine wires an engine with the default calendar (Whit Monday a holiday
// unless whitMondayWorked).
func NewEngine(db *store.DB, cat *Catalog, whitMondayWorked bool) *Engine {
	return &Engine{DB: db, Catalog: cat, Compiler: &Compiler{Calendar: calendar.New(calendar.Options{WhitMondayWorked: whitMondayWorked})}, Now: time.Now}
}

// Selection narrows a computation.
type Selection struct {
	Indicators []string        // ids; empty: the whole catalog
	Scope      model.ScopeKind // empty: every scope
	SiteID     string          // only this site (and the scopes above it when Scope is empty)
}

// agg is the raw aggregate of one scope and period.
type agg struct {
	sample      uint64
	num, den, q float64
}

type scopeKey struct {
	kind model.ScopeKind
	id   string
}

// Compute evaluates the selected indicators for period p at every scope,
// with the previous period, the same period last year, targets and status.
func (e *Engine) Compute(ctx context.Context, p Period, sel Selection) ([]Result, error) {
	defs, err := e.selected(sel)
	if err != nil {
		return nil, err
	}
	sites, err := e.DB.Sites(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkSite(sel.SiteID, sites); err != nil {
		return nil, err
	}
	targets, err := LoadTargets(ctx, e.DB)
	if err != nil {
		return nil, err
	}
	periods := []Period{p, p.Previous(), p.LastYear()}
	var out []Result
	for _, d := range defs {
		byPeriod, err := e.run(ctx, d, periods)
		if err != nil {
			return nil, err
		}
		out = append(out, e.results(d, p, byPeriod, sites, targets, sel)...)
	}
	return out, nil
}

func (e *Engine) selected(sel Selection) ([]*Definition, error) {
	if len(sel.Indicators) == 0 {
		return e.Catalog.Indicators, nil
	}
	var defs []*Definition
	for _, id := range sel.Indicators {
		d, ok := e.Catalog.Get(id)
		if !ok {
			return nil, fmt.Errorf("unknown indicator %q (see globaloffice indicators list)", id)
		}
		defs = append(defs, d)
	}
	return defs, nil
}

// run computes the aggregates of d for each period: identical spans once,
// and spans that do not overlap in one query (a year's previous period is
// last year, and may overlap a range's).
func (e *Engine) run(ctx context.Context, d *Definition, periods []Period) ([]map[scopeKey]agg, error) {
	var spans []Period
	spanOf := make([]int, len(periods))
	for i, p := range periods {
		spanOf[i] = -1
		for j, s := range spans {
			if s.From.Equal(p.From) && s.To.Equal(p.To) {
				spanOf[i] = j
			}
		}
		if spanOf[i] < 0 {
			spanOf[i] = len(spans)
			spans = append(spans, p)
		}
	}
	var groups [][]int
	for j, s := range spans {
		placed := false
		for gi, g := range groups {
			free := true
			for _, k := range g {
				if !s.To.Before(spans[k].From) && !spans[k].To.Before(s.From) {
					free = false
				}
			}
			if free {
				groups[gi] = append(g, j)
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, []int{j})
		}
	}
	bySpan := make([]map[scopeKey]agg, len(spans))
	for _, g := range groups {
		ps := make([]Period, len(g))
		for k, j := range g {
			ps[k] = spans[j]
		}
		q, err := e.Compiler.Compile(d, ps)
		if err != nil {
			return nil, err
		}
		res, err := e.query(ctx, q, len(ps))
		if err != nil {
			return nil, fmt.Errorf("indicator %s: %w", d.ID, err)
		}
		for k, j := range g {
			bySpan[j] = res[k]
		}
	}
	out := make([]map[scopeKey]agg, len(periods))
	for i := range periods {
		out[i] = bySpan[spanOf[i]]
	}
	return out, nil
}

func (e *Engine) query(ctx context.Context, q Query, n int) ([]map[scopeKey]agg, error) {
	rows, err := e.DB.Conn().Query(ctx, q.SQL, q.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]map[scopeKey]agg, n)
	for i := range out {
		out[i] = map[scopeKey]agg{}
	}
	for rows.Next() {
		var pk uint8
		var region, department, site string
		var a agg
		if err := rows.Scan(&pk, &region, &department, &site, &a.sample, &a.num, &a.den, &a.q); err != nil {
			return nil, err
		}
		if pk == 0 || int(pk) > n {
			continue // the grand total across periods
		}
		// region and department are '+' then the code, '' where rolled up.
		var k scopeKey
		switch {
		case site != "":
			k = scopeKey{model.ScopeSite, site}
		case department != "":
			k = scopeKey{model.ScopeDepartment, department[1:]}
		case region != "":
			k = scopeKey{model.ScopeRegion, region[1:]}
		default:
			k = scopeKey{model.ScopeNational, ""}
		}
		if k.kind != model.ScopeSite && k.kind != model.ScopeNational && k.id == "" {
			continue // the sites with no department (region): in no such scope
		}
		out[pk-1][k] = a
	}
	return out, rows.Err()
}

// value turns an aggregate into the indicator's value in its unit.
func value(d *Definition, a agg) (v, num, den *float64) {
	if a.den == 0 {
		return nil, nil, nil
	}
	f := func(x float64) *float64 { return &x }
	switch d.Measure {
	case "share", "ratio", "top_box", "repeat_contact":
		return f(100 * a.num / a.den), f(a.num), f(a.den)
	case "nps":
		return f(100 * a.num / a.den), f(a.num), f(a.den)
	case "mean", "mean_score":
		return f(a.num / a.den), f(a.num), f(a.den)
	case "quantile":
		return f(a.q), nil, nil
	case "count":
		return f(a.den), nil, nil
	}
	return nil, nil, nil
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

func (e *Engine) results(d *Definition, p Period, byPeriod []map[scopeKey]agg, sites []model.Site, targets *Targets, sel Selection) []Result {
	// Every scope that exists, whether or not it has events.
	scopes := map[scopeKey]bool{{model.ScopeNational, ""}: true}
	siteOf := map[string]model.Site{}
	for _, s := range sites {
		siteOf[s.ID] = s
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
	keep := func(k scopeKey) bool {
		if sel.Scope != "" && k.kind != sel.Scope {
			return false
		}
		if sel.SiteID != "" {
			s := siteOf[sel.SiteID]
			switch k.kind {
			case model.ScopeSite:
				return k.id == sel.SiteID
			case model.ScopeDepartment:
				return k.id == s.Department
			case model.ScopeRegion:
				return k.id == s.Region
			}
		}
		return true
	}
	var out []Result
	for k := range scopes {
		if !keep(k) {
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
		r.Target = targets.For(d.ID, k, p.Year(), siteOf)
		r.Status = status(d, r)
		if p.Kind == "ytd" && r.Target != nil && r.Value != nil {
			r.Required = required(d, a, *r.Target, p)
		}
		out = append(out, r)
	}
	e.Catalog.sortResults(out)
	return out
}

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
	if left <= 0 || a.den == 0 {
		return nil
	}
	var scale float64
	switch d.Measure {
	case "share", "ratio", "top_box", "repeat_contact":
		scale = 100
	case "mean", "mean_score":
		scale = 1
	default:
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

func checkSite(id string, sites []model.Site) error {
	if id == "" {
		return nil
	}
	for _, s := range sites {
		if s.ID == id {
			return nil
		}
	}
	return fmt.Errorf("unknown site %q (see globaloffice sites list)", id)
}
