package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Version is a ClickHouse server version. Every difference between the 18.16
// server this project is tested on and current releases is decided here, so
// that the rest of the code never compares versions itself.
type Version struct {
	Major, Minor, Patch uint64
}

func versionOf(sv *driver.ServerVersion) Version {
	return Version{Major: sv.Version.Major, Minor: sv.Version.Minor, Patch: sv.Version.Patch}
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// legacy is true for servers before 19.1, which need settings that current
// servers reject as unknown.
func (v Version) legacy() bool { return v.Major < 19 }

// ddlSettings are the settings CREATE TABLE needs on this server: 18.x only
// accepts LowCardinality columns with an experimental flag that current
// servers no longer know (Code 115).
func (v Version) ddlSettings() clickhouse.Settings {
	if v.legacy() {
		return clickhouse.Settings{"allow_experimental_low_cardinality_type": 1}
	}
	return nil
}

// ddlContext returns ctx carrying the DDL settings of this server, and on
// a cluster how long a statement ON CLUSTER waits for every replica.
func (db *DB) ddlContext(ctx context.Context) context.Context {
	s := db.version.ddlSettings()
	if db.cluster != "" {
		return clusterContext(ctx, s, db.ddlTimeout)
	}
	if s != nil {
		return clickhouse.Context(ctx, clickhouse.WithSettings(s))
	}
	return ctx
}

// clusterContext is ctx with settings s and, when timeout is set, the
// setting bounding a statement ON CLUSTER (known to 18.16 and current
// releases alike).
func clusterContext(ctx context.Context, s clickhouse.Settings, timeout time.Duration) context.Context {
	all := clickhouse.Settings{}
	for k, v := range s {
		all[k] = v
	}
	if timeout > 0 {
		all["distributed_ddl_task_timeout"] = max(1, int(timeout.Seconds()))
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(all))
}
