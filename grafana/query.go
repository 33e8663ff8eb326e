package grafana

import (
	"encoding/json"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// PluginID is the Grafana ClickHouse plugin's data source type.
const PluginID = "grafana-clickhouse-datasource"

// Format is the plugin's result format (its src/types/sql.ts).
type Format int

// The plugin's formats.
const (
	FormatTimeSeries Format = 0
	FormatTable      Format = 1
)

// ClickHouseQuery is a raw-SQL target of the ClickHouse plugin. The
// foundation SDK ships no ClickHouse type, so this one implements its
// Dataquery variant with the fields the plugin reads.
type ClickHouseQuery struct {
	RefID      string                   `json:"refId"`
	Hide       *bool                    `json:"hide,omitempty"`
	Datasource *dashboard.DataSourceRef `json:"datasource,omitempty"`
	EditorType string                   `json:"editorType"`
	QueryType  string                   `json:"queryType"`
	RawSQL     string                   `json:"rawSql"`
	Format     Format                   `json:"format"`
}

// ImplementsDataqueryVariant marks ClickHouseQuery as a query for cog.
func (ClickHouseQuery) ImplementsDataqueryVariant() {}

// DataqueryType is the plugin's id.
func (ClickHouseQuery) DataqueryType() string { return PluginID }

// Validate accepts every query: its SQL is checked against ClickHouse by
// the package's tests.
func (ClickHouseQuery) Validate() error { return nil }

// Equals compares two queries field by field.
func (q ClickHouseQuery) Equals(other variants.Dataquery) bool {
	o, ok := other.(ClickHouseQuery)
	if !ok {
		return false
	}
	a, _ := json.Marshal(q)
	b, _ := json.Marshal(o)
	return string(a) == string(b)
}

// ClickHouseQueryVariantConfig lets cog unmarshal dashboards holding
// ClickHouse targets (cog.NewRuntime().RegisterDataqueryVariant).
func ClickHouseQueryVariantConfig() variants.DataqueryConfig {
	return variants.DataqueryConfig{
		Identifier: PluginID,
		DataqueryUnmarshaler: func(raw []byte) (variants.Dataquery, error) {
			var q ClickHouseQuery
			if err := json.Unmarshal(raw, &q); err != nil {
				return nil, err
			}
			return q, nil
		},
	}
}

var _ cog.Builder[variants.Dataquery] = (*ClickHouseQueryBuilder)(nil)

// ClickHouseQueryBuilder builds a ClickHouseQuery for a panel's WithTarget.
type ClickHouseQueryBuilder struct {
	q ClickHouseQuery
}

// NewClickHouseQuery is a SQL-editor query on the given data source.
func NewClickHouseQuery(ds dashboard.DataSourceRef, sql string, f Format) *ClickHouseQueryBuilder {
	qt := "timeseries"
	if f == FormatTable {
		qt = "table"
	}
	return &ClickHouseQueryBuilder{q: ClickHouseQuery{RefID: "A", Datasource: &ds, EditorType: "sql", QueryType: qt, RawSQL: sql, Format: f}}
}

// RefID names the query within its panel.
func (b *ClickHouseQueryBuilder) RefID(id string) *ClickHouseQueryBuilder {
	b.q.RefID = id
	return b
}

// Build returns the query.
func (b *ClickHouseQueryBuilder) Build() (variants.Dataquery, error) {
	return b.q, b.q.Validate()
}
