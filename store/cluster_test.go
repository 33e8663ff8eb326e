package store

import (
	"strings"
	"testing"
)

func TestClusterDDL(t *testing.T) {
	f := func(stmt, want string) {
		t.Helper()
		got, err := ClusterDDL(stmt, "qos", "office")
		if err != nil {
			t.Fatalf("%q: %v", stmt, err)
		}
		if got != want {
			t.Errorf("%q\n got %q\nwant %q", stmt, got, want)
		}
	}
	f("CREATE TABLE IF NOT EXISTS sites (\n    id String,\n    updated_at DateTime('UTC')\n) ENGINE = ReplacingMergeTree(updated_at)\nORDER BY id",
		"CREATE TABLE IF NOT EXISTS office.sites ON CLUSTER qos (\n    id String,\n    updated_at DateTime('UTC')\n) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/office/sites', '{replica}', updated_at)\nORDER BY id")
	f("CREATE TABLE IF NOT EXISTS targets (\n    year UInt16\n) ENGINE = MergeTree\nORDER BY (year)",
		"CREATE TABLE IF NOT EXISTS office.targets ON CLUSTER qos (\n    year UInt16\n) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/office/targets', '{replica}')\nORDER BY (year)")
	// Partition keys with parentheses after the engine stay as they are.
	f("CREATE TABLE t (d Date, s Int8) ENGINE = CollapsingMergeTree(s) PARTITION BY toYYYYMM(d) ORDER BY d",
		"CREATE TABLE office.t ON CLUSTER qos (d Date, s Int8) ENGINE = ReplicatedCollapsingMergeTree('/clickhouse/tables/{shard}/office/t', '{replica}', s) PARTITION BY toYYYYMM(d) ORDER BY d")
	f("CREATE TABLE t (d Date) ENGINE = MergeTree() ORDER BY d",
		"CREATE TABLE office.t ON CLUSTER qos (d Date) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/office/t', '{replica}') ORDER BY d")
	f("ALTER TABLE results ADD COLUMN version UInt32 DEFAULT 1",
		"ALTER TABLE office.results ON CLUSTER qos ADD COLUMN version UInt32 DEFAULT 1")
	f("ALTER TABLE contacts MODIFY COLUMN outcome Enum8('served' = 1)",
		"ALTER TABLE office.contacts ON CLUSTER qos MODIFY COLUMN outcome Enum8('served' = 1)")
	f("DROP TABLE IF EXISTS case_completions_rebuild", "DROP TABLE IF EXISTS office.case_completions_rebuild ON CLUSTER qos")
	f("DROP TABLE case_completions_replaced", "DROP TABLE office.case_completions_replaced ON CLUSTER qos")
	f("truncate table ingest_rejects", "TRUNCATE TABLE office.ingest_rejects ON CLUSTER qos")
	f("RENAME TABLE case_completions TO case_completions_replaced, case_completions_rebuild TO case_completions",
		"RENAME TABLE office.case_completions TO office.case_completions_replaced, office.case_completions_rebuild TO office.case_completions ON CLUSTER qos")
	f("CREATE DATABASE IF NOT EXISTS office", "CREATE DATABASE IF NOT EXISTS office ON CLUSTER qos")
	f("DROP DATABASE IF EXISTS office", "DROP DATABASE IF EXISTS office ON CLUSTER qos")
}

func TestClusterDDLRefuses(t *testing.T) {
	f := func(stmt, cluster, want string) {
		t.Helper()
		_, err := ClusterDDL(stmt, cluster, "office")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one containing %q", stmt, err, want)
		}
	}
	f("CREATE TABLE t (d Date) ENGINE = Memory", "qos", "no MergeTree engine")
	f("CREATE TABLE t (d Date) ENGINE = ReplicatedMergeTree('/p', 'r') ORDER BY d", "qos", "already replicated")
	f("CREATE TABLE t AS u", "qos", "not rewritten")
	f("OPTIMIZE TABLE contacts FINAL", "qos", "not rewritten")
	f("RENAME TABLE a TO b, c", "qos", `"c" is not NAME TO NAME`)
	f("DROP TABLE t", "q-s", "only letters")
}

// Every statement of the embedded migrations, and the migrations table,
// has its cluster form, and each CREATE TABLE gets a Replicated engine at
// a path of its own.
func TestClusterDDLMigrations(t *testing.T) {
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{createMigrationsTable}
	for _, m := range ms {
		stmts = append(stmts, m.Statements...)
	}
	paths := map[string]bool{}
	creates := 0
	for _, s := range stmts {
		got, err := ClusterDDL(s, "qos", "office")
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if !strings.Contains(got, " ON CLUSTER qos") {
			t.Errorf("no ON CLUSTER: %s", got)
		}
		if m := reCreateTable.FindStringSubmatch(s); m != nil {
			creates++
			path := "'" + ReplicaPath("office", m[2]) + "', '{replica}'"
			if !strings.Contains(got, "ENGINE = Replicated") || !strings.Contains(got, path) || paths[path] {
				t.Errorf("%s: engine not replicated at a path of its own: %s", m[2], got)
			}
			paths[path] = true
		}
	}
	// sites, contacts, cases, survey_responses, targets, ingest_rejects,
	// results, tokens, case_completions, pending_calls, journey_starts,
	// schema_migrations.
	if creates != 12 {
		t.Errorf("%d tables created, want 12", creates)
	}
}

func TestWithReplicaPath(t *testing.T) {
	f := func(engine, want string) {
		t.Helper()
		got, err := withReplicaPath(engine, "/clickhouse/tables/{shard}/office/cc_1")
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("got %q\nwant %q", got, want)
		}
	}
	f("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/office/case_completions', '{replica}', version) PARTITION BY toYYYYMM(completed_date) ORDER BY (source, id) SETTINGS index_granularity = 8192",
		"ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/office/cc_1', '{replica}', version) PARTITION BY toYYYYMM(completed_date) ORDER BY (source, id) SETTINGS index_granularity = 8192")
	if _, err := withReplicaPath("ReplacingMergeTree(version) ORDER BY id", "/p"); err == nil {
		t.Error("a plain engine got a path")
	}
}
