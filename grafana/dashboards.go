//lint:file-ignore SA1019 dashboardv2 (schema v2) needs Grafana 12's new dashboard APIs; file provisioning on every current Grafana reads the v1 JSON the dashboard package writes.

package grafana

import (
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"globaloffice/indicators"
)

// The provisioned data sources' uids (provisioning/datasources).
const (
	ClickHouseUID = "globaloffice-clickhouse"
	PrometheusUID = "globaloffice-prometheus"
)

var (
	clickhouseDS = dashboard.DataSourceRef{Type: cog.ToPtr(PluginID), Uid: cog.ToPtr(ClickHouseUID)}
	prometheusDS = dashboard.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr(PrometheusUID)}
)

// File is one generated dashboard.
type File struct {
	Name string // file name under the dashboards folder
	JSON []byte
}

// Dashboards generates the dashboards of a catalog and the SQL queries they
// hold (for the tests that run them).
func Dashboards(cat *indicators.Catalog) ([]File, []Query, error) {
	var files []File
	var queries []Query
	for _, g := range []func(*indicators.Catalog) (string, *dashboard.DashboardBuilder, []Query){overview, site, ingestHealth} {
		name, b, q := g(cat)
		d, err := b.Build()
		if err != nil {
			return nil, nil, fmt.Errorf("dashboard %s: %w", name, err)
		}
		js, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return nil, nil, fmt.Errorf("dashboard %s: %w", name, err)
		}
		files = append(files, File{Name: name + ".json", JSON: append(js, '\n')})
		queries = append(queries, q...)
	}
	return files, queries, nil
}

// unit is Grafana's unit for a catalog unit.
func unit(u string) string {
	switch u {
	case "percent":
		return "percent"
	case "minutes":
		return "m"
	case "seconds":
		return "s"
	case "days":
		return "d"
	}
	return "none"
}

// description is an indicator's definition, in the engine's words, and
// its public commitment.
func description(d *indicators.Definition) string {
	s := d.Describe("en")
	if d.Commitment.EN != "" {
		s += "\n\nCommitment: " + d.Commitment.EN
	}
	return s + fmt.Sprintf("\n\n%s (version %d); closed results, latest revision of each month.", d.ID, d.Version)
}

func published(cat *indicators.Catalog) []*indicators.Definition {
	var out []*indicators.Definition
	for _, d := range cat.Indicators {
		if d.Published {
			out = append(out, d)
		}
	}
	return out
}

// overview is the national overview: each published commitment's current
// month against its target, its sites' spread, and its regions.
func overview(cat *indicators.Catalog) (string, *dashboard.DashboardBuilder, []Query) {
	const name = "globaloffice-overview"
	pub := published(cat)
	var qs []Query
	nat := nationalSQL(pub)
	qs = append(qs, Query{name, "Commitments", nat, nationalColumns})
	b := dashboard.NewDashboardBuilder("globaloffice: national overview").
		Uid(name).Tags([]string{"globaloffice"}).Timezone("utc").Time("now-90d", "now").
		Description("Published commitments: the latest closed month ending in the time range, national and by region (closed results, latest revision).").
		WithPanel(table.NewPanelBuilder().Title("Commitments: current month, national, with the sites' spread").
			Description("One row per published commitment: the national value of the latest closed month against its target, and the spread of the sites' values (min, 10th percentile, median, 90th percentile, max; sites that missed their target).").
			Datasource(clickhouseDS).Span(24).Height(8).
			WithTarget(NewClickHouseQuery(clickhouseDS, nat, FormatTable)))
	for _, d := range pub {
		sql := regionSQL(d)
		title := d.Title.In("en") + ": by region"
		qs = append(qs, Query{name, title, sql, regionColumns})
		b.WithPanel(table.NewPanelBuilder().Title(title).Description(description(d)).
			Datasource(clickhouseDS).Span(12).Height(8).Unit(unit(d.Unit)).
			WithTarget(NewClickHouseQuery(clickhouseDS, sql, FormatTable)))
	}
	return name, b, qs
}

// site is the site dashboard: region → site → channel, one panel per
// indicator (closed months of the selected scope, target dashed), and the
// raw volumes. Dates are the sites' local civil dates, drawn in UTC so
// that Grafana does not shift them.
func site(cat *indicators.Catalog) (string, *dashboard.DashboardBuilder, []Query) {
	const name = "globaloffice-site"
	qs := []Query{
		{name, "variable region", regionsSQL, []string{"region"}},
		{name, "variable site", sitesSQL, []string{"id"}},
	}
	channels := ""
	seen := map[string]bool{}
	for _, d := range cat.Indicators {
		if c := d.Channel(); c != "" && !seen[c] {
			seen[c] = true
			if channels != "" {
				channels += ","
			}
			channels += c
		}
	}
	b := dashboard.NewDashboardBuilder("globaloffice: site").
		Uid(name).Tags([]string{"globaloffice"}).Timezone("utc").Time("now-1y", "now").
		Description("A site, a region or the whole country (All): each indicator's closed months against target, and volumes by local day. Dates are the sites' local dates.").
		WithVariable(queryVariable("region", "Region", regionsSQL)).
		WithVariable(queryVariable("site", "Site", sitesSQL)).
		WithVariable(dashboard.NewCustomVariableBuilder("channel").Label("Channel").Values(dashboard.StringOrMap{String: cog.ToPtr(channels)}).
			IncludeAll(true).AllowCustomValue(false).AllValue(AllValue).Current(allOption()))
	b.WithRow(dashboard.NewRowBuilder("Indicators"))
	for _, d := range cat.Indicators {
		sql := historySQL(d)
		qs = append(qs, Query{name, d.ID, sql, historyColumns})
		b.WithPanel(series().Title(d.Title.In("en")).Description(description(d)).
			Datasource(clickhouseDS).Span(8).Height(8).Unit(unit(d.Unit)).ShowPoints(common.VisibilityModeAlways).
			OverrideByName("target", []dashboard.DynamicConfigValue{
				{Id: "custom.lineStyle", Value: map[string]any{"fill": "dash", "dash": []int{10, 10}}},
				{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": "red"}},
			}).
			WithTarget(NewClickHouseQuery(clickhouseDS, sql, FormatTimeSeries)))
	}
	b.WithRow(dashboard.NewRowBuilder("Volumes (raw events, local days)"))
	qs = append(qs, Query{name, "Sites", siteListSQL, siteListColumns})
	b.WithPanel(table.NewPanelBuilder().Title("Sites and their time zones").
		Description("The selected sites: every date on this dashboard is the site's local date in its time zone.").
		Datasource(clickhouseDS).Span(24).Height(6).
		WithTarget(NewClickHouseQuery(clickhouseDS, siteListSQL, FormatTable)))
	for _, v := range volumeSources {
		sql := volumeSQL(v.table, v.date)
		qs = append(qs, Query{name, v.title, sql, volumeColumns})
		b.WithPanel(series().Title(v.title).
			Description("Raw events of the selected sites and channel, by the site's local day (a bucket is the panel's interval, at least a day).").
			Datasource(clickhouseDS).Span(8).Height(8).DrawStyle(common.GraphDrawStyleBars).
			WithTarget(NewClickHouseQuery(clickhouseDS, sql, FormatTimeSeries)))
	}
	return name, b, qs
}

func allOption() dashboard.VariableOption {
	return dashboard.VariableOption{Text: dashboard.StringOrArrayOfString{String: cog.ToPtr("All")}, Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("$__all")}}
}

// queryVariable is a single-value ClickHouse variable with All, refreshed
// when the dashboard loads so that site follows region.
func queryVariable(name, label, sql string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).Label(label).Datasource(clickhouseDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr(sql)}).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).
		IncludeAll(true).AllowCustomValue(false).AllValue(AllValue).Current(allOption())
}

// series is a time series panel with its legend and a shared tooltip.
func series() *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Legend(common.NewVizLegendOptionsBuilder().ShowLegend(true).DisplayMode(common.LegendDisplayModeList).Placement(common.LegendPlacementBottom)).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderNone))
}
