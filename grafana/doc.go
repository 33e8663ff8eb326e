// Package grafana generates the Grafana dashboards and provisioning files from the indicator catalog.
//
// The package fills in with the issues that build it; the layout is fixed
// from the start so that dependencies point one way (see README.md).
package grafana
