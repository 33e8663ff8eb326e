package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// On a replicated cluster (Options.Cluster: one shard, its replicas and
// ZooKeeper) every DDL statement goes ON CLUSTER, so that each replica runs
// it, and each table gets the Replicated variant of its engine. The
// embedded migrations are written for one server and rewritten at apply
// time by ClusterDDL, rather than kept twice.
//
// Table names are written with their database: a statement ON CLUSTER is
// run on each host with that host's default database, not the caller's
// (18.16 and current releases alike, without a default_database in
// remote_servers). The ZooKeeper path of a table holds the database's and
// the table's names literally: 18.16 expands {database} and {table} there
// too, but the rebuild of case_completions creates its new table under
// another name and swaps it in, so it needs a path of its own (see
// RebuildCaseCompletions), which only a literal path gives.

// ReplicaPath is the ZooKeeper path of a replicated table (its replicas
// add '{replica}').
func ReplicaPath(database, table string) string {
	return "/clickhouse/tables/{shard}/" + database + "/" + table
}

var (
	reCreateTable = regexp.MustCompile(`(?is)^\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\(`)
	// reEngine is a MergeTree family engine and its arguments, if any.
	reEngine      = regexp.MustCompile(`(?is)\bENGINE\s*=\s*(\w*MergeTree)\b(\s*\(([^()]*)\))?`)
	reAlterTable  = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+(\w+)\s`)
	reDropTable   = regexp.MustCompile(`(?is)^\s*(DROP|TRUNCATE)\s+TABLE\s+(IF\s+EXISTS\s+)?(\w+)\s*$`)
	reRenameTable = regexp.MustCompile(`(?is)^\s*RENAME\s+TABLE\s+(.+)$`)
	reRenamePair  = regexp.MustCompile(`(?is)^\s*(\w+)\s+TO\s+(\w+)\s*$`)
	reDatabase    = regexp.MustCompile(`(?is)^\s*(CREATE\s+DATABASE\s+IF\s+NOT\s+EXISTS|DROP\s+DATABASE\s+IF\s+EXISTS)\s+(\w+)\s*$`)
)

// ClusterDDL rewrites one DDL statement written for a single server (the
// statements of the embedded migrations and of this package) for cluster:
// ON CLUSTER, table names qualified with database, and in a CREATE TABLE
// the engine's Replicated variant, at ReplicaPath. It refuses any
// statement it does not know, so that a new kind of migration statement
// fails its test rather than reaching one replica only.
func ClusterDDL(stmt, cluster, database string) (string, error) {
	if !ValidIdentifier(cluster) || !ValidIdentifier(database) {
		return "", fmt.Errorf("cluster %q, database %q: only letters, digits and _ are allowed", cluster, database)
	}
	on := " ON CLUSTER " + cluster
	q := func(table string) string { return database + "." + table }
	if m := reCreateTable.FindStringSubmatchIndex(stmt); m != nil {
		table := stmt[m[4]:m[5]]
		e := reEngine.FindStringSubmatchIndex(stmt)
		if e == nil {
			return "", fmt.Errorf("create table %s: no MergeTree engine to replicate", table)
		}
		engine := stmt[e[2]:e[3]]
		if strings.HasPrefix(engine, "Replicated") {
			return "", fmt.Errorf("create table %s: %s is already replicated: migrations name the single-server engine", table, engine)
		}
		args := []string{"'" + ReplicaPath(database, table) + "'", "'{replica}'"}
		if e[6] >= 0 {
			if a := strings.TrimSpace(stmt[e[6]:e[7]]); a != "" {
				args = append(args, a)
			}
		}
		head := stmt[:m[4]] + q(table) + on + " ("
		return head + stmt[m[1]:e[0]] + "ENGINE = Replicated" + engine + "(" + strings.Join(args, ", ") + ")" + stmt[e[1]:], nil
	}
	if m := reAlterTable.FindStringSubmatchIndex(stmt); m != nil {
		return stmt[:m[2]] + q(stmt[m[2]:m[3]]) + on + stmt[m[3]:], nil
	}
	if m := reDropTable.FindStringSubmatch(stmt); m != nil {
		return strings.ToUpper(m[1]) + " TABLE " + m[2] + q(m[3]) + on, nil
	}
	if m := reRenameTable.FindStringSubmatch(stmt); m != nil {
		var pairs []string
		for _, p := range strings.Split(m[1], ",") {
			pm := reRenamePair.FindStringSubmatch(p)
			if pm == nil {
				return "", fmt.Errorf("rename: %q is not NAME TO NAME", strings.TrimSpace(p))
			}
			pairs = append(pairs, q(pm[1])+" TO "+q(pm[2]))
		}
		return "RENAME TABLE " + strings.Join(pairs, ", ") + on, nil
	}
	if m := reDatabase.FindStringSubmatch(stmt); m != nil {
		return m[1] + " " + m[2] + on, nil
	}
	return "", fmt.Errorf("statement not rewritten for cluster %s: %.60q", cluster, stmt)
}

// ddl runs a DDL statement of this package: as written on a single
// server, rewritten by ClusterDDL on a cluster.
func (db *DB) ddl(ctx context.Context, stmt string) error {
	if db.cluster == "" {
		return db.conn.Exec(db.ddlContext(ctx), stmt)
	}
	s, err := ClusterDDL(stmt, db.cluster, db.database)
	if err != nil {
		return err
	}
	err = clusterError(db.cluster, db.conn.Exec(db.ddlContext(ctx), s))
	var ex *clickhouse.Exception
	if db.version.legacy() && errors.As(err, &ex) && ex.Code == 44 && strings.Contains(ex.Message, "allow_experimental_low_cardinality_type") {
		return fmt.Errorf("ClickHouse %s runs a statement ON CLUSTER with each server's own settings: add <allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type> to the default profile of every replica's users.xml: %w", db.version, err)
	}
	return err
}

// clusterError explains the error of a statement ON CLUSTER that some
// replica did not run in time: it is queued for that replica, which runs
// it when it is back, and running the same command again then finishes.
func clusterError(cluster string, err error) error {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) && ex.Code == 159 {
		return fmt.Errorf("cluster %s: a replica did not answer within clickhouse.ddl_timeout (distributed_ddl_task_timeout); it will run the statement when it is back: start it, then run the command again: %w", cluster, err)
	}
	return err
}

// ErrOtherServer means that a query meant for the server the DB was opened
// on reached another replica: addr names a load balancer or a name that
// resolves to several servers. Part names read on one replica must never
// be used on another (see MergedParts).
var ErrOtherServer = errors.New("the connection reached another replica than the one it was opened on: clickhouse.addr must name one replica, not a load balancer")

// serverSQL is the identity of the answering server: its replica macro on
// a cluster (every replica of this project's clusters has one; replicas
// may share a host name), its host name otherwise.
const serverSQL = `concat(hostName(), '/', (SELECT any(substitution) FROM system.macros WHERE macro = 'replica'))`

// readServer reads the identity of the server a fresh query reaches.
func (db *DB) readServer(ctx context.Context) (string, error) {
	var s string
	if err := db.conn.QueryRow(ctx, `SELECT `+serverSQL).Scan(&s); err != nil {
		return "", fmt.Errorf("clickhouse: which replica: %w", err)
	}
	return s, nil
}

// Cluster is the cluster the schema is created on, "" for a single server.
func (db *DB) Cluster() string { return db.cluster }

// Server is the identity of the server the DB was opened on (host/replica);
// "" on a single server, where it is not read.
func (db *DB) Server() string { return db.server }

// KeepRepeats is ctx for an insert into a table whose rows have no
// identity (ingest_rejects; targets, whose set_at only makes rows distinct
// when the previous import is visible), on a cluster: a Replicated table
// drops an insert block equal to one of its last hundred (per partition),
// which is how a retried insert becomes harmless, but the same bad file
// sent twice in one second must be refused twice, and its rejects stored
// twice, as on a single server (plain MergeTree never drops a block).
// Turning the check off for these tables stores a retry twice exactly
// when a single server would.
func (db *DB) KeepRepeats(ctx context.Context) context.Context {
	if db.cluster == "" {
		return ctx
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_deduplicate": 0}))
}
