package indicators

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"globaloffice/model"
	"globaloffice/store"
)

// Targets are the current management targets, by indicator, scope and year.
type Targets struct {
	m map[targetKey]float64
}

type targetKey struct {
	indicator string
	scope     scopeKey
	year      int
}

// LoadTargets reads the current value of every target (the latest set).
func LoadTargets(ctx context.Context, db *store.DB) (*Targets, error) {
	rows, err := db.Conn().Query(ctx, `SELECT indicator, toString(scope), scope_id, toUInt16(year), argMax(target, set_at) FROM targets GROUP BY indicator, scope, scope_id, year`)
	if err != nil {
		return nil, fmt.Errorf("targets: %w", err)
	}
	defer rows.Close()
	t := &Targets{m: map[targetKey]float64{}}
	for rows.Next() {
		var ind, scope, id string
		var year uint16
		var v float64
		if err := rows.Scan(&ind, &scope, &id, &year, &v); err != nil {
			return nil, fmt.Errorf("targets: %w", err)
		}
		t.m[targetKey{ind, scopeKey{model.ScopeKind(scope), id}, int(year)}] = v
	}
	return t, rows.Err()
}

// For is the target of an indicator for a scope and year: its own, or the
// nearest one above it (site → department → region → national).
func (t *Targets) For(indicator string, k scopeKey, year int, sites map[string]model.Site) *float64 {
	chain := []scopeKey{k}
	region := ""
	switch k.kind {
	case model.ScopeSite:
		s := sites[k.id]
		chain = append(chain, scopeKey{model.ScopeDepartment, s.Department})
		region = s.Region
	case model.ScopeDepartment:
		for _, s := range sites {
			if s.Department == k.id {
				region = s.Region
				break
			}
		}
	}
	if region != "" {
		chain = append(chain, scopeKey{model.ScopeRegion, region})
	}
	if k.kind != model.ScopeNational {
		chain = append(chain, scopeKey{model.ScopeNational, ""})
	}
	for _, c := range chain {
		if v, ok := t.m[targetKey{indicator, c, year}]; ok {
			return &v
		}
	}
	return nil
}

// ErrTargetRange is what errors.Is finds in the refusal of targets that
// force would have taken: outside their unit's range, or a fraction on a
// percentage.
var ErrTargetRange = errors.New("target outside its unit's range")

// TargetError is a refused row of a targets file.
type TargetError struct {
	Line   int
	Field  string
	Reason string
	// Range tells that the row was refused only because the target cannot
	// mean what it says in its unit: forcing takes it as given.
	Range bool
}

func (e TargetError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason) }

// Is makes errors.Is(err, ErrTargetRange) true of a range refusal.
func (e TargetError) Is(target error) bool { return target == ErrTargetRange && e.Range }

// TargetRange is the range of values a target of d can mean: 0 to 100 for
// a percentage, −100 to 100 for points (an NPS), the scale of the answers
// read for a score (one scale for a mean score; every scale filtered on,
// or all of them, otherwise), 0 and up for durations and counts.
func TargetRange(d *Definition) (lo, hi float64) {
	switch d.Unit {
	case "percent":
		return 0, 100
	case "points":
		return -100, 100
	case "score":
		scales := d.Filter["scale"]
		if len(scales) == 0 {
			for _, sc := range model.Scales {
				scales = append(scales, string(sc))
			}
		}
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, sc := range scales {
			if l, h := model.Scale(sc).Bounds(); l <= h {
				lo, hi = math.Min(lo, float64(l)), math.Max(hi, float64(h))
			}
		}
		if lo <= hi {
			return lo, hi
		}
	}
	return 0, math.Inf(1)
}

// checkRange refuses a target that cannot mean what it says for d: outside
// its unit's range, or above 0 and at most 1 on a percentage (a share
// written as a fraction: 0.8 for 80 %, which a result of 61.5 % would
// meet). "" when it can.
func checkRange(d *Definition, v float64) string {
	lo, hi := TargetRange(d)
	switch {
	case d.Unit == "percent" && v > 0 && v <= 1:
		return fmt.Sprintf("%s looks like a fraction, but %s is in percent (0 to 100): did you mean %s?", targetNum(v), d.ID, targetNum(v*100))
	case v < lo || v > hi:
		if math.IsInf(hi, 1) {
			return fmt.Sprintf("%s is below %s: %s cannot be negative", targetNum(v), targetNum(lo), unitWords(d.Unit))
		}
		return fmt.Sprintf("%s is outside %s to %s, the range of %s", targetNum(v), targetNum(lo), targetNum(hi), unitWords(d.Unit))
	}
	return ""
}

// targetNum writes a target as a person would: 80, not 80.00000000000001.
func targetNum(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e9)/1e9, 'f', -1, 64)
}

// unitWords names a unit in a refusal.
func unitWords(unit string) string {
	switch unit {
	case "percent":
		return "a percentage"
	case "points":
		return "an NPS in points"
	case "score":
		return "the answers' scale"
	case "working_days":
		return "working days"
	case "count":
		return "a count"
	case "per_100":
		return "a number per 100 open cases"
	case "handoffs":
		return "a number of hand-offs"
	}
	return unit
}

// TargetRow is one row of targets as given, in a file or an API request:
// Line is its line in the file, or its position in the request.
type TargetRow struct {
	Line      int
	Indicator string
	Scope     string // national, region:CODE, department:CODE or site:ID
	Year      string
	Target    string // in the indicator's unit; a decimal comma is taken
}

// CheckTargets validates rows of targets and makes them, set by by at at.
// Every bad row is reported; nothing is returned unless all rows are good.
// A target outside its unit's range (TargetRange), or a fraction on a
// percentage, is refused with a hint unless force: then it is taken as
// given (and its history shows who set it).
func CheckTargets(rows []TargetRow, cat *Catalog, sites []model.Site, by string, at time.Time, force bool) ([]model.Target, error) {
	known := map[model.ScopeKind]map[string]bool{model.ScopeSite: {}, model.ScopeDepartment: {}, model.ScopeRegion: {}}
	for _, s := range sites {
		known[model.ScopeSite][s.ID] = true
		known[model.ScopeDepartment][s.Department] = true
		known[model.ScopeRegion][s.Region] = true
	}
	var out []model.Target
	var errs []error
	seen := map[string]int{}
	for _, r := range rows {
		line := r.Line
		t := model.Target{Indicator: r.Indicator, SetBy: by, SetAt: at}
		d, ok := cat.Get(t.Indicator)
		if !ok {
			errs = append(errs, TargetError{Line: line, Field: "indicator", Reason: fmt.Sprintf("unknown indicator %q", t.Indicator)})
		}
		kind, id, _ := strings.Cut(r.Scope, ":")
		t.Scope, t.ScopeID = model.ScopeKind(kind), id
		switch {
		case r.Scope == "national":
			t.ScopeID = ""
		case kind == "site" || kind == "department" || kind == "region":
			if id == "" || !known[t.Scope][id] {
				errs = append(errs, TargetError{Line: line, Field: "scope", Reason: fmt.Sprintf("unknown %s %q", kind, id)})
			}
		default:
			errs = append(errs, TargetError{Line: line, Field: "scope", Reason: fmt.Sprintf("%q is not national, region:CODE, department:CODE or site:ID", r.Scope)})
		}
		y, err := strconv.Atoi(r.Year)
		if err != nil || y < 2000 || y > 2100 {
			errs = append(errs, TargetError{Line: line, Field: "year", Reason: fmt.Sprintf("%q is not a year", r.Year)})
		}
		t.Year = y
		v, err := strconv.ParseFloat(strings.Replace(r.Target, ",", ".", 1), 64)
		switch {
		case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
			errs = append(errs, TargetError{Line: line, Field: "target", Reason: fmt.Sprintf("%q is not a number", r.Target)})
		case ok && !force:
			if why := checkRange(d, v); why != "" {
				errs = append(errs, TargetError{Line: line, Field: "target", Reason: why, Range: true})
			}
		}
		t.Value = v
		key := fmt.Sprintf("%s|%s|%s|%d", t.Indicator, t.Scope, t.ScopeID, t.Year)
		if first, dup := seen[key]; dup {
			errs = append(errs, TargetError{Line: line, Field: "row", Reason: fmt.Sprintf("the same indicator, scope and year as line %d", first)})
		} else {
			seen[key] = line
		}
		out = append(out, t)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// ReadTargets parses a targets CSV (indicator,scope,year,target; scope
// national, region:CODE, department:CODE or site:ID). Every bad row is
// reported; nothing is returned unless all rows are good. force takes
// targets outside their unit's range as given (see CheckTargets).
func ReadTargets(r io.Reader, cat *Catalog, sites []model.Site, by string, at time.Time, force bool) ([]model.Target, error) {
	cr := csv.NewReader(skipBOM(r))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("targets file: no header indicator,scope,year,target")
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var errs []error
	for _, c := range []string{"indicator", "scope", "year", "target"} {
		if _, ok := col[c]; !ok {
			errs = append(errs, TargetError{Line: 1, Field: c, Reason: "missing column (header must be indicator,scope,year,target)"})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var rows []TargetRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("targets file: %w", err))
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			errs = append(errs, TargetError{Line: line, Field: "row", Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		rows = append(rows, TargetRow{Line: line, Indicator: get("indicator"), Scope: get("scope"), Year: get("year"), Target: get("target")})
	}
	out, err := CheckTargets(rows, cat, sites, by, at, force)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, errors.New("targets file: no targets after the header")
	}
	return out, nil
}

// SaveTargets records targets; older values stay in the history.
func SaveTargets(ctx context.Context, db *store.DB, ts []model.Target) error {
	// set_at has seconds only and the current target is the latest set_at:
	// an import in the same second as the previous one is dated a second
	// after it, so that it wins.
	var last time.Time
	if err := db.Conn().QueryRow(ctx, `SELECT max(set_at) FROM targets`).Scan(&last); err != nil {
		return fmt.Errorf("save targets: %w", err)
	}
	for i := range ts {
		if at := ts[i].SetAt.UTC().Truncate(time.Second); !at.After(last) {
			ts[i].SetAt = last.Add(time.Second)
		}
	}
	b, err := db.Conn().PrepareBatch(db.KeepRepeats(ctx), `INSERT INTO targets (indicator, scope, scope_id, year, target, set_by, set_at)`)
	if err != nil {
		return fmt.Errorf("save targets: %w", err)
	}
	for _, t := range ts {
		if err := b.Append(t.Indicator, string(t.Scope), t.ScopeID, uint16(t.Year), t.Value, t.SetBy, t.SetAt.UTC().Truncate(time.Second)); err != nil {
			_ = b.Abort()
			return fmt.Errorf("save targets: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("save targets: %w", err)
	}
	return nil
}

// TargetHistory lists every value an indicator's targets had, newest first.
func TargetHistory(ctx context.Context, db *store.DB, indicator string) ([]model.Target, error) {
	rows, err := db.Conn().Query(ctx, `SELECT indicator, toString(scope), scope_id, toUInt16(year), target, set_by, set_at FROM targets WHERE indicator = ? ORDER BY scope, scope_id, year, set_at DESC`, indicator)
	if err != nil {
		return nil, fmt.Errorf("target history: %w", err)
	}
	defer rows.Close()
	var out []model.Target
	for rows.Next() {
		var t model.Target
		var scope string
		var year uint16
		if err := rows.Scan(&t.Indicator, &scope, &t.ScopeID, &year, &t.Value, &t.SetBy, &t.SetAt); err != nil {
			return nil, err
		}
		t.Scope, t.Year = model.ScopeKind(scope), int(year)
		out = append(out, t)
	}
	return out, rows.Err()
}

// skipBOM drops a UTF-8 byte-order mark (spreadsheets write one) before the
// CSV reader sees it: a BOM before a quoted header breaks the reader.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	return br
}

// CurrentTargets lists the target in force for every indicator, scope and
// year (the latest set), with who set it and when.
func CurrentTargets(ctx context.Context, db *store.DB) ([]model.Target, error) {
	rows, err := db.Conn().Query(ctx, `SELECT indicator, toString(scope), scope_id, toUInt16(year), argMax(target, set_at) AS v, argMax(set_by, set_at) AS by, max(set_at) AS at
FROM targets GROUP BY indicator, scope, scope_id, year ORDER BY indicator, scope, scope_id, year`)
	if err != nil {
		return nil, fmt.Errorf("targets: %w", err)
	}
	defer rows.Close()
	var out []model.Target
	for rows.Next() {
		var t model.Target
		var scope string
		var year uint16
		if err := rows.Scan(&t.Indicator, &scope, &t.ScopeID, &year, &t.Value, &t.SetBy, &t.SetAt); err != nil {
			return nil, fmt.Errorf("targets: %w", err)
		}
		t.Scope, t.Year = model.ScopeKind(scope), int(year)
		out = append(out, t)
	}
	return out, rows.Err()
}
