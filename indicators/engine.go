package indicators

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"globaloffice/calendar"
	"globaloffice/model"
	"globaloffice/store"
)

// Engine computes indicators over the stored events and reads and writes
// closed periods. Results is its one entry point for reading figures.
type Engine struct {
	DB       *store.DB
	Catalog  *Catalog
	Compiler *Compiler
	Now      func() time.Time
	// CacheFor keeps sites and revision numbers that long, and closed
	// revisions' results, for servers (see cache); 0 keeps nothing.
	CacheFor time.Duration
	// Parallel is how many queries of one computation (one per indicator,
	// or per batch) run at once; 0 means 2. ClickHouse 18.16 runs parts of
	// each query in one thread — FINAL's collapse, joins, sorting arrays
	// — so a second query at once keeps a second core busy.
	Parallel int
	cache    cache
}

// NewEngine wires an engine with the default calendar (Whit Monday a holiday
// unless whitMondayWorked).
func NewEngine(db *store.DB, cat *Catalog, whitMondayWorked bool) *Engine {
	return &Engine{DB: db, Catalog: cat, Compiler: &Compiler{Calendar: calendar.New(calendar.Options{WhitMondayWorked: whitMondayWorked})}, Now: time.Now}
}

// agg is the raw aggregate of one scope and period.
type agg struct {
	sample      uint64
	num, den, q float64
	// Satisfaction measures only: answers per level (the slots of
	// levels) and the distinct responses counted.
	dist []uint64
	resp uint64
}

type scopeKey struct {
	kind model.ScopeKind
	id   string
}

// compute evaluates the selected indicators for period p at every scope,
// with the previous period, the same period last year, targets and status.
func (e *Engine) compute(ctx context.Context, p Period, sel *selection) ([]Result, error) {
	targets, err := LoadTargets(ctx, e.DB)
	if err != nil {
		return nil, err
	}
	periods := []Period{p, p.Previous(), p.LastYear()}
	merged, err := e.mergedMonths(ctx)
	if err != nil {
		return nil, err
	}
	var out []Result
	comp := sel.compiler(e.Compiler)
	comp.Merged = merged
	if comp.Starts, err = e.journeyWatermarks(ctx, sel.defs); err != nil {
		return nil, err
	}
	if sel.By != "" {
		return e.breakdown(ctx, comp, p, periods, sel, targets, merged)
	}
	bs := batches(sel.defs)
	byBatch := make([][]Result, len(bs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.parallel())
	for i, defs := range bs {
		g.Go(func() error {
			byDef, err := e.run(gctx, comp, defs, periods, merged)
			if err != nil {
				return err
			}
			for j, d := range defs {
				byBatch[i] = append(byBatch[i], evaluate(d, p, byDef[j], sel, targets)...)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, rs := range byBatch {
		out = append(out, rs...)
	}
	return out, nil
}

// parallel is how many queries of one computation run at once.
func (e *Engine) parallel() int {
	if e.Parallel > 0 {
		return e.Parallel
	}
	return 2
}

// batches groups the definitions computed by one query: the measures of
// contacts followed by others together, those on one motive first (see
// CompileFollowed; Engine.followed parts them again for long periods), the
// journey measures together (CompileJourneys), at most maxPacked a query
// and first (the costliest: queries run two at a time, see parallel); then
// the pooled measures of each source (CompilePooled, pooledKey) and the
// backlog measures of one population (CompileBacklogs, backlogKey), at most
// maxPooled a query; every other alone, in order.
func batches(defs []*Definition) [][]*Definition {
	var out, first [][]*Definition
	var followed, onMotive, journeys []*Definition
	pooled := map[string][]*Definition{}
	var keys []string
	for _, d := range defs {
		switch f, ok := followShape(d.Measure); {
		case ok && d.Source == "contacts" && f.byMotive:
			onMotive = append(onMotive, d)
		case ok && d.Source == "contacts":
			followed = append(followed, d)
		case isJourney(d):
			journeys = append(journeys, d)
		case isPooled(d):
			k, _ := pooledKey(d)
			if pooled[k] == nil {
				keys = append(keys, k)
			}
			pooled[k] = append(pooled[k], d)
		case isBacklog(d):
			k, _ := backlogKey(d)
			k = "backlog " + k
			if pooled[k] == nil {
				keys = append(keys, k)
			}
			pooled[k] = append(pooled[k], d)
		default:
			out = append(out, []*Definition{d})
		}
	}
	chunks := func(set []*Definition, n int) {
		for len(set) > 0 {
			k := min(len(set), n)
			first, set = append(first, set[:k]), set[k:]
		}
	}
	chunks(append(onMotive, followed...), maxPacked)
	chunks(journeys, maxPacked)
	for _, k := range keys {
		chunks(pooled[k], maxPooled)
	}
	return append(first, out...)
}

func isPooled(d *Definition) bool { _, ok := pooledKey(d); return ok }

func isBacklog(d *Definition) bool { _, ok := backlogKey(d); return ok }

func isJourney(d *Definition) bool { return journeyMeasure(d.Measure) && d.Source == "cases" }

// breakdown computes each selected indicator whose source has the field
// sel.By once per value of the field met in the period: the definition
// with its filter on that one value (a definition already filtering the
// field keeps only its own values).
func (e *Engine) breakdown(ctx context.Context, comp *Compiler, p Period, periods []Period, sel *selection, targets *Targets, merged mergedMonths) ([]Result, error) {
	values, err := e.DB.DistinctValues(ctx, sel.By, Breakdowns[sel.By], p.From, p.To)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, d := range sel.defs {
		if !sel.breaks(d) {
			continue
		}
		for _, v := range values {
			if own, ok := d.Filter[sel.By]; ok && !slices.Contains(own, v) {
				continue
			}
			dv := *d
			dv.Filter = maps.Clone(d.Filter)
			if dv.Filter == nil {
				dv.Filter = Filter{}
			}
			dv.Filter[sel.By] = []string{v}
			byDef, err := e.run(ctx, comp, []*Definition{&dv}, periods, merged)
			if err != nil {
				return nil, err
			}
			for _, r := range evaluate(&dv, p, byDef[0], sel, targets) {
				r.Breakdown = &Breakdown{Field: sel.By, Value: v}
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// run computes the aggregates of each of defs (a batch: see batches) for
// each period: identical spans once, and spans that do not overlap in one
// query (a year's previous period is last year, and may overlap a range's).
func (e *Engine) run(ctx context.Context, comp *Compiler, defs []*Definition, periods []Period, merged mergedMonths) ([][]map[scopeKey]agg, error) {
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
	bySpan := make([][]map[scopeKey]agg, len(defs))
	for i := range defs {
		bySpan[i] = make([]map[scopeKey]agg, len(spans))
	}
	for _, g := range groups {
		ps := make([]Period, len(g))
		for k, j := range g {
			ps[k] = spans[j]
		}
		res, err := e.batch(ctx, comp, defs, ps, merged)
		if err != nil {
			return nil, err
		}
		for i := range defs {
			for k, j := range g {
				bySpan[i][j] = res[i][k]
			}
		}
	}
	out := make([][]map[scopeKey]agg, len(defs))
	for i := range defs {
		out[i] = make([]map[scopeKey]agg, len(periods))
		for k := range periods {
			out[i][k] = bySpan[i][spanOf[k]]
		}
	}
	return out, nil
}

// batch compiles and runs the query of a batch of definitions over
// periods that do not overlap: their aggregates by definition and period.
func (e *Engine) batch(ctx context.Context, comp *Compiler, defs []*Definition, ps []Period, merged mergedMonths) ([][]map[scopeKey]agg, error) {
	d, src := defs[0], merged[defs[0].Source]
	switch {
	case isJourney(d):
		return e.journeys(ctx, comp, defs, ps, src)
	case len(defs) == 1:
		// A followed measure alone is computed a few periods at a time too
		// (see followed); any other in one query.
		chunks := [][]Period{ps}
		if _, ok := followShape(d.Measure); ok {
			chunks = followedChunks(ps)
		}
		return e.chunked(ctx, defs, chunks, src, func(defs []*Definition, ps []Period, merged Parts, today time.Time) (Compiled, error) {
			return comp.CompileAsOf(defs[0], ps, merged, today)
		})
	case isPooled(d):
		return e.chunked(ctx, defs, [][]Period{ps}, src, comp.CompilePooled)
	case isBacklog(d):
		return e.chunked(ctx, defs, [][]Period{ps}, src, comp.CompileBacklogs)
	}
	return e.followed(ctx, comp, defs, ps, merged)
}

// chunked compiles and runs one query of defs per run of periods in
// chunks, and gathers their aggregates by definition, in period order.
func (e *Engine) chunked(ctx context.Context, defs []*Definition, chunks [][]Period, merged Parts,
	compile func([]*Definition, []Period, Parts, time.Time) (Compiled, error)) ([][]map[scopeKey]agg, error) {
	out := make([][]map[scopeKey]agg, len(defs))
	for _, chunk := range chunks {
		q, err := compile(defs, chunk, merged, e.Now())
		if err != nil {
			return nil, err
		}
		res, err := e.query(ctx, q, len(defs), len(chunk))
		if err != nil {
			if len(defs) == 1 {
				return nil, fmt.Errorf("indicator %s: %w", defs[0].ID, err)
			}
			return nil, fmt.Errorf("indicators %s: %w", ids(defs), err)
		}
		for i := range defs {
			out[i] = append(out[i], res[i]...)
		}
	}
	return out, nil
}

// followed runs the queries of a batch of followed measures (see batch).
// They hold every contact of their periods in memory, grouped by user: when
// a period is longer than followedDays, the measures on one motive go apart
// from the others (grouped by user alone, each user's contacts with their
// motives, a year took twice the memory); then periods of more than
// followedDays together are computed a few at a time (followedChunks), as
// for a definition alone (batch).
func (e *Engine) followed(ctx context.Context, comp *Compiler, defs []*Definition, ps []Period, merged mergedMonths) ([][]map[scopeKey]agg, error) {
	d := defs[0]
	if len(defs) == 1 {
		return e.batch(ctx, comp, defs, ps, merged) // one definition's own query
	}
	longest := 0
	var onMotive, others []int
	for _, p := range ps {
		longest = max(longest, p.Days())
	}
	for i, d := range defs {
		if f, _ := followShape(d.Measure); f.byMotive {
			onMotive = append(onMotive, i)
		} else {
			others = append(others, i)
		}
	}
	if longest > followedDays && len(onMotive) > 0 && len(others) > 0 {
		out := make([][]map[scopeKey]agg, len(defs))
		for _, part := range [][]int{onMotive, others} {
			sub := make([]*Definition, len(part))
			for k, i := range part {
				sub[k] = defs[i]
			}
			res, err := e.followed(ctx, comp, sub, ps, merged)
			if err != nil {
				return nil, err
			}
			for k, i := range part {
				out[i] = res[k]
			}
		}
		return out, nil
	}
	return e.chunked(ctx, defs, followedChunks(ps), merged[d.Source], comp.CompileFollowed)
}

// followedChunks cuts ps, in order, into runs of at most followedDays
// together (a longer period alone).
func followedChunks(ps []Period) [][]Period {
	var out [][]Period
	for start := 0; start < len(ps); {
		end, days := start+1, ps[start].Days()
		for end < len(ps) && days+ps[end].Days() <= followedDays {
			days += ps[end].Days()
			end++
		}
		out = append(out, ps[start:end])
		start = end
	}
	return out
}

// ids lists the definitions' ids, for errors.
func ids(defs []*Definition) string {
	out := make([]string, len(defs))
	for i, d := range defs {
		out[i] = d.ID
	}
	return strings.Join(out, ", ")
}

// followedDays is the most days of periods one query of followed measures
// reads (one period longer than that is read alone): a year of 11 M
// contacts grouped by user takes about 4 GB. Spilling the grouping to
// disk (max_bytes_before_external_group_by) is no way out: on 18.16 it
// gave other figures for this query.
const followedDays = 100

// mergedMonths are, by source, the months read without FINAL (see
// CompileMerged).
type mergedMonths map[string]Parts

// mergedMonths reads which months of contacts and survey responses are
// merged into one part. It is read for every computation, never cached: a
// month written to since it was merged must be read with FINAL again at
// once. The raw path (Compiler.Raw) reads everything with FINAL.
func (e *Engine) mergedMonths(ctx context.Context) (mergedMonths, error) {
	if e.Compiler.Raw {
		return nil, nil
	}
	out := mergedMonths{}
	// Case completions are read by whole months (see ranges), so a merged
	// month's one part holds every entry of its cases there.
	for source, table := range map[string]string{"contacts": "contacts", "surveys": "survey_responses", "cases": "case_completions"} {
		m, err := e.DB.MergedParts(ctx, table)
		if err != nil {
			return nil, err
		}
		out[source] = m
	}
	return out, nil
}

// query runs a compiled query of nd definitions over n periods and reads
// its rows by definition, period and scope: a query of several definitions
// leads each row with the definition's 1-based index (CompileFollowed).
func (e *Engine) query(ctx context.Context, q Compiled, nd, n int) ([][]map[scopeKey]agg, error) {
	rows, err := e.DB.Conn().Query(ctx, q.SQL, q.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([][]map[scopeKey]agg, nd)
	for i := range out {
		out[i] = make([]map[scopeKey]agg, n)
		for k := range out[i] {
			out[i][k] = map[scopeKey]agg{}
		}
	}
	// Satisfaction measures add the distribution and the respondents.
	satisfaction := slices.Contains(rows.Columns(), "dist")
	for rows.Next() {
		ix := uint8(1)
		var pk uint8
		var region, department, site string
		var a agg
		dest := []any{&pk, &region, &department, &site, &a.sample, &a.num, &a.den, &a.q}
		if nd > 1 {
			dest = append([]any{&ix}, dest...)
		}
		if satisfaction {
			dest = append(dest, &a.dist, &a.resp)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if pk == 0 || int(pk) > n || ix == 0 || int(ix) > nd {
			continue // the grand totals across periods (and definitions)
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
		out[ix-1][pk-1][k] = a
	}
	return out, rows.Err()
}
