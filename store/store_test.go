package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"globaloffice/store"
	"globaloffice/store/chtest"
)

func TestOpenMissingDatabase(t *testing.T) {
	opts := chtest.Reserve(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := store.Open(ctx, opts)
	if err == nil {
		t.Fatal("opened a database that does not exist")
	}
	if want := "run globaloffice migrate"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	opts.Database = "bad-name; DROP"
	if _, err := store.Open(ctx, opts); err == nil || !strings.Contains(err.Error(), "only letters") {
		t.Errorf("bad database name: %v", err)
	}
}

func TestValidIdentifier(t *testing.T) {
	f := func(s string, want bool) {
		t.Helper()
		if got := store.ValidIdentifier(s); got != want {
			t.Errorf("ValidIdentifier(%q) = %v, want %v", s, got, want)
		}
	}
	f("globaloffice", true)
	f("_t1", true)
	f("Test_DB_9", true)
	f("", false)
	f("1db", false)
	f("bad-name", false)
	f("db; DROP", false)
	f("é", false)
}

func TestCompression(t *testing.T) {
	f := func(addr, want string) {
		t.Helper()
		if got := store.CompressionOf(addr); got != want {
			t.Errorf("compression for %s = %s, want %s", addr, got, want)
		}
	}
	f("127.0.0.1:19000", "none")
	f("127.0.0.2:9000", "none")
	f("[::1]:9000", "none")
	f("localhost:9000", "none")
	f("10.0.0.5:9000", "lz4")
	f("clickhouse.internal:9000", "lz4")
	f("no-port", "lz4")
}
