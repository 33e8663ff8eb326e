package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"globaloffice/config"
	"globaloffice/store"
)

// Options returns connection options for a new, not yet created database on
// the test server.
func Options(t testing.TB) store.Options {
	t.Helper()
	cfg, err := config.Load(config.Sources{Env: os.Environ()})
	if err != nil {
		t.Fatalf("test ClickHouse settings: %v", err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, t.Name())
	if len(name) > 40 {
		name = name[:40]
	}
	return store.Options{
		Addr:        cfg.ClickHouseAddr(),
		Database:    "test_" + name + "_" + hex.EncodeToString(b[:]),
		User:        cfg.ClickHouse.User,
		Password:    cfg.ClickHouse.Password,
		DialTimeout: 3 * time.Second,
		ReadTimeout: 2 * time.Minute,
	}
}

// Reserve checks that the test server answers and returns options for a
// database name of the test's own, which is dropped when the test ends; the
// database itself is not created (commands under test create it).
func Reserve(t testing.TB) store.Options {
	t.Helper()
	opts := Options(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	probe := opts
	probe.Database = "default"
	db, err := store.Open(ctx, probe)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no ClickHouse for tests (CI is set, so this fails): %v", err)
		}
		t.Skipf("no ClickHouse for tests; make test starts one (or: globaloffice clickhouse start): %v", err)
	}
	db.Close()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := store.DropDatabase(ctx, opts); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return opts
}

// Empty creates an empty database of the test's own and opens it; the
// database is dropped when the test ends.
func Empty(t testing.TB) (*store.DB, store.Options) {
	t.Helper()
	opts := Reserve(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := store.EnsureDatabase(ctx, opts); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	db, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, opts
}

// New is Empty with the schema migrated.
func New(t testing.TB) *store.DB {
	t.Helper()
	db, _ := Empty(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db
}
