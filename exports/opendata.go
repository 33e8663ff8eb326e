package exports

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"globaloffice/indicators"
	"globaloffice/model"
)

// Open data: the published results of closed periods with enough sample,
// one row per scope × indicator × closed period, in a stable order and a
// documented schema (OpenFields, written as a Table Schema), so that a diff
// between two publications shows what changed.

// OpenRow is one published result.
type OpenRow struct {
	Period       string   `json:"period"`
	PeriodStart  string   `json:"period_start"`
	PeriodEnd    string   `json:"period_end"`
	Scope        string   `json:"scope"`
	ScopeID      string   `json:"scope_id"`
	ScopeName    string   `json:"scope_name"`
	RegionID     string   `json:"region_id"`
	DepartmentID string   `json:"department_id"`
	SiteID       string   `json:"site_id"`
	Indicator    string   `json:"indicator"`
	TitleFR      string   `json:"title_fr"`
	TitleEN      string   `json:"title_en"`
	Unit         string   `json:"unit"`
	Value        *float64 `json:"value"`
	Meeting      *float64 `json:"meeting"`
	Counted      *float64 `json:"counted"`
	Sample       uint64   `json:"sample"`
	CILow        *float64 `json:"ci_low"`
	CIHigh       *float64 `json:"ci_high"`
	Target       *float64 `json:"target"`
	Met          *bool    `json:"met"`
	Status       string   `json:"status"`
	Revision     int      `json:"revision"`
	ClosedAt     string   `json:"closed_at"`
	Method       string   `json:"method"`
	Version      int      `json:"version"`
	VersionSince *string  `json:"version_since"`
	SpreadSites  *int     `json:"spread_sites"`
	SpreadMin    *float64 `json:"spread_min"`
	SpreadP10    *float64 `json:"spread_p10"`
	SpreadMedian *float64 `json:"spread_median"`
	SpreadP90    *float64 `json:"spread_p90"`
	SpreadMax    *float64 `json:"spread_max"`
	SpreadMissed *int     `json:"spread_missed"`
}

// OpenFilter narrows open data: empty fields keep everything.
type OpenFilter struct {
	Period    string // a closed period's name
	Indicator string
	Site      string // that site's rows only
}

// LoadOpenData reads the latest revision of every closed period through
// Results and keeps what the public may see: published indicators, with
// enough sample. methodBase prefixes each row's link to the method
// (BASE/api/v1/indicators#ID).
func LoadOpenData(ctx context.Context, eng *indicators.Engine, f OpenFilter, methodBase string) ([]OpenRow, error) {
	closed, err := eng.ClosedPeriods(ctx)
	if err != nil {
		return nil, err
	}
	sites, err := eng.Sites(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]model.Site{}
	for _, s := range sites {
		byID[s.ID] = s
	}
	var rows []OpenRow
	for _, cp := range closed {
		if f.Period != "" && cp.Period != f.Period {
			continue
		}
		p, err := indicators.ParsePeriod(cp.Period, eng.Now())
		if err != nil {
			return nil, fmt.Errorf("closed period %s: %w", cp.Period, err)
		}
		sel := indicators.Selection{}
		if f.Indicator != "" {
			sel.Indicators = []string{f.Indicator}
		}
		if f.Site != "" {
			sel.Scope, sel.Sites = model.ScopeSite, []string{f.Site}
		}
		rep, err := eng.Results(ctx, indicators.Query{Period: p, Selection: sel})
		if err != nil {
			return nil, fmt.Errorf("open data of %s: %w", cp.Period, err)
		}
		if !rep.Provenance.Closed {
			continue
		}
		for _, r := range rep.Results {
			d, ok := eng.Catalog.Get(r.Indicator)
			if !ok || !d.Published || r.Status == indicators.StatusInsufficientData || r.Value == nil {
				continue
			}
			rows = append(rows, openRow(d, p, rep.Provenance, r, byID, methodBase))
		}
	}
	rank := map[string]int{"national": 0, "region": 1, "department": 2, "site": 3}
	slices.SortStableFunc(rows, func(a, b OpenRow) int {
		return cmp.Or(cmp.Compare(a.PeriodStart, b.PeriodStart), cmp.Compare(a.PeriodEnd, b.PeriodEnd), cmp.Compare(a.Period, b.Period),
			cmp.Compare(rank[a.Scope], rank[b.Scope]), cmp.Compare(a.ScopeID, b.ScopeID), cmp.Compare(a.Indicator, b.Indicator))
	})
	return rows, nil
}

func openRow(d *indicators.Definition, p indicators.Period, pv indicators.Provenance, r indicators.Result, sites map[string]model.Site, base string) OpenRow {
	o := OpenRow{
		Period: p.Name, PeriodStart: p.From.Format(time.DateOnly), PeriodEnd: p.To.Format(time.DateOnly),
		Scope: string(r.Scope), ScopeID: r.ScopeID, Indicator: d.ID, TitleFR: d.Title.FR, TitleEN: d.Title.EN, Unit: r.Unit,
		Value: r.Value, Sample: r.Sample, CILow: r.CILow, CIHigh: r.CIHigh, Target: r.Target, Status: r.Status,
		Revision: pv.Revision, ClosedAt: pv.ClosedAt.UTC().Format(time.RFC3339), Method: base + "/api/v1/indicators#" + d.ID,
	}
	if d.IsProportion() {
		o.Meeting, o.Counted = r.Numerator, r.Denominator
	}
	o.Version = max(r.Version, 1)
	if r.VersionSince != "" {
		o.VersionSince = ptr(r.VersionSince)
	}
	if s := r.Spread; s != nil {
		o.SpreadSites, o.SpreadMissed = ptr(s.Sites), ptr(s.Missed)
		o.SpreadMin, o.SpreadP10, o.SpreadMedian, o.SpreadP90, o.SpreadMax = s.Min, s.P10, s.Median, s.P90, s.Max
	}
	switch r.Status {
	case indicators.StatusMet:
		o.Met = ptr(true)
	case indicators.StatusMissed:
		o.Met = ptr(false)
	}
	switch r.Scope {
	case model.ScopeNational:
		o.ScopeName = "France"
	case model.ScopeRegion:
		o.ScopeName, o.RegionID = "Région "+r.ScopeID, r.ScopeID
	case model.ScopeDepartment:
		o.ScopeName, o.DepartmentID = "Département "+r.ScopeID, r.ScopeID
		for _, s := range sites {
			if s.Department == r.ScopeID {
				o.RegionID = s.Region
				break
			}
		}
	case model.ScopeSite:
		s := sites[r.ScopeID]
		o.ScopeName, o.SiteID, o.DepartmentID, o.RegionID = s.Name, s.ID, s.Department, s.Region
	}
	return o
}

// WriteOpenCSV writes rows as CSV (UTF-8, comma, header of the field
// names; an empty field is a missing value).
func WriteOpenCSV(w io.Writer, rows []OpenRow) error {
	cw := csv.NewWriter(w)
	names := make([]string, len(OpenFields))
	for i, f := range OpenFields {
		names[i] = f.Name
	}
	if err := cw.Write(names); err != nil {
		return err
	}
	rec := make([]string, len(OpenFields))
	for _, r := range rows {
		fl := func(v *float64) string {
			if v == nil {
				return ""
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		}
		met := ""
		if r.Met != nil {
			met = strconv.FormatBool(*r.Met)
		}
		in := func(v *int) string {
			if v == nil {
				return ""
			}
			return strconv.Itoa(*v)
		}
		since := ""
		if r.VersionSince != nil {
			since = *r.VersionSince
		}
		rec = append(rec[:0], r.Period, r.PeriodStart, r.PeriodEnd, r.Scope, r.ScopeID, r.ScopeName, r.RegionID, r.DepartmentID, r.SiteID,
			r.Indicator, r.TitleFR, r.TitleEN, r.Unit, fl(r.Value), fl(r.Meeting), fl(r.Counted), strconv.FormatUint(r.Sample, 10),
			fl(r.CILow), fl(r.CIHigh), fl(r.Target), met, r.Status, strconv.Itoa(r.Revision), r.ClosedAt, r.Method,
			strconv.Itoa(r.Version), since, in(r.SpreadSites), fl(r.SpreadMin), fl(r.SpreadP10), fl(r.SpreadMedian), fl(r.SpreadP90), fl(r.SpreadMax), in(r.SpreadMissed))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteOpenJSON writes rows as a JSON array of objects named as the CSV's
// columns (null for a missing value).
func WriteOpenJSON(w io.Writer, rows []OpenRow) error {
	if rows == nil {
		rows = []OpenRow{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(rows)
}
