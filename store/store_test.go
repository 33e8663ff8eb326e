package store_test

import (
	"context"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

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
	if err := db.Conn().Exec(clickhouseDDL(ctx, db), first.Statements[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate over a half-applied schema: %v", err)
	}
}

func TestSitesUpsertAndList(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	in := []model.Site{
		{ID: "STR-67", Name: "Strasbourg", Kind: model.SiteAgency, Region: "44", Department: "67", Zone: model.ZoneAlsaceMoselle, Timezone: "Europe/Paris"},
		{ID: "CAY-973", Name: "Cayenne", Kind: model.SiteAgency, Region: "03", Department: "973", Zone: model.ZoneGuyane, Timezone: "America/Cayenne"},
	}
	if err := db.UpsertSites(ctx, in); err != nil {
		t.Fatal(err)
	}
	// Re-importing a site replaces it rather than adding a second row; the
	// version is updated_at (seconds), so wait for the next second.
	time.Sleep(1100 * time.Millisecond)
	renamed := in[0]
	renamed.Name = "Strasbourg - Étoile"
	if err := db.UpsertSites(ctx, []model.Site{renamed}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Sites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Site{in[1], renamed} // ordered by id
	if len(got) != len(want) {
		t.Fatalf("got %d sites %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("site %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestOpenMissingDatabase(t *testing.T) {
	opts := chtest.Reserve(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := store.Open(ctx, opts)
	if err == nil {
		t.Fatal("opened a database that does not exist")
	}
	if want := "run globaloffice migrate"; !contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	opts.Database = "bad-name; DROP"
	if _, err := store.Open(ctx, opts); err == nil || !contains(err.Error(), "only letters") {
		t.Errorf("bad database name: %v", err)
	}
}
