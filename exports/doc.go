// Package exports writes spreadsheets (excelize) and open-data files from indicator results.
//
// The package fills in with the issues that build it; the layout is fixed
// from the start so that dependencies point one way (see README.md).
package exports
