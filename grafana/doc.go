// Package grafana generates the Grafana dashboards from the indicator
// catalog, so that a new indicator appears on the dashboards as it does
// everywhere else (globaloffice grafana generate writes them into
// provisioning/dashboards, where they are committed).
//
// It holds:
//   - ClickHouseQuery and its builder: the ClickHouse plugin's raw-SQL
//     target as a foundation SDK Dataquery (the SDK has no ClickHouse type);
//   - the dashboards: the national overview (each published commitment's
//     current month, national with its sites' spread, and by region), the
//     site dashboard (region → site → channel, one panel per indicator with
//     its definition, the target dashed, and raw volumes by local day), and
//     the ingest health over the collectors' Prometheus metrics;
//   - their SQL, which reads the closed results (latest revision) for
//     indicator figures and the raw event tables only for volumes, with the
//     plugin's macros that ClickHouse 18.16 can run ($__timeFilter,
//     $__dateFilter, $__fromTime, $__toTime, $__interval_s; never
//     $__timeInterval, whose toStartOfInterval 18.16 lacks);
//   - Generate and Stale, to write the dashboards and to tell stale
//     committed ones;
//   - UserStatements: the read-only user of the data source on a
//     ClickHouse with SQL users (18.x takes it from users.xml, see
//     store/chserver).
//
// The provisioning files (data sources, dashboards provider) live beside
// this package in provisioning/.
package grafana
