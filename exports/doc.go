// Package exports writes spreadsheets (excelize) and open data from the
// indicator engine's figures, read only through Engine.Results (and
// Series, held to it) so that a file shows exactly what the API shows:
// the agency workbook (agency.go: summary against targets with status
// colours and print setup, a day or week breakdown per channel as Excel
// tables, 12-month charts of the published indicators, the method), the
// director workbook (director.go: a scope's sub-scopes × the indicators
// coloured by status, a sheet per indicator family, the sub-scopes ranked
// on each published indicator; spread.go: the spread across sites of the
// scope and its regions or departments), raw
// records streamed into CSV or an xlsx cut at Excel's row limit (raw.go),
// and the open data — published, closed results with enough sample — as
// CSV and JSON, with each result's definition version and spread across
// sites, under a Frictionless Table Schema and data package
// (opendata.go, schema.go). xlsx.go holds the shared styles, number
// formats and print setup. Callers (api, cmd) decide who may read what.
package exports
