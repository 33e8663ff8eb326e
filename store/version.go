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
		return clusterContext(ctx, db.version, s, db.ddlTimeout)
	}
	if s != nil {
		return clickhouse.Context(ctx, clickhouse.WithSettings(s))
	}
	return ctx
}

// clusterContext is ctx with settings s and, when timeout is set, the
// setting bounding a statement ON CLUSTER (known to 18.16 and current
// releases alike).
func clusterContext(ctx context.Context, v Version, s clickhouse.Settings, timeout time.Duration) context.Context {
	all := clickhouse.Settings{}
	for k, val := range s {
		all[k] = val
	}
	if timeout > 0 {
		all["distributed_ddl_task_timeout"] = v.int64Setting(max(1, int(timeout.Seconds())))
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(all))
}

// int64Setting is the value to send for n in a setting of type Int64:
// 18.x reads settings in binary, an Int64 one as a zigzag varint, while
// clickhouse-go writes a plain varint, so that n arrives as n/2 (measured:
// a distributed_ddl_task_timeout of 6 s sent by clickhouse-go timed out
// after 3 s, "(=3)"). Current releases read settings as strings.
func (v Version) int64Setting(n int) int {
	if v.legacy() {
		return 2 * n
	}
	return n
}
