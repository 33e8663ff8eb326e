package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"globaloffice/store"
	"globaloffice/store/chtest"
)

func TestSplitSQL(t *testing.T) {
	src := "-- comment\nCREATE TABLE a (\n  x UInt8 -- trailing\n) ENGINE = Memory;\n\n-- another\nCREATE TABLE b (y UInt8) ENGINE = Memory;\nSELECT 1"
	got := store.SplitSQL(src)
	want := []string{
		"CREATE TABLE a (\n  x UInt8 -- trailing\n) ENGINE = Memory",
		"CREATE TABLE b (y UInt8) ENGINE = Memory",
		"SELECT 1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestMigrationsEmbedded(t *testing.T) {
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 || ms[0].Name != "schema" {
		t.Fatalf("migrations = %+v", ms)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Version <= ms[i-1].Version {
			t.Errorf("migrations out of order: %d after %d", ms[i].Version, ms[i-1].Version)
		}
	}
}

func TestMigrateFromEmptyAndRerun(t *testing.T) {
	db, _ := chtest.Empty(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	if v, err := db.SchemaVersion(ctx); err != nil || v != 0 {
		t.Fatalf("empty database: schema version %d, %v; want 0", v, err)
	}
	all, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	ran, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != len(all) {
		t.Fatalf("first migrate applied %d migrations, want all %d", len(ran), len(all))
	}
	latest := all[len(all)-1].Version
	if v, err := db.SchemaVersion(ctx); err != nil || v != latest {
		t.Fatalf("schema version %d, %v; want %d", v, err, latest)
	}

	again, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("second migrate applied %d migrations, want 0", len(again))
	}
	applied, err := db.Applied(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(all) {
		t.Errorf("%d migrations recorded, want %d", len(applied), len(all))
	}

	// The tables every later part relies on, with their engines.
	want := map[string]string{
		"sites":             "ReplacingMergeTree",
		"contacts":          "ReplacingMergeTree",
		"cases":             "ReplacingMergeTree",
		"survey_responses":  "ReplacingMergeTree",
		"targets":           "MergeTree",
		"ingest_rejects":    "MergeTree",
		"schema_migrations": "MergeTree",
	}
	rows, err := db.Conn().Query(ctx, "SELECT name, engine FROM system.tables WHERE database = ?", db.Database())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var name, engine string
		if err := rows.Scan(&name, &engine); err != nil {
			t.Fatal(err)
		}
		got[name] = engine
	}
	rows.Close()
	for name, engine := range want {
		if got[name] != engine {
			t.Errorf("table %s: engine %q, want %q", name, got[name], engine)
		}
	}
}

func TestMigrateRecoversFromHalfAppliedSchema(t *testing.T) {
	// A migration that stopped after some tables were created (no record in
	// schema_migrations) must apply cleanly again.
	db, _ := chtest.Empty(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	all, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	first := all[0]
	if err := db.Conn().Exec(store.DDLContext(ctx, db), first.Statements[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate over a half-applied schema: %v", err)
	}
}

// TestMigrateRecoversFromHalfAddedColumns: 18.16 has no ADD COLUMN IF NOT
// EXISTS, so a migration adding columns that stopped after some of them
// must skip those and add the rest.
func TestMigrateRecoversFromHalfAddedColumns(t *testing.T) {
	db, _ := chtest.Empty(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	all, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var adds store.Migration
	for _, m := range all {
		if m.Version < 5 {
			for _, stmt := range m.Statements {
				if err := db.Conn().Exec(store.DDLContext(ctx, db), stmt); err != nil {
					t.Fatal(err)
				}
			}
		}
		if m.Version == 5 {
			adds = m
		}
	}
	// Two of its columns added, nothing recorded.
	for _, stmt := range adds.Statements[:2] {
		if err := db.Conn().Exec(store.DDLContext(ctx, db), stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate over half-added columns: %v", err)
	}
	var n uint64
	if err := db.Conn().QueryRow(ctx, `SELECT toUInt64(count()) FROM system.columns WHERE database = ? AND table = 'results' AND (name = 'version' OR name LIKE 'spread_%' OR name LIKE '%_break' OR name = 'version_since')`, db.Database()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != uint64(len(adds.Statements)) || len(adds.Statements) != 11 {
		t.Errorf("%d of the %d columns of migration 5", n, len(adds.Statements))
	}
}

// TestMigrateFillsCompletionsFromOldCases: a database at migration 3 with
// cases stored gets case_completions filled once the columns the rebuild
// reads exist: 0004's fill waits for 0006, which fills the table (the
// cases' new columns read as their defaults).
func TestMigrateFillsCompletionsFromOldCases(t *testing.T) {
	db, _ := chtest.Empty(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	all, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Applied(ctx); err != nil { // creates schema_migrations
		t.Fatal(err)
	}
	for _, m := range all[:3] {
		for _, stmt := range m.Statements {
			if err := db.Conn().Exec(store.DDLContext(ctx, db), stmt); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Conn().Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) SELECT toUInt32(?), ?, now()`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Conn().Exec(ctx, `INSERT INTO cases (source, id, site, kind, channel, received_at, received_date, completed_at, completed_date, status, user_ref, updated_at, ingested_at)
  SELECT 's', 'old', 'PAR-11', 'reimbursement', 'mail', toDateTime('2026-01-05 09:00:00', 'UTC'), toDate('2026-01-05'),
    toDateTime('2026-01-20 10:00:00', 'UTC'), toDate('2026-01-20'), 'completed', '', toDateTime('2026-01-20 10:00:00', 'UTC'), now()`); err != nil {
		t.Fatal(err)
	}
	ran, err := db.Migrate(ctx)
	if err != nil {
		t.Fatalf("migrate from 3 with cases: %v", err)
	}
	if len(ran) != len(all)-3 {
		t.Errorf("%d migrations applied, want %d", len(ran), len(all)-3)
	}
	var got string
	if err := db.Conn().QueryRow(ctx, `SELECT concat(id, ' ', toString(entry), ' ', toString(completed_date), ' ', ifNull(toString(acknowledged_at), 'NULL'), ' ',
    ifNull(toString(announced_days), 'NULL'), ' ', toString(paused_seconds)) FROM case_completions FINAL`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "old completion 2026-01-20 NULL NULL 0"; got != want {
		t.Errorf("case_completions: %q, want %q", got, want)
	}
}
