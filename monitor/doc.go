// Package monitor holds the indicator gauges Prometheus alerts on: for each
// published indicator, the national value and target of the current month
// (the month of the engine's clock, in the server's local time zone), and
// whether the value meets the target; with the time of the last successful
// computation and a count of failed ones.
//
// The figures come from indicators.Engine.Results, the one results entry
// point, on a timer (Gauges.Run): a scrape reads the last snapshot and
// never queries ClickHouse. Every series is labelled by indicator only.
package monitor
