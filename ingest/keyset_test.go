package ingest

import (
	"testing"
	"time"

	"globaloffice/model"
)

// TestKeySetCollisions: two keys sharing a hash are both kept, each with its
// own newest version; a key never put is absent even when its hash is taken.
func TestKeySetCollisions(t *testing.T) {
	at := func(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
	recs := []Record{
		{Case: &model.Case{Source: "s", ID: "a", UpdatedAt: at(10)}},
		{Case: &model.Case{Source: "s", ID: "b", UpdatedAt: at(20)}},
		{Case: &model.Case{Source: "s", ID: "a", UpdatedAt: at(30)}},
		{Case: &model.Case{Source: "s", ID: "b", UpdatedAt: at(5)}},
	}
	s := newKeySet(len(recs))
	const h = 42 // every key on one hash: the worst case
	for _, r := range recs {
		s.put(h, r.key(), r.version().Unix())
	}
	for _, c := range []struct {
		id   string
		want int64
		ok   bool
	}{{"a", 30, true}, {"b", 20, true}, {"c", 0, false}} {
		v, ok := s.get(h, recordKey{"s", c.id})
		if v != c.want || ok != c.ok {
			t.Errorf("get(%s) = %d, %v; want %d, %v", c.id, v, ok, c.want, c.ok)
		}
	}
	if _, ok := s.get(43, recordKey{"s", "a"}); ok {
		t.Error("a key found under another hash")
	}
}

func TestSlotForMatchesSlotOf(t *testing.T) {
	for name, want := range slotOf {
		if got, ok := slotFor([]byte(name)); !ok || got != want {
			t.Errorf("slotFor(%q) = %d, %v; want %d", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "ID", "score_overall", "sites", "i"} {
		if _, ok := slotFor([]byte(name)); ok {
			t.Errorf("slotFor(%q) found a slot", name)
		}
	}
	if len(slotOf) != int(nSlots) {
		t.Errorf("%d names for %d slots", len(slotOf), nSlots)
	}
}

// TestBlockBloom: no false negatives, and false positives near the design
// rate (4e-5 at capacity; allowed up to 1e-4 here) for random hashes.
func TestBlockBloom(t *testing.T) {
	const n = 200_000
	f := newBlockBloom(n)
	x := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 { // splitmix64
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = next()
		f.add(keys[i])
	}
	for _, k := range keys {
		if !f.has(k) {
			t.Fatalf("key %x added but not found", k)
		}
	}
	fp := 0
	const probes = 2_000_000
	for i := 0; i < probes; i++ {
		if f.has(next()) {
			fp++
		}
	}
	if rate := float64(fp) / probes; rate > 1e-4 {
		t.Errorf("false positive rate %.2g, want about 4e-5", rate)
	} else {
		t.Logf("false positive rate %.2g (%d of %d)", rate, fp, probes)
	}
}
