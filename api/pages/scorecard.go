package pages

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"globaloffice/auth"
	"globaloffice/indicators"
	"globaloffice/model"
)

// registerScorecard mounts the scorecard and its login.
func (p *Pages) registerScorecard(r gin.IRouter) {
	p.sess, p.fails = newSessions(), newFailures()
	r.GET("/login", p.loginForm)
	r.POST("/login", p.login)
	r.POST("/logout", p.logout)
	r.GET("/scorecard", p.scorecard)
}

type scorecardData struct {
	Who, Role   string
	Period      string // shown
	From, To    string
	Scope       string // as in the query: national, region:11, department:75
	Caption     string
	Crumbs      []crumb
	Choices     []choiceGroup
	Provisional bool
	Provenance  string
	Columns     []column
	Rows        []scRow
	Error       string
}

type crumb struct{ Label, Href string }

type choiceGroup struct {
	Label   string
	Options []choice
}

type choice struct {
	Value, Label string
	Selected     bool
}

type column struct{ ID, Title, Unit string }

// scRow is one scope: its own row (the scope chosen) or a sub-scope.
type scRow struct {
	Key     string // kind:id, "national" for the nation
	Label   string
	Href    string // its drill-down, "" for the scope itself
	Own     bool
	Missed  string // how many targets it misses, in words
	Trend   string // how many indicators got better or worse
	missed  int
	scopeID string
	Cells   []scCell
}

// scCell is an indicator of a scope, every part already in words.
type scCell struct {
	ID, Class, Value, Status string
	Target, Interval, Trend  string
	Required                 string
	Spread                   string // the scope's own row: across its sites
}

// scorecard is /scorecard: the sub-scopes of a scope × the indicators of a
// period, for directors and admins (every scope) and managers (their
// sites, and the scopes above them as the public sees them) — the API's
// GET /scorecard, in a page. Anyone else goes to the login.
func (p *Pages) scorecard(c *gin.Context) {
	lg := lang(c)
	ctx := c.Request.Context()
	c.Header("Cache-Control", "no-store")
	c.Header("Vary", "Cookie, Accept-Language")
	pr, ok, err := p.signedIn(c)
	if err != nil {
		p.failed(c, lg, err)
		return
	}
	if !ok || !pr.ReadsResults() {
		p.toLogin(c, lg)
		return
	}
	data := scorecardData{Who: pr.Who(), Role: t(lg, "role."+string(pr.Role))}
	if len(pr.Sites) > 0 {
		data.Role += " · " + strings.Join(pr.Sites, ", ")
	}
	name := c.Query("period")
	if name == "" {
		per, _, found, err := p.latestClosed(ctx, "")
		if err != nil {
			p.failed(c, lg, err)
			return
		}
		name = per.Name
		if !found {
			name = p.d.Now().Format("2006-01")
		}
	}
	data.Scope = c.DefaultQuery("scope", "national")
	closed, err := p.d.Engine.ClosedPeriods(ctx)
	if err != nil {
		p.failed(c, lg, err)
		return
	}
	data.Period, data.Choices = name, p.choices(lg, closed, name)
	per, err := indicators.ParsePeriod(name, p.d.Now())
	if err != nil {
		data.Error = t(lg, "sc.bad_period")
		p.render(c, http.StatusBadRequest, "scorecard", lg, t(lg, "nav.scorecard"), "scorecard", data)
		return
	}
	data.From, data.To = dateIn(lg, per.From), dateIn(lg, per.To)
	status, err := p.fill(ctx, lg, pr, per, &data)
	if err != nil {
		p.failed(c, lg, err)
		return
	}
	p.render(c, status, "scorecard", lg, t(lg, "nav.scorecard"), "scorecard", data)
}

// fill reads the scope's row and its sub-scopes' through the results entry
// point, as the API's scorecard does (two narrow reads), and lays them out:
// the scope's own row first, then its sub-scopes, the most missed targets
// first. It answers the page's status: 400 for a malformed scope, 404 for
// one without sites.
func (p *Pages) fill(ctx context.Context, lg string, pr auth.Principal, per indicators.Period, data *scorecardData) (int, error) {
	sc, err := indicators.ParseScope(data.Scope)
	if err != nil {
		data.Error = t(lg, "sc.bad_scope")
		return http.StatusBadRequest, nil
	}
	sites, err := p.d.Engine.Sites(ctx)
	if err != nil {
		return 0, err
	}
	names := map[string]string{}
	var within []string // for a manager, its sites only
	exists, region := false, ""
	for _, st := range sites {
		names[st.ID] = st.Name
		if sc.Holds(st) {
			exists, region = true, st.Region
			if pr.Role != model.RoleManager || pr.ReadsSite(st.ID) {
				within = append(within, st.ID)
			}
		}
	}
	ownKind, code, sub := sc.Kind, sc.Code, sc.Sub
	data.Crumbs = p.crumbs(lg, per.Name, ownKind, code, region)
	data.Caption = t(lg, "nav.scorecard") + " — " + scopeLabel(lg, ownKind, code, "") + " — " + per.Name
	if !exists {
		data.Error = t(lg, "sc.no_scope")
		return http.StatusNotFound, nil
	}
	rep, err := p.visible(ctx, pr, per, sc.Selection(within))
	if err != nil {
		return 0, err
	}
	own, subs := sc.Split(rep, within)
	data.Provisional = !own.Provenance.Closed
	if data.Provisional {
		data.Caption += " (" + t(lg, "sc.provisional") + ")"
		data.Provenance = fmt.Sprintf(t(lg, "sc.live_at"), dateIn(lg, own.Provenance.ComputedAt), own.Provenance.ComputedAt.Format("15:04"))
	} else {
		data.Provenance = fmt.Sprintf(t(lg, "sc.closed_at"), dateIn(lg, own.Provenance.ClosedAt), own.Provenance.Revision)
	}

	// Rows by scope, each holding its results by indicator.
	ownRow := &scRow{Key: scopeKey(ownKind, code), Label: scopeLabel(lg, ownKind, code, "") + " — " + t(lg, "sc.overall"), Own: true, scopeID: code}
	rows := map[string]*scRow{}
	results := map[*scRow]map[string]indicators.Result{}
	used := map[string]bool{}
	for _, r := range append(own.Results, subs.Results...) {
		var row *scRow
		switch {
		case r.Scope == ownKind && r.ScopeID == code:
			row = ownRow
		case r.Scope == sub:
			if row = rows[r.ScopeID]; row == nil {
				row = &scRow{Key: scopeKey(sub, r.ScopeID), Label: scopeLabel(lg, sub, r.ScopeID, names[r.ScopeID]), Href: p.drill(lg, per.Name, sub, r.ScopeID), scopeID: r.ScopeID}
				rows[r.ScopeID] = row
			}
		default:
			continue
		}
		if results[row] == nil {
			results[row] = map[string]indicators.Result{}
		}
		results[row][r.Indicator] = r
		used[r.Indicator] = true
	}
	var defs []*indicators.Definition
	for _, d := range p.d.Engine.Catalog.Indicators {
		if used[d.ID] {
			defs = append(defs, d)
			data.Columns = append(data.Columns, column{ID: d.ID, Title: d.Title.In(lg), Unit: units[d.Unit][unitLang(lg)]})
		}
	}
	order := []*scRow{}
	for _, row := range rows {
		order = append(order, row)
	}
	slices.SortFunc(order, func(a, b *scRow) int { return strings.Compare(a.scopeID, b.scopeID) })
	if results[ownRow] != nil {
		order = append([]*scRow{ownRow}, order...)
	}
	for _, row := range order {
		better, worse, compared := 0, 0, 0
		for _, d := range defs {
			r, ok := results[row][d.ID]
			c := cellOf(lg, d, r, ok)
			if ok && row.Own && r.Spread != nil {
				c.Spread = spreadText(lg, d, r.Spread)
			}
			row.Cells = append(row.Cells, c)
			if !ok {
				continue
			}
			if r.Status == indicators.StatusMissed {
				row.missed++
			}
			if r.Value == nil || r.Previous == nil || r.PreviousBreak {
				continue // nothing to compare, or not comparable
			}
			compared++
			switch movement(d, r.Value, r.Previous) {
			case 1:
				better++
			case -1:
				worse++
			}
		}
		row.Missed = countOf(lg, row.missed, "sc.missed_none", "sc.missed_one", "sc.missed_many")
		if compared > 0 {
			row.Trend = fmt.Sprintf(t(lg, "sc.row_trend"), better, worse)
		}
		data.Rows = append(data.Rows, *row)
	}
	// The scope's own row stays first; its sub-scopes with the most misses
	// come next (a stable sort keeps the ids' order among equals).
	from := 0
	if len(data.Rows) > 0 && data.Rows[0].Own {
		from = 1
	}
	slices.SortStableFunc(data.Rows[from:], func(a, b scRow) int { return b.missed - a.missed })
	return http.StatusOK, nil
}

// visible reads a selection through the one results entry point and keeps
// what the caller may see, exactly as the API does: a manager's reads are
// narrowed to its sites, then every result asked of auth.
func (p *Pages) visible(ctx context.Context, pr auth.Principal, per indicators.Period, sel indicators.Selection) (indicators.Report, error) {
	if pr.Role == model.RoleManager && len(sel.Sites) == 0 {
		sel.Sites = pr.Sites
	}
	rep, err := p.d.Engine.Results(ctx, indicators.Query{Period: per, Selection: sel})
	if err != nil {
		return rep, fmt.Errorf("scorecard results of %s, %s: %w", per, sel.Scope, err)
	}
	if pr.ReadsAll() {
		return rep, nil
	}
	rep.Keep(p.d.Engine.Catalog, pr.SeesResult)
	return rep, nil
}

// cellOf puts a result in words: value, status with its symbol, target,
// 95% interval, change since the previous period and, for a year to date,
// what the rest of the year needs.
func cellOf(lg string, d *indicators.Definition, r indicators.Result, ok bool) scCell {
	c := scCell{ID: d.ID, Class: "none", Value: t(lg, "none"), Status: t(lg, "sc.no_result")}
	if !ok {
		return c
	}
	c.Class, c.Value, c.Status = statusClass(r.Status), value(lg, d.Unit, r.Value), t(lg, "status."+r.Status)
	if r.Target != nil {
		c.Target = t(lg, "target") + " " + value(lg, d.Unit, r.Target)
	}
	if r.CILow != nil && r.CIHigh != nil {
		c.Interval = t(lg, "sc.ci") + " " + number(lg, *r.CILow, 1) + "–" + value(lg, d.Unit, r.CIHigh)
	}
	switch {
	case r.Value != nil && r.Previous != nil && r.PreviousBreak:
		c.Trend = breakText(lg, r) + " · " + t(lg, "sc.previous") + " " + value(lg, d.Unit, r.Previous)
	case r.Value != nil && r.Previous != nil:
		arrow := "→"
		switch {
		case *r.Value > *r.Previous+trendEpsilon:
			arrow = "↑"
		case *r.Value < *r.Previous-trendEpsilon:
			arrow = "↓"
		}
		c.Trend = arrow + " " + trend(lg, d, r.Value, r.Previous) + " · " + t(lg, "sc.previous") + " " + value(lg, d.Unit, r.Previous)
	}
	if r.Required != nil {
		c.Required = t(lg, "sc.required") + " " + required(lg, d, *r.Required)
	}
	return c
}

// spreadText puts the spread across a scope's sites in words.
func spreadText(lg string, d *indicators.Definition, s *indicators.Spread) string {
	if s.Sites == 0 {
		return t(lg, "sc.spread_none")
	}
	return fmt.Sprintf(t(lg, "sc.spread"), s.Sites, value(lg, d.Unit, s.Min), value(lg, d.Unit, s.P10), value(lg, d.Unit, s.Median),
		value(lg, d.Unit, s.P90), value(lg, d.Unit, s.Max), countOf(lg, s.Missed, "sc.spread_missed_none", "sc.spread_missed_one", "sc.spread_missed_many"))
}

// trendEpsilon is the change below which trend() says "unchanged".
const trendEpsilon = 0.05

// movement is +1 when v is better than before (given the direction), −1
// when worse, 0 when unchanged or unknown, as trend() words it.
func movement(d *indicators.Definition, v, before *float64) int {
	if v == nil || before == nil {
		return 0
	}
	diff := *v - *before
	if d.Direction == "lower" {
		diff = -diff
	}
	switch {
	case diff > trendEpsilon:
		return 1
	case diff < -trendEpsilon:
		return -1
	}
	return 0
}

// required words what the rest of the year must reach: at least (higher
// is better) or at most (lower) a value, or, for a percentage beyond 0–100,
// that it is already secured or out of reach.
func required(lg string, d *indicators.Definition, v float64) string {
	higher := d.Direction == "higher"
	if d.Unit == "percent" {
		switch {
		case higher && v > 100 || !higher && v < 0:
			return t(lg, "sc.required.out_of_reach")
		case higher && v <= 0 || !higher && v >= 100:
			return t(lg, "sc.required.secured")
		}
	}
	if higher {
		return t(lg, "sc.at_least") + " " + value(lg, d.Unit, &v)
	}
	return t(lg, "sc.at_most") + " " + value(lg, d.Unit, &v)
}

// choices are the periods offered: the current month, quarter, year to
// date and twelve rolling months (live, provisional), then every closed
// period, latest first; a period asked for that is neither is offered too.
func (p *Pages) choices(lg string, closed []indicators.ClosedPeriod, selected string) []choiceGroup {
	now := p.d.Now()
	current := choiceGroup{Label: t(lg, "sc.current_periods")}
	for _, c := range []struct{ name, key string }{
		{now.Format("2006-01"), "sc.current_month"},
		{fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())+2)/3), "sc.current_quarter"},
		{fmt.Sprintf("%d-ytd", now.Year()), "sc.current_ytd"},
		{now.Format("2006-01") + "-r12", "sc.current_rolling12"},
	} {
		current.Options = append(current.Options, choice{Value: c.name, Label: c.name + " — " + t(lg, c.key) + " (" + t(lg, "sc.provisional") + ")", Selected: c.name == selected})
	}
	past := choiceGroup{Label: t(lg, "sc.closed_periods")}
	for _, cp := range closed {
		rev := 0
		if n := len(cp.Revisions); n > 0 {
			rev = cp.Revisions[n-1].Revision
		}
		past.Options = append(past.Options, choice{Value: cp.Period, Label: fmt.Sprintf(t(lg, "sc.closed_choice"), cp.Period, rev), Selected: cp.Period == selected})
	}
	out := []choiceGroup{current}
	if len(past.Options) > 0 {
		out = append(out, past)
	}
	for _, g := range out {
		for _, o := range g.Options {
			if o.Selected {
				return out
			}
		}
	}
	return append([]choiceGroup{{Label: t(lg, "sc.asked_period"), Options: []choice{{Value: selected, Label: selected, Selected: true}}}}, out...)
}

// crumbs lead from the nation down to the scope shown; the last one is the
// page itself.
func (p *Pages) crumbs(lg, period string, kind model.ScopeKind, code, region string) []crumb {
	out := []crumb{{Label: scopeLabel(lg, model.ScopeNational, "", ""), Href: p.drill(lg, period, model.ScopeNational, "")}}
	if kind == model.ScopeRegion || kind == model.ScopeDepartment && region != "" {
		r := code
		if kind == model.ScopeDepartment {
			r = region
		}
		out = append(out, crumb{Label: scopeLabel(lg, model.ScopeRegion, r, ""), Href: p.drill(lg, period, model.ScopeRegion, r)})
	}
	if kind == model.ScopeDepartment {
		out = append(out, crumb{Label: scopeLabel(lg, model.ScopeDepartment, code, ""), Href: p.drill(lg, period, model.ScopeDepartment, code)})
	}
	out[len(out)-1].Href = ""
	return out
}

// drill is the link to a scope: its scorecard, or a site's page.
func (p *Pages) drill(lg, period string, kind model.ScopeKind, id string) string {
	if kind == model.ScopeSite {
		return "/sites/" + url.PathEscape(id) + "?lang=" + lg
	}
	return "/scorecard?scope=" + strings.ReplaceAll(url.QueryEscape(scopeKey(kind, id)), "%3A", ":") + "&period=" + url.QueryEscape(period) + "&lang=" + lg
}

// scopeKey is a scope as the query and the rows' data-scope write it.
func scopeKey(kind model.ScopeKind, id string) string {
	if kind == model.ScopeNational {
		return "national"
	}
	return string(kind) + ":" + id
}

// scopeLabel names a scope for people: "Département 75", "Paris 11
// (PAR-11)".
func scopeLabel(lg string, kind model.ScopeKind, id, name string) string {
	switch {
	case kind == model.ScopeNational:
		return t(lg, "scope.national")
	case kind == model.ScopeSite && name != "":
		return name + " (" + id + ")"
	}
	return t(lg, "scope."+string(kind)) + " " + id
}

// countOf words a count with its message for none, one or more.
func countOf(lg string, n int, none, one, many string) string {
	switch n {
	case 0:
		return t(lg, none)
	case 1:
		return fmt.Sprintf(t(lg, one), n)
	}
	return fmt.Sprintf(t(lg, many), n)
}

// unitLang is the index of a language in units' pairs.
func unitLang(lg string) int {
	if lg == indicators.EN {
		return 1
	}
	return 0
}
