//lint:file-ignore SA1019 dashboardv2 (schema v2) needs Grafana 12's new dashboard APIs; file provisioning on every current Grafana reads the v1 JSON the dashboard package writes.

package grafana

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"

	"globaloffice/indicators"
)

// PromPanel is one panel of the ingest health dashboard: its PromQL
// expressions over the metrics of ingest/metrics.go.
type PromPanel struct {
	Title, Description, Unit string
	Exprs                    []PromExpr
}

// PromExpr is a PromQL expression and its legend.
type PromExpr struct{ Expr, Legend string }

// sel is the source selector: the source variable's regex (All is .*).
const sel = `source=~"$source"`

// IngestPanels are the ingest health panels.
var IngestPanels = []PromPanel{
	{"Accepted records per second", "Records the collectors accepted, by kind and source.", "reqps", []PromExpr{
		{`sum by (kind, source) (rate(globaloffice_ingest_records_total{outcome="accepted", ` + sel + `}[$__rate_interval]))`, "{{kind}} {{source}}"}}},
	{"Rejected and duplicate records per second", "Records refused by validation (rejected) or already stored (duplicate), by kind and source.", "reqps", []PromExpr{
		{`sum by (kind, source) (rate(globaloffice_ingest_records_total{outcome="rejected", ` + sel + `}[$__rate_interval]))`, "rejected {{kind}} {{source}}"},
		{`sum by (kind, source) (rate(globaloffice_ingest_records_total{outcome="duplicate", ` + sel + `}[$__rate_interval]))`, "duplicate {{kind}} {{source}}"}}},
	{"Rejects by field", "Refused records by kind and the field at fault (all sources).", "reqps", []PromExpr{
		{`sum by (kind, field) (rate(globaloffice_ingest_rejects_total[$__rate_interval]))`, "{{kind}} {{field}}"}}},
	{"Spooled", "Segments waiting in the local spool while ClickHouse is away, failing ones, and the age of the oldest.", "short", []PromExpr{
		{`sum by (instance) (globaloffice_ingest_spool_segments)`, "segments {{instance}}"},
		{`sum by (instance) (globaloffice_ingest_spool_failing_segments)`, "failing {{instance}}"},
		{`max by (instance) (globaloffice_ingest_spool_oldest_age_seconds)`, "oldest age (s) {{instance}}"},
		{`sum by (instance) (rate(globaloffice_ingest_spool_drained_records_total[$__rate_interval]))`, "drained/s {{instance}}"}}},
	{"Quarantined records", "Acknowledged records in quarantined spool segments, not in ClickHouse: anything above 0 needs an operator.", "short", []PromExpr{
		{`sum by (instance) (globaloffice_ingest_spool_quarantined_records)`, "{{instance}}"}}},
	{"Insert latency", "ClickHouse insert duration by kind: median and 90th percentile.", "s", []PromExpr{
		{`histogram_quantile(0.5, sum by (le, kind) (rate(globaloffice_ingest_insert_seconds_bucket[$__rate_interval])))`, "p50 {{kind}}"},
		{`histogram_quantile(0.9, sum by (le, kind) (rate(globaloffice_ingest_insert_seconds_bucket[$__rate_interval])))`, "p90 {{kind}}"}}},
	{"Records per insert", "Batch size of the ClickHouse inserts by kind (average).", "short", []PromExpr{
		{`sum by (kind) (rate(globaloffice_ingest_batch_records_sum[$__rate_interval])) / sum by (kind) (rate(globaloffice_ingest_batch_records_count[$__rate_interval]))`, "{{kind}}"}}},
	{"ClickHouse errors per second", "ClickHouse errors seen by the collectors, by operation.", "reqps", []PromExpr{
		{`sum by (op) (rate(globaloffice_clickhouse_errors_total[$__rate_interval]))`, "{{op}}"}}},
}

// ingestHealth is the ingest health dashboard over Prometheus; it holds no
// SQL.
func ingestHealth(*indicators.Catalog) (string, *dashboard.DashboardBuilder, []Query) {
	const name = "globaloffice-ingest"
	b := dashboard.NewDashboardBuilder("globaloffice: ingest health").
		Uid(name).Tags([]string{"globaloffice"}).Time("now-6h", "now").Refresh("1m").
		Description("The collectors' Prometheus metrics (/metrics): accepted, rejected, spooled, quarantined, insert latency, per source.").
		WithVariable(dashboard.NewQueryVariableBuilder("source").Label("Source").Datasource(prometheusDS).
			Query(dashboard.StringOrMap{String: cog.ToPtr("label_values(globaloffice_ingest_records_total, source)")}).
			Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
			IncludeAll(true).AllowCustomValue(false).AllValue(".*").Current(allOption()))
	for _, p := range IngestPanels {
		pb := series().Title(p.Title).Description(p.Description).
			Datasource(prometheusDS).Span(12).Height(8).Unit(p.Unit)
		for i, e := range p.Exprs {
			pb.WithTarget(prometheus.NewDataqueryBuilder().RefId(string(rune('A' + i))).Expr(e.Expr).LegendFormat(e.Legend).Datasource(prometheusDS))
		}
		b.WithPanel(pb)
	}
	return name, b, nil
}
