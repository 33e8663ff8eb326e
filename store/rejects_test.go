package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"globaloffice/store"
	"globaloffice/store/chtest"
)

func TestRejectsQuery(t *testing.T) {
	const sel = `SELECT rejected_at, toString(kind), source, origin, line, field, reason, raw FROM ingest_rejects WHERE rejected_at >= ?`
	const order = ` ORDER BY rejected_at DESC, origin, line LIMIT `
	paris := time.FixedZone("Paris", 2*3600)
	since := time.Date(2026, 5, 1, 2, 0, 0, 0, paris)
	utc := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	f := func(filter store.RejectFilter, wantQ string, wantArgs ...any) {
		t.Helper()
		q, args := store.RejectsQuery(filter)
		if q != wantQ {
			t.Errorf("query %q\nwant  %q", q, wantQ)
		}
		if !reflect.DeepEqual(args, wantArgs) {
			t.Errorf("args %v, want %v", args, wantArgs)
		}
	}
	f(store.RejectFilter{}, sel+order+"100", time.Time{})
	f(store.RejectFilter{Since: since, Limit: 10000}, sel+order+"10000", utc)
	f(store.RejectFilter{Kind: "cases", Limit: 10001}, sel+` AND kind = ?`+order+"100", time.Time{}, "cases")
	f(store.RejectFilter{Kind: "surveys", Source: "lime", Since: since, Limit: 5}, sel+` AND kind = ? AND source = ?`+order+"5", utc, "surveys", "lime")
	f(store.RejectFilter{Source: "acd", Limit: -1}, sel+` AND source = ?`+order+"100", time.Time{}, "acd")
}

func TestRejectsInsertAndList(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
	in := []store.Reject{
		{RejectedAt: t0, Kind: "contacts", Source: "acd", Origin: "a.csv", Line: 2, Field: "site", Reason: "unknown site", Raw: "1,XX"},
		{RejectedAt: t0, Kind: "contacts", Source: "acd", Origin: "a.csv", Line: 1, Field: "outcome", Reason: "unknown outcome", Raw: "0,PAR"},
		{RejectedAt: t0.Add(time.Hour), Kind: "cases", Source: "ged", Origin: "http:1", Line: 7, Field: "id", Reason: "missing", Raw: "{}"},
		{RejectedAt: t0.Add(-48 * time.Hour), Kind: "surveys", Source: "lime", Origin: "s.csv", Line: 3, Field: "scale", Reason: "bad", Raw: "x"},
	}
	if err := db.InsertRejects(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := db.InsertRejects(ctx, nil); err != nil {
		t.Fatalf("no rejects: %v", err)
	}
	f := func(filter store.RejectFilter, want ...store.Reject) {
		t.Helper()
		got, err := db.ListRejects(ctx, filter)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i].RejectedAt = got[i].RejectedAt.UTC()
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ListRejects(%+v) =\n%+v\nwant\n%+v", filter, got, want)
		}
	}
	// Newest first, then by origin and line.
	f(store.RejectFilter{}, in[2], in[1], in[0], in[3])
	f(store.RejectFilter{Since: t0}, in[2], in[1], in[0])
	f(store.RejectFilter{Kind: "contacts", Limit: 1}, in[1])
	f(store.RejectFilter{Source: "lime"}, in[3])
	f(store.RejectFilter{Kind: "cases", Source: "acd"})
}

// TestPurgeRejects: rejects older than the retention are deleted (their raw
// text may hold caller numbers); 18.16 has no TTL, so the server calls
// this every hour. Three rejects, 40, 31 and 1 days old, a 30-day
// retention: the first two go.
func TestPurgeRejects(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Now().UTC().Truncate(time.Second)
	var in []store.Reject
	for _, days := range []int{40, 31, 1} {
		in = append(in, store.Reject{RejectedAt: now.AddDate(0, 0, -days), Kind: "contacts", Source: "acd", Origin: "x", Line: uint32(days), Field: "site", Reason: "r", Raw: "+33612345678"})
	}
	if err := db.InsertRejects(ctx, in); err != nil {
		t.Fatal(err)
	}
	n, err := db.PurgeRejects(ctx, now.Add(-30*24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("purge: %d, %v; want 2", n, err)
	}
	for {
		got, err := db.ListRejects(ctx, store.RejectFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].Line == 1 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("rejects left: %+v", got)
		}
		time.Sleep(100 * time.Millisecond) // the delete is an asynchronous mutation
	}
	if n, err := db.PurgeRejects(ctx, now.Add(-30*24*time.Hour)); err != nil || n != 0 {
		t.Errorf("second purge: %d, %v; want 0 and no mutation", n, err)
	}
}
