// Package indicators is the indicator engine.
//
// It holds the catalog of the charter's commitments and management
// indicators (catalog.go: a YAML file validated into Definitions, errors
// naming file, line and field), the typed measures each definition computes
// (measure.go: one type per measure — share, ratio, mean, quantile, count,
// top box, mean score, NPS, repeat contact — each knowing its checks, its
// SQL, its value and its projection; backlog.go: the back-office backlog,
// a stock of open cases measured on each period's last working day by
// zone, with the seasons that leave a period out; followup.go: the
// acknowledgement, announced-delay and net-of-pause values of cases and
// the paused_share measure), the compiler to ClickHouse SQL
// (compile.go: every scope of several periods in one query, reading only
// the periods' months: case_completions for cases, merged months without
// FINAL; Compiler.Raw keeps the raw path, which the tests compare; hours.go:
// a contacts indicator's opening_hours, the contacts that arrived while
// their site was open, in its local time, zone holidays closed), periods
// (period.go), management targets and their history (targets.go), the
// evaluation of results against targets with Wilson intervals and the
// required rest of year (evaluate.go), the respondents and distribution of
// answers per level of satisfaction results, each score on its own scale
// (distribution.go), the spread of a department's,
// region's or the nation's sites (spread.go), definition versions and the
// series breaks they make in comparisons (version.go), and the closing of
// periods into frozen revisions, which keep both (close.go).
//
// Engine.Results (results.go) is the one entry point for reading figures:
// a closed period's frozen revision or live figures, for a Selection of
// indicators, scopes and a site (selection.go), with their provenance.
// The command line, the API, the pages, the exports and the dashboards all
// read through it.
package indicators
