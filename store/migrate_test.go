package store_test

import (
	"reflect"
	"testing"

	"globaloffice/store"
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
