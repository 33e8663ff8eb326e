package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"globaloffice/api"
	"globaloffice/auth"
	"globaloffice/indicators"
	"globaloffice/model"
	"globaloffice/store"
)

// IndicatorResult is one period's timing.
type IndicatorResult struct {
	Period      string
	Results     int
	Engine      time.Duration // the engine, reading the derived tables
	Raw         time.Duration // the engine reading the raw tables (Compiler.Raw), once
	HandWritten time.Duration // the hand-written SQL, reading what the engine reads
	// EngineHand is the engine over the indicators that have hand-written
	// SQL only (bench/handwritten): what HandWritten is compared with.
	EngineHand   time.Duration
	DataContacts uint64
}

// IndicatorTiming is one indicator's time for the month, next to a bare
// count() of that month's rows of the table it reads.
type IndicatorTiming struct {
	ID, Table string
	Engine    time.Duration
	Count     time.Duration
	Rows      uint64
}

// ScorecardTiming is the latency of the national scorecard, live.
type ScorecardTiming struct {
	Path     string
	Requests int
	P50, P99 time.Duration
}

// IndicatorReport is what the indicator benchmark measured in one run.
type IndicatorReport struct {
	Periods      []IndicatorResult
	PerIndicator []IndicatorTiming
	// CasesFinal is `SELECT count() FROM cases FINAL`: the cost of reading
	// the case history once, the scale for a month of the whole catalog.
	CasesFinal time.Duration
	Scorecard  ScorecardTiming
}

// prepareStructures brings a data set loaded with clickhouse-client (or
// kept from an earlier run) to what a running server keeps: the schema
// migrated, case_completions built from the cases, every settled month of
// contacts and responses merged into one part.
func prepareStructures(ctx context.Context, db *store.DB, logf func(string, ...any)) error {
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	var completions, cases uint64
	if err := db.Conn().QueryRow(ctx, `SELECT count() FROM case_completions`).Scan(&completions); err != nil {
		return err
	}
	if err := db.Conn().QueryRow(ctx, `SELECT count() FROM cases`).Scan(&cases); err != nil {
		return err
	}
	if completions == 0 && cases > 0 {
		t0 := time.Now()
		st, err := db.RebuildCaseCompletions(ctx, 0)
		if err != nil {
			return err
		}
		logf("case_completions built: %d entries in %s", st.Completions, time.Since(t0).Round(time.Millisecond))
	}
	for _, table := range []string{"contacts", "survey_responses", "case_completions"} {
		t0 := time.Now()
		months, err := db.Compact(ctx, table, 0)
		if err != nil {
			return err
		}
		if len(months) > 0 {
			logf("%s: %d months merged in %s", table, len(months), time.Since(t0).Round(time.Millisecond))
		}
	}
	// Nothing is being ingested: exact as of now.
	t0 := time.Now()
	st, err := indicators.ResolveJourneyStarts(ctx, db, 0, false)
	if err != nil {
		return err
	}
	if st.Resolved > 0 {
		logf("journey_starts: %d opening contacts of %d months resolved in %s", st.Resolved, st.Months, time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

// readAs is how the hand-written SQL reads table over the periods: without
// FINAL when every month they touch that holds rows (ten days after each
// period included: repeat contacts' followers) is merged into one part.
func readAs(ctx context.Context, db *store.DB, table string, ps []indicators.Period) (string, error) {
	merged, err := db.MergedMonths(ctx, table)
	if err != nil {
		return "", err
	}
	if table == "case_completions" {
		// As the engine reads them (Engine.mergedMonths): with FINAL.
		return table + " FINAL", nil
	}
	for _, p := range ps {
		to := p.To.AddDate(0, 0, 10)
		for d := p.From; !d.After(to); d = time.Date(d.Year(), d.Month()+1, 1, 0, 0, 0, 0, time.UTC) {
			if m, stored := merged[store.Month(d)]; stored && !m {
				return table + " FINAL", nil
			}
		}
	}
	return table, nil
}

// best runs f twice and keeps the faster.
func best(f func() (time.Duration, error)) (time.Duration, error) {
	var b time.Duration
	for try := range 2 {
		d, err := f()
		if err != nil {
			return 0, err
		}
		if try == 0 || d < b {
			b = d
		}
	}
	return b, nil
}

func timed(f func() error) (time.Duration, error) {
	t0 := time.Now()
	err := f()
	return time.Since(t0), err
}

// sources are, by indicator source, the table the engine reads and the
// date that places a row in a period.
var sources = map[string][2]string{
	"contacts": {"contacts", "arrived_date"},
	"cases":    {"case_completions", "completed_date"},
	"surveys":  {"survey_responses", "answered_date"},
}

// measure times the catalog for a month and the year (the derived tables,
// the raw ones once, the hand-written SQL), each indicator's month, the
// case history read once, and the scorecard.
func measure(ctx context.Context, o IndicatorOptions, db *store.DB, n uint64, logf func(string, ...any)) (IndicatorReport, error) {
	var rep IndicatorReport
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		return rep, err
	}
	eng := indicators.NewEngine(db, cat, false)
	raw := indicators.NewEngine(db, cat, false)
	raw.Compiler.Raw = true
	if rep.CasesFinal, err = best(func() (time.Duration, error) {
		return timed(func() error {
			var c uint64
			return db.Conn().QueryRow(ctx, `SELECT count() FROM cases FINAL`).Scan(&c)
		})
	}); err != nil {
		return rep, err
	}
	logf("SELECT count() FROM cases FINAL: %s", rep.CasesFinal.Round(time.Millisecond))
	month := fmt.Sprintf("%d-06", o.Year)
	for _, name := range []string{month, strconv.Itoa(o.Year)} {
		p, err := indicators.ParsePeriod(name, time.Now())
		if err != nil {
			return rep, err
		}
		r := IndicatorResult{Period: name, DataContacts: n}
		run := func(e *indicators.Engine) func() (time.Duration, error) {
			return func() (time.Duration, error) {
				return timed(func() error {
					res, err := e.Results(ctx, indicators.Query{Period: p, Live: true})
					r.Results = len(res.Results)
					return err
				})
			}
		}
		if r.Engine, err = best(run(eng)); err != nil {
			return rep, err
		}
		if r.HandWritten, err = best(func() (time.Duration, error) { return runHandwritten(ctx, o, db, p) }); err != nil {
			return rep, err
		}
		if r.EngineHand, err = best(func() (time.Duration, error) {
			return timed(func() error {
				_, err := eng.Results(ctx, indicators.Query{Period: p, Live: true, Selection: indicators.Selection{Indicators: handwrittenIDs()}})
				return err
			})
		}); err != nil {
			return rep, err
		}
		if r.Raw, err = run(raw)(); err != nil {
			return rep, err
		}
		logf("%s: engine %s, hand-written %s, raw tables %s", name, r.Engine.Round(time.Millisecond), r.HandWritten.Round(time.Millisecond), r.Raw.Round(time.Millisecond))
		rep.Periods = append(rep.Periods, r)
	}
	p, err := indicators.ParsePeriod(month, time.Now())
	if err != nil {
		return rep, err
	}
	for _, d := range cat.Indicators {
		src := sources[d.Source]
		it := IndicatorTiming{ID: d.ID, Table: src[0]}
		sel := indicators.Selection{Indicators: []string{d.ID}}
		if it.Engine, err = best(func() (time.Duration, error) {
			return timed(func() error {
				_, err := eng.Results(ctx, indicators.Query{Period: p, Live: true, Selection: sel})
				return err
			})
		}); err != nil {
			return rep, err
		}
		q := fmt.Sprintf("SELECT count() FROM %s WHERE %s >= toDate(?) AND %s <= toDate(?)", src[0], src[1], src[1])
		if it.Count, err = best(func() (time.Duration, error) {
			return timed(func() error {
				return db.Conn().QueryRow(ctx, q, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)).Scan(&it.Rows)
			})
		}); err != nil {
			return rep, err
		}
		rep.PerIndicator = append(rep.PerIndicator, it)
	}
	if rep.Scorecard, err = scorecardTiming(ctx, db, eng, fmt.Sprintf("%d-12", o.Year), 15); err != nil {
		return rep, err
	}
	logf("%s: p50 %s, p99 %s", rep.Scorecard.Path, rep.Scorecard.P50.Round(time.Millisecond), rep.Scorecard.P99.Round(time.Millisecond))
	return rep, nil
}

// scorecardTiming serves the API on the data set and asks n times, one
// after the other, as a director, for the national scorecard of period,
// live: the data set's last month stands for the current one.
func scorecardTiming(ctx context.Context, db *store.DB, eng *indicators.Engine, period string, n int) (ScorecardTiming, error) {
	st := ScorecardTiming{Path: "/api/v1/scorecard?period=" + period + "&scope=national&live=true", Requests: n}
	tok, secret, err := auth.NewToken("bench", model.RoleDirector, nil, nil, "bench", time.Now(), time.Hour)
	if err != nil {
		return st, err
	}
	if err := db.PutToken(ctx, tok); err != nil {
		return st, err
	}
	keys := auth.NewKeyring(db.Tokens, 10*time.Second)
	if err := keys.Reload(ctx); err != nil {
		return st, err
	}
	router := api.New(api.Deps{Server: &api.Server{Engine: eng, DB: db, Keyring: keys, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}})
	base, stop, err := listen(router)
	if err != nil {
		return st, err
	}
	defer stop()
	c := &http.Client{Timeout: 5 * time.Minute}
	var lat []time.Duration
	for range n {
		t0 := time.Now()
		if _, err := get(c, base+st.Path, secret); err != nil {
			return st, err
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	// Nearest rank.
	rank := func(p float64) time.Duration { return lat[max(0, int(p*float64(len(lat))+0.999999)-1)] }
	st.P50, st.P99 = rank(0.5), rank(0.99)
	return st, nil
}

// WriteIndicatorReport prints the timings and their ratios.
func WriteIndicatorReport(w io.Writer, rep IndicatorReport) {
	fmt.Fprintf(w, "%-10s %12s %9s %10s %13s %14s %7s %13s %10s %10s\n", "period", "contacts", "results", "engine s", "engine (hw) s", "hand-written s", "ratio", "raw tables s", "÷ history", "hw ÷ hist.")
	for _, r := range rep.Periods {
		fmt.Fprintf(w, "%-10s %12d %9d %10.2f %13.2f %14.2f %7.2f %13.2f %10.2f %10.2f\n", r.Period, r.DataContacts, r.Results, r.Engine.Seconds(), r.EngineHand.Seconds(), r.HandWritten.Seconds(),
			r.EngineHand.Seconds()/r.HandWritten.Seconds(), r.Raw.Seconds(), r.Engine.Seconds()/rep.CasesFinal.Seconds(), r.EngineHand.Seconds()/rep.CasesFinal.Seconds())
	}
	if len(rep.Periods) == 2 {
		fmt.Fprintf(w, "month ÷ year: %.2f (raw tables: %.2f)\n", rep.Periods[0].Engine.Seconds()/rep.Periods[1].Engine.Seconds(), rep.Periods[0].Raw.Seconds()/rep.Periods[1].Raw.Seconds())
	}
	fmt.Fprintf(w, "history read once: SELECT count() FROM cases FINAL %.2f s\n", rep.CasesFinal.Seconds())
	fmt.Fprintln(w, "engine = the whole catalog; engine (hw) = the indicators with hand-written SQL; ratio = engine (hw) ÷ their hand-written SQL reading the same tables (two clickhouse-clients at once, as the engine runs two queries at once), goal ≤ 1.5; ÷ history = the whole catalog ÷ the history read once, goal ≤ 3 for the month; hw ÷ hist. = engine (hw) ÷ the history (the catalog of issues 13–14)")
	fmt.Fprintf(w, "\n%-34s %-17s %9s %10s %10s %7s\n", "indicator (month)", "table", "engine s", "rows", "count() s", "ratio")
	for _, it := range rep.PerIndicator {
		fmt.Fprintf(w, "%-34s %-17s %9.3f %10d %10.3f %7.1f\n", it.ID, it.Table, it.Engine.Seconds(), it.Rows, it.Count.Seconds(), it.Engine.Seconds()/it.Count.Seconds())
	}
	fmt.Fprintln(w, "ratio = the indicator for the month (with the previous month and last year, every scope) ÷ a bare count() of the month's rows of its table")
	sc := rep.Scorecard
	fmt.Fprintf(w, "\nGET %s as a director, %d requests one after the other: p50 %.2f s, p99 %.2f s\n", sc.Path, sc.Requests, sc.P50.Seconds(), sc.P99.Seconds())
}
