package grafana

import (
	"fmt"
	"regexp"
)

var userName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// UserStatements create the read-only user of Grafana's data source on a
// ClickHouse with SQL access control (20.x and later): reads of the
// database only, readonly = 2 (no writes or DDL, session settings allowed:
// the plugin sends its timeout as max_execution_time). 18.x has no CREATE
// USER: its users live in users.xml, which the local server writes. With
// cluster set (clickhouse.cluster) the statements go ON CLUSTER: users are
// each server's own, not replicated with the tables.
func UserStatements(user, password, database, cluster string) ([]string, error) {
	if !userName.MatchString(user) {
		return nil, fmt.Errorf("grafana.user %q: use letters, digits and _ only", user)
	}
	if !userName.MatchString(database) {
		return nil, fmt.Errorf("database %q: use letters, digits and _ only", database)
	}
	on := ""
	if cluster != "" {
		if !userName.MatchString(cluster) {
			return nil, fmt.Errorf("cluster %q: use letters, digits and _ only", cluster)
		}
		on = " ON CLUSTER " + cluster
	}
	return []string{
		fmt.Sprintf("CREATE USER IF NOT EXISTS %s%s IDENTIFIED BY %s SETTINGS readonly = 2", user, on, quote(password)),
		// Again for an existing user: a changed password or setting applies.
		fmt.Sprintf("ALTER USER %s%s IDENTIFIED BY %s SETTINGS readonly = 2", user, on, quote(password)),
		fmt.Sprintf("GRANT%s SELECT ON %s.* TO %s", on, database, user),
	}, nil
}
