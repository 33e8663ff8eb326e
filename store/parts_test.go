package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"globaloffice/store/chtest"
)

// TestCompactLeavesOneRowPerKey: a month written by inserts, one of them
// holding a key twice (a load that bypassed the collectors' dedupe), is not
// merged; Compact merges it into one part, after which a plain read (no
// FINAL) finds each key once — what lets the indicators skip FINAL there.
func TestCompactLeavesOneRowPerKey(t *testing.T) {
	ctx := context.Background()
	db := chtest.New(t)
	rows := testContacts(50) // January 2025
	rows = append(rows, rows[7])
	at := time.Now()
	if err := db.InsertContacts(ctx, rows[:30], at); err != nil {
		t.Fatal(err)
	}
	if err := db.InsertContacts(ctx, rows[30:], at); err != nil {
		t.Fatal(err)
	}
	count := func() uint64 {
		var n uint64
		if err := db.Conn().QueryRow(ctx, `SELECT count() FROM contacts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 51 {
		t.Fatalf("%d rows before merging, want 51", n)
	}
	merged, err := db.MergedMonths(ctx, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int]bool{202501: false}; !reflect.DeepEqual(merged, want) {
		t.Fatalf("merged months %v, want %v", merged, want)
	}
	// Written just now: not settled for an hour.
	if months, err := db.Compact(ctx, "contacts", time.Hour); err != nil || len(months) != 0 {
		t.Fatalf("compact of a month just written: %v, %v", months, err)
	}
	months, err := db.Compact(ctx, "contacts", 0)
	if err != nil || !reflect.DeepEqual(months, []int{202501}) {
		t.Fatalf("compact: %v, %v", months, err)
	}
	if merged, err = db.MergedMonths(ctx, "contacts"); err != nil || !merged[202501] {
		t.Fatalf("merged months after compact: %v, %v", merged, err)
	}
	if n := count(); n != 50 {
		t.Errorf("%d rows after merging, want 50: one per key", n)
	}
	// Merged already: nothing to do.
	if months, err := db.Compact(ctx, "contacts", 0); err != nil || len(months) != 0 {
		t.Errorf("second compact: %v, %v", months, err)
	}
	if _, err := db.Compact(ctx, "cases", 0); err == nil {
		t.Error("compact of cases (not partitioned by month): no error")
	}
}
