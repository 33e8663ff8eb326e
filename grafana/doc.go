// Package grafana will generate the Grafana dashboards and provisioning
// files from the indicator catalog, so that a new indicator appears on the
// dashboards as it does everywhere else. It holds nothing yet: the Grafana
// issue builds it.
package grafana
