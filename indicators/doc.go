// Package indicators is the indicator engine: the catalog of commitments, its compiler to ClickHouse SQL, calendars and working days, targets, evaluation and period closing.
//
// The package fills in with the issues that build it; the layout is fixed
// from the start so that dependencies point one way (see README.md).
package indicators
