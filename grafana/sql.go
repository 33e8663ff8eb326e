package grafana

import (
	"fmt"
	"strings"

	"globaloffice/indicators"
)

// AllValue is the custom "All" value of the ClickHouse variables. Grafana
// inserts a custom all value as it is, without the variable's format, so
// it is already a SQL literal; the filters test it before comparing.
const AllValue = "'__all'"

// Query is one SQL query of the generated dashboards, with the columns its
// panel (or variable) reads, in order.
type Query struct {
	Dashboard string
	Panel     string
	SQL       string
	Columns   []string
}

// monthly keeps the closed calendar months (2026-02), the periods whose
// history the panels draw; weeks, quarters and ranges are closed too.
const monthly = `match(period, '^[0-9]{4}-[0-9]{2}$')`

// latest keeps each period's latest revision: a period closed again
// replaces its figures, as everywhere else.
const latest = `(period, revision) IN (SELECT period, max(revision) FROM results GROUP BY period)`

// currentMonth is the latest closed month ending in the dashboard's range.
const currentMonth = `period = (SELECT max(period) FROM results WHERE ` + monthly + ` AND period_to <= toDate($__toTime))`

// scopeFilter picks the results of the selected site, else of the selected
// region, else the national ones.
const scopeFilter = `toString(scope) = multiIf(${site:singlequote} != '__all', 'site', ${region:singlequote} != '__all', 'region', 'national')
  AND scope_id = multiIf(${site:singlequote} != '__all', ${site:singlequote}, ${region:singlequote} != '__all', ${region:singlequote}, '')`

// sitesFilter keeps the events of the selected sites (every site of the
// selected region when site is All).
const sitesFilter = `site IN (SELECT id FROM sites FINAL WHERE (${region:singlequote} = '__all' OR region = ${region:singlequote}) AND (${site:singlequote} = '__all' OR id = ${site:singlequote}))`

// channelFilter keeps the events of the selected channel.
const channelFilter = `(${channel:singlequote} = '__all' OR channel = ${channel:singlequote})`

// quote is a ClickHouse string literal.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// titles maps indicator ids to their English titles in SQL.
func titles(defs []*indicators.Definition) string {
	ids, names := make([]string, len(defs)), make([]string, len(defs))
	for i, d := range defs {
		ids[i], names[i] = quote(d.ID), quote(d.Title.In("en"))
	}
	return fmt.Sprintf("transform(indicator, [%s], [%s], indicator)", strings.Join(ids, ", "), strings.Join(names, ", "))
}

func idList(defs []*indicators.Definition) string {
	ids := make([]string, len(defs))
	for i, d := range defs {
		ids[i] = quote(d.ID)
	}
	return strings.Join(ids, ", ")
}

// nationalSQL is every published commitment's current national figure
// with the spread of its sites.
func nationalSQL(published []*indicators.Definition) string {
	return `SELECT ` + titles(published) + ` AS commitment, period, value, target, toString(status) AS status, sample,
  spread_sites, spread_min, spread_p10, spread_median, spread_p90, spread_max, spread_missed
FROM results
WHERE scope = 'national' AND indicator IN (` + idList(published) + `)
  AND ` + currentMonth + `
  AND ` + latest + `
ORDER BY indicator`
}

var nationalColumns = []string{"commitment", "period", "value", "target", "status", "sample",
	"spread_sites", "spread_min", "spread_p10", "spread_median", "spread_p90", "spread_max", "spread_missed"}

// regionSQL is one commitment's current figure in each region, with the
// spread of the region's sites where the engine computed one.
func regionSQL(d *indicators.Definition) string {
	return `SELECT scope_id AS region, value, target, toString(status) AS status, sample, spread_sites, spread_min, spread_median, spread_max, spread_missed
FROM results
WHERE scope = 'region' AND indicator = ` + quote(d.ID) + `
  AND ` + currentMonth + `
  AND ` + latest + `
ORDER BY region`
}

var regionColumns = []string{"region", "value", "target", "status", "sample", "spread_sites", "spread_min", "spread_median", "spread_max", "spread_missed"}

// historySQL is one indicator's closed months in the selected scope, its
// value and its target. The channel selector empties the panels of the
// other channels' indicators.
func historySQL(d *indicators.Definition) string {
	ch := ""
	if c := d.Channel(); c != "" {
		ch = "\n  AND (${channel:singlequote} = '__all' OR ${channel:singlequote} = " + quote(c) + ")"
	}
	return `SELECT ` + midnightUTC("period_from") + ` AS time, value, target
FROM results
WHERE indicator = ` + quote(d.ID) + ` AND ` + monthly + `
  AND $__dateFilter(period_from)
  AND ` + scopeFilter + `
  AND ` + latest + ch + `
ORDER BY time`
}

var historyColumns = []string{"time", "value", "target"}

// midnightUTC is a civil date as a time at its midnight in UTC: the
// dashboards are drawn in UTC, so that a site's local date shows as it is
// whatever the viewer's zone. (18.16 cannot parse a bare date as a
// DateTime.)
func midnightUTC(date string) string {
	return `toDateTime(concat(toString(` + date + `), ' 00:00:00'), 'UTC')`
}

// volumeSources are the raw event tables drawn as volumes, with their
// civil-date column (the site's local date, computed at ingest).
var volumeSources = []struct{ title, table, date string }{
	{"Contacts per day", "contacts", "arrived_date"},
	{"Cases received per day", "cases", "received_date"},
	{"Survey responses per day", "survey_responses", "answered_date"},
}

// volumeSQL counts the events of the selected sites and channel by the
// sites' local day, in buckets of the panel's interval (at least a day);
// raw SQL because volumes are not indicators. FINAL: the event tables are
// ReplacingMergeTrees (a retried insert, a case's versions) and an unmerged
// copy must not count twice.
func volumeSQL(table, date string) string {
	final := " FINAL"
	bucket := `toDate(toUInt16(intDiv(toUInt32(toUInt16(` + date + `)), greatest(intDiv($__interval_s, 86400), 1)) * greatest(intDiv($__interval_s, 86400), 1)))`
	return `SELECT ` + midnightUTC(bucket) + ` AS time,
  toUInt64(count()) AS records
FROM ` + table + final + `
WHERE $__dateFilter(` + date + `)
  AND ` + sitesFilter + `
  AND ` + channelFilter + `
GROUP BY time
ORDER BY time`
}

var volumeColumns = []string{"time", "records"}

// siteListSQL lists the selected sites with their time zones: the dates
// of the panels are each site's own.
const siteListSQL = `SELECT id, name, toString(region) AS region, toString(department) AS department, toString(timezone) AS timezone
FROM sites FINAL
WHERE (${region:singlequote} = '__all' OR region = ${region:singlequote}) AND (${site:singlequote} = '__all' OR id = ${site:singlequote})
ORDER BY id`

var siteListColumns = []string{"id", "name", "region", "department", "timezone"}

// Variable queries of the site dashboard: region, then the region's sites.
// The channels are the catalog's (a custom variable): those its panels
// measure.
const (
	regionsSQL = `SELECT DISTINCT toString(region) AS region FROM sites FINAL ORDER BY region`
	sitesSQL   = `SELECT id FROM sites FINAL WHERE ${region:singlequote} = '__all' OR region = ${region:singlequote} ORDER BY id`
)
