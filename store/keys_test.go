package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-faster/city"

	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

func TestLookupEnd(t *testing.T) {
	ids := func(n, size int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strings.Repeat("x", size)
		}
		return out
	}
	f := func(ids []string, start, want int) {
		t.Helper()
		if got := store.LookupEnd(ids, start); got != want {
			t.Errorf("LookupEnd(%d ids of %d bytes, %d) = %d, want %d", len(ids), len(ids[0]), start, got, want)
		}
	}
	// 10-byte ids count 24 bytes each: 4,000 fit, the count stops them.
	f(ids(9000, 10), 0, 4000)
	f(ids(9000, 10), 8000, 9000)
	// 64-byte ids count 132: 1,515 fit in 200,000 bytes (199,980).
	f(ids(3000, 64), 0, 1515)
	f(ids(3000, 64), 1515, 3000)
	// An id over the limit by itself still goes, alone.
	f(ids(3, 150_000), 0, 1)
	f(ids(3, 150_000), 2, 3)
}

func TestExistingKeysAndKeyHashes(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	// 5,000 contacts of acd (two chunks of ids) and one of kiosk.
	var contacts []model.Contact
	for i := range 5000 {
		contacts = append(contacts, model.Contact{Source: "acd", ID: fmt.Sprintf("C-%d", i), Site: "PAR-11", Channel: "phone", ArrivedAt: day, ArrivedDate: day, Outcome: model.OutcomeServed})
	}
	contacts = append(contacts, model.Contact{Source: "kiosk", ID: "C-1", Site: "PAR-11", Channel: "visit", ArrivedAt: day, ArrivedDate: day, Outcome: model.OutcomeServed})
	if err := db.InsertContacts(ctx, contacts, day); err != nil {
		t.Fatal(err)
	}
	// Two versions of D-1: the newest updated_at is its version.
	kase := model.Case{Source: "ged", ID: "D-1", Site: "PAR-11", Kind: "claim", Channel: "mail", ReceivedAt: day, ReceivedDate: day, Status: model.CaseOpen, UpdatedAt: day}
	later := kase
	later.UpdatedAt = day.Add(time.Hour)
	if err := db.InsertCases(ctx, []model.Case{kase, later}, nil, day); err != nil {
		t.Fatal(err)
	}

	ids := []string{"C-0", "C-4999", "C-5000", "nope"}
	for i := 1; i < 4998; i++ {
		ids = append(ids, "missing-"+fmt.Sprint(i))
	}
	got, err := db.ExistingKeys(ctx, "contacts", "acd", ids)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]time.Time{"C-0": time.Unix(0, 0), "C-4999": time.Unix(0, 0)}; !sameVersions(got, want) {
		t.Errorf("contacts: %v, want %v", got, want)
	}
	got, err = db.ExistingKeys(ctx, "cases", "ged", []string{"D-1", "D-2"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]time.Time{"D-1": later.UpdatedAt}; !sameVersions(got, want) {
		t.Errorf("cases: %v, want %v", got, want)
	}
	if _, err := db.ExistingKeys(ctx, "sites", "x", []string{"a"}); err == nil {
		t.Error("ExistingKeys on sites: no error")
	}

	hashes := map[uint64]int{}
	n, err := db.KeyHashes(ctx, "cases", func(h uint64) { hashes[h]++ })
	if err != nil {
		t.Fatal(err)
	}
	// The Go CityHash64 is ClickHouse's: the ingest key filter relies on it.
	if want := map[uint64]int{city.CH64([]byte("ged\x00D-1")): 2}; n != 2 || !reflect.DeepEqual(hashes, want) {
		t.Errorf("case key hashes: %d, %v; want 2, %v", n, hashes, want)
	}
	n, err = db.KeyHashes(ctx, "contacts", func(uint64) {})
	if err != nil || n != 5001 {
		t.Errorf("contact key hashes: %d, %v; want 5001", n, err)
	}
	if _, err := db.KeyHashes(ctx, "sites", func(uint64) {}); err == nil {
		t.Error("KeyHashes on sites: no error")
	}
}

// sameVersions compares maps of versions as instants.
func sameVersions(got, want map[string]time.Time) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || !g.Equal(v) {
			return false
		}
	}
	return true
}
