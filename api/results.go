package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"globaloffice/auth"
	"globaloffice/indicators"
	"globaloffice/model"
)

type resultsInput struct {
	Page
	Period      string   `query:"period" required:"true" maxLength:"40" doc:"2026-05-14, 2026-W19, 2026-05, 2026-Q2, 2026, 2026-ytd, 2026-05-r12 (the twelve months ending May 2026) or FROM..TO"`
	Scope       string   `query:"scope" enum:"site,department,region,national" doc:"only this scope level (default: all)"`
	Site        []string `query:"site,explode" maxItems:"200" doc:"only these sites and the scopes above them (repeatable)"`
	Indicator   []string `query:"indicator,explode" maxItems:"200" doc:"only these indicators (repeatable; default: the catalog)"`
	Live        bool     `query:"live" doc:"compute from the data stored now even when the period is closed (needs a token)"`
	Revision    int      `query:"revision" minimum:"0" doc:"a revision of a closed period (default: the latest)"`
	By          string   `query:"by" enum:"segment,motive" doc:"break each indicator down by the user's segment (contacts and cases) or the contacts' motive: one result per value met in the period, computed live (needs a token; never public)"`
	IfNoneMatch string   `header:"If-None-Match" doc:"the ETag of a closed result already held: 304 when unchanged"`
}

// ResultsBody is a page of results, the same objects as indicators compute
// --format json, with where they come from.
type ResultsBody struct {
	Period     string                `json:"period"`
	From       string                `json:"from" doc:"first day, YYYY-MM-DD"`
	To         string                `json:"to" doc:"last day"`
	Provenance indicators.Provenance `json:"provenance"`
	Items      []indicators.Result   `json:"items"`
	PageInfo
}

type resultsOutput struct {
	ETag         string `header:"ETag"`
	CacheControl string `header:"Cache-Control"`
	Vary         string `header:"Vary"`
	Body         ResultsBody
}

// report reads the results a caller may see: the one results entry point,
// narrowed to the caller's sites, then filtered by what the caller may see
// (the public: closed, published, enough sample).
func (s *Server) report(ctx context.Context, p auth.Principal, period string, sel indicators.Selection, live bool, revision int) (indicators.Report, error) {
	if err := need(p, p.ReadsResults(), "reading results"); err != nil {
		return indicators.Report{}, err
	}
	if live {
		if err := need(p, p.ReadsLive(), "live figures"); err != nil {
			return indicators.Report{}, err
		}
	}
	// Breakdowns are computed live, and segments are never public.
	if sel.By != "" {
		if err := need(p, p.ReadsLive(), "results broken down by "+sel.By); err != nil {
			return indicators.Report{}, err
		}
	}
	per, err := indicators.ParsePeriod(period, s.now())
	if err != nil {
		return indicators.Report{}, huma.Error422UnprocessableEntity(err.Error(), &huma.ErrorDetail{Location: "query.period", Value: period})
	}
	if p.Role == model.RoleManager {
		for _, id := range sel.Sites {
			if !p.ReadsSite(id) {
				return indicators.Report{}, huma.Error403Forbidden("site " + id + " is not among this token's sites")
			}
		}
		if len(sel.Sites) == 0 {
			sel.Sites = p.Sites
		}
	}
	rep, err := s.Engine.Results(ctx, indicators.Query{Period: per, Selection: sel, Live: live, Revision: revision})
	var se *indicators.SelectionError
	switch {
	case errors.As(err, &se):
		return rep, huma.Error422UnprocessableEntity(se.Error())
	case errors.Is(err, indicators.ErrNoRevision):
		return rep, huma.Error404NotFound(err.Error())
	case err != nil:
		return rep, s.unavailable(ctx, "computing results", err)
	}
	if p.IsAnonymous() && !rep.Provenance.Closed {
		return rep, huma.Error404NotFound(fmt.Sprintf("period %s is not closed: its results are not published yet", per))
	}
	if p.ReadsAll() {
		return rep, nil
	}
	rep.Keep(s.Engine.Catalog, p.SeesResult)
	return rep, nil
}

// caching sets ETag and Cache-Control: closed results are fixed for a
// revision (a new closing makes a new ETag); live ones are never cached.
// The ETag covers the revision, the request and who may see what.
func caching(p auth.Principal, rep indicators.Report, request ...string) (etag, cacheControl string) {
	if !rep.Provenance.Closed {
		return "", "no-store"
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%s\x00%s\x00%s", rep.Period.Name, rep.Provenance.Revision, p.Role, strings.Join(p.Sites, ","), strings.Join(request, "\x00"))
	etag = `"` + rep.Period.Name + "-r" + strconv.Itoa(rep.Provenance.Revision) + "-" + hex.EncodeToString(h.Sum(nil)[:8]) + `"`
	if p.IsAnonymous() {
		return etag, "public, max-age=300"
	}
	return etag, "private, max-age=60"
}

// notModified answers 304 when the client holds the current ETag.
func notModified(ifNoneMatch, etag, cacheControl string) error {
	if etag == "" || ifNoneMatch == "" {
		return nil
	}
	for _, m := range strings.Split(ifNoneMatch, ",") {
		m = strings.TrimPrefix(strings.TrimSpace(m), "W/")
		if m == etag || m == "*" {
			return huma.ErrorWithHeaders(huma.Status304NotModified(), http.Header{"ETag": {etag}, "Cache-Control": {cacheControl}, "Vary": {"Authorization"}})
		}
	}
	return nil
}

func (s *Server) registerResults(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "get-results", Method: http.MethodGet, Path: "/results", Tags: []string{"results"},
		Summary: "Results of a period",
		Description: "The results of every selected indicator and scope, against targets, with the previous period, the same period last year " +
			"(for twelve rolling months, the twelve ending the month before and those ending the same month a year earlier; " +
			"flagged previous_break, last_year_break when measured under another version of the definition), the spread across the sites " +
			"of each department, region and the nation, and, for a year to date, what the rest of the year must reach. A closed period gives its frozen revision (ETag, 304 on If-None-Match) " +
			"unless live=true. The public sees closed periods, published indicators and results with enough sample; a manager its sites. " +
			"by=segment or by=motive breaks each indicator down (each result then carries its breakdown), live, for token holders only.",
	}, func(ctx context.Context, in *resultsInput) (*resultsOutput, error) {
		p := principalOf(ctx)
		sel := indicators.Selection{Indicators: in.Indicator, Scope: model.ScopeKind(in.Scope), Sites: in.Site, By: in.By}
		rep, err := s.report(ctx, p, in.Period, sel, in.Live, in.Revision)
		if err != nil {
			return nil, err
		}
		etag, cc := caching(p, rep, "results", in.Scope, strings.Join(in.Site, ","), strings.Join(in.Indicator, ","), strconv.Itoa(in.Page.Page), strconv.Itoa(in.Limit))
		if err := notModified(in.IfNoneMatch, etag, cc); err != nil {
			return nil, err
		}
		out := &resultsOutput{ETag: etag, CacheControl: cc, Vary: "Authorization"}
		out.Body = ResultsBody{Period: rep.Period.Name, From: rep.Period.From.Format("2006-01-02"), To: rep.Period.To.Format("2006-01-02"), Provenance: rep.Provenance}
		out.Body.Items, out.Body.PageInfo = paginate(rep.Results, in.Page)
		return out, nil
	})
	s.registerScorecard(api)
}

type scorecardInput struct {
	Period      string `query:"period" required:"true" maxLength:"40" doc:"as for /results"`
	Scope       string `query:"scope" default:"national" maxLength:"60" doc:"national, region:CODE or department:CODE: its sub-scopes are the rows"`
	Live        bool   `query:"live" doc:"compute from the data stored now even when the period is closed (needs a token)"`
	IfNoneMatch string `header:"If-None-Match"`
}

// Scorecard is the sub-scopes of a scope × the indicators: the regions of
// the nation, the departments of a region or the sites of a department,
// the rows with the most missed targets first.
type Scorecard struct {
	Period     string                `json:"period"`
	Provenance indicators.Provenance `json:"provenance"`
	Scope      ScopeRow              `json:"scope" doc:"the scope itself"`
	Indicators []ScorecardColumn     `json:"indicators" doc:"the columns, in catalog order"`
	Rows       []ScopeRow            `json:"rows" doc:"its sub-scopes, misses first"`
}

// ScorecardColumn is an indicator of the scorecard.
type ScorecardColumn struct {
	ID        string          `json:"id"`
	Title     indicators.Text `json:"title"`
	Unit      string          `json:"unit"`
	Direction string          `json:"direction"`
}

// ScopeRow is one scope's cells.
type ScopeRow struct {
	Scope   model.ScopeKind `json:"scope"`
	ScopeID string          `json:"scope_id"`
	Name    string          `json:"name,omitempty" doc:"the site's name, for sites"`
	Missed  int             `json:"missed" doc:"indicators off target"`
	Cells   []Cell          `json:"cells" doc:"one per indicator with a result the caller may see"`
}

// Cell is one indicator of one scope.
type Cell struct {
	Indicator string   `json:"indicator"`
	Value     *float64 `json:"value"`
	Target    *float64 `json:"target"`
	Status    string   `json:"status" enum:"met,missed,insufficient_data,no_target"`
	Sample    uint64   `json:"sample"`
	CILow     *float64 `json:"ci_low"`
	CIHigh    *float64 `json:"ci_high"`
	Previous  *float64 `json:"previous"`
	LastYear  *float64 `json:"last_year"`
	Change    *float64 `json:"change" doc:"value − previous; null across a change of definition (previous_break)"`
	// Better tells whether the change is an improvement, given the
	// indicator's direction (null without a change).
	Better        *bool    `json:"better"`
	Required      *float64 `json:"required_rest_of_year"`
	Version       int      `json:"version" doc:"the definition's version the value was computed with"`
	PreviousBreak bool     `json:"previous_break" doc:"previous was measured under another definition: no trend"`
	LastYearBreak bool     `json:"last_year_break" doc:"last_year was measured under another definition: no trend"`
	// Spread is given on the scope's own row only.
	Spread *indicators.Spread `json:"spread,omitempty" doc:"the spread across the scope's sites with enough sample (the scope's own row)"`
}

type scorecardOutput struct {
	ETag         string `header:"ETag"`
	CacheControl string `header:"Cache-Control"`
	Vary         string `header:"Vary"`
	Body         Scorecard
}

func cellOf(d *indicators.Definition, r indicators.Result) Cell {
	c := Cell{Indicator: r.Indicator, Value: r.Value, Target: r.Target, Status: r.Status, Sample: r.Sample, CILow: r.CILow, CIHigh: r.CIHigh,
		Previous: r.Previous, LastYear: r.LastYear, Required: r.Required, Version: r.Version, PreviousBreak: r.PreviousBreak, LastYearBreak: r.LastYearBreak}
	if r.Value != nil && r.Previous != nil && !r.PreviousBreak { // across a break, no trend
		ch := *r.Value - *r.Previous
		better := ch > 0 && d.Direction == "higher" || ch < 0 && d.Direction == "lower"
		c.Change, c.Better = &ch, &better
	}
	return c
}

func (s *Server) registerScorecard(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "get-scorecard", Method: http.MethodGet, Path: "/scorecard", Tags: []string{"results"},
		Summary: "Scorecard of a scope",
		Description: "The sub-scopes of a scope × the indicators, with value, target, status, sample, interval, trend and required rest of year, the rows with the most misses first. " +
			"Across a change of an indicator's definition (previous_break) there is no change nor better. The scope's own row carries the spread across its sites.",
	}, func(ctx context.Context, in *scorecardInput) (*scorecardOutput, error) {
		p := principalOf(ctx)
		sc, err := indicators.ParseScope(in.Scope)
		if err != nil {
			return nil, huma.Error422UnprocessableEntity(err.Error(), &huma.ErrorDetail{Location: "query.scope", Value: in.Scope})
		}
		sites, err := s.Engine.Sites(ctx)
		if err != nil {
			return nil, s.unavailable(ctx, "reading the sites", err)
		}
		// The sites of the scope, and the names of its sub-scopes' sites.
		names := map[string]string{}
		var within []string // for a manager, its sites only
		exists := false
		for _, st := range sites {
			names[st.ID] = st.Name
			if sc.Holds(st) {
				exists = true
				if p.Role != model.RoleManager || p.ReadsSite(st.ID) {
					within = append(within, st.ID)
				}
			}
		}
		if !exists {
			return nil, huma.Error404NotFound("no site in " + in.Scope)
		}
		rep, err := s.report(ctx, p, in.Period, sc.Selection(within), in.Live, 0)
		if err != nil {
			return nil, err
		}
		own, subs := sc.Split(rep, within)
		etag, cc := caching(p, own, "scorecard", in.Scope)
		if err := notModified(in.IfNoneMatch, etag, cc); err != nil {
			return nil, err
		}
		card := Scorecard{Period: own.Period.Name, Provenance: own.Provenance, Scope: ScopeRow{Scope: sc.Kind, ScopeID: sc.Code, Cells: []Cell{}}, Rows: []ScopeRow{}}
		rows := map[string]*ScopeRow{}
		used := map[string]bool{}
		for _, r := range append(own.Results, subs.Results...) {
			d, _ := s.Engine.Catalog.Get(r.Indicator)
			var row *ScopeRow
			switch {
			case r.Scope == card.Scope.Scope && r.ScopeID == card.Scope.ScopeID:
				row = &card.Scope
			case r.Scope == sc.Sub:
				if row = rows[r.ScopeID]; row == nil {
					row = &ScopeRow{Scope: sc.Sub, ScopeID: r.ScopeID, Cells: []Cell{}}
					if sc.Sub == model.ScopeSite {
						row.Name = names[r.ScopeID]
					}
					rows[r.ScopeID] = row
				}
			default:
				continue
			}
			c := cellOf(d, r)
			if row == &card.Scope {
				c.Spread = r.Spread
			}
			row.Cells = append(row.Cells, c)
			if r.Status == indicators.StatusMissed {
				row.Missed++
			}
			used[r.Indicator] = true
		}
		for _, d := range s.Engine.Catalog.Indicators {
			if used[d.ID] {
				card.Indicators = append(card.Indicators, ScorecardColumn{ID: d.ID, Title: d.Title, Unit: d.Unit, Direction: d.Direction})
			}
		}
		for _, row := range rows {
			card.Rows = append(card.Rows, *row)
		}
		slices.SortFunc(card.Rows, func(a, b ScopeRow) int {
			if a.Missed != b.Missed {
				return b.Missed - a.Missed
			}
			return strings.Compare(a.ScopeID, b.ScopeID)
		})
		if card.Indicators == nil {
			card.Indicators = []ScorecardColumn{}
		}
		return &scorecardOutput{ETag: etag, CacheControl: cc, Vary: "Authorization", Body: card}, nil
	})
}
