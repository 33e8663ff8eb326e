package ingest

import (
	"errors"
	"testing"
)

// TestSpoolCap: past ingest.spool_max_bytes a segment is refused
// (ErrSpoolFull: the records are not acknowledged) and nothing of it is
// left; removing a segment frees its bytes.
func TestSpoolCap(t *testing.T) {
	sp, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if err := sp.WriteAs(sp.NextName(), testContacts("cap", "A", 10)); err != nil {
		t.Fatal(err)
	}
	one := sp.used.Load()
	sp.SetMaxBytes(2*one + one/2) // room for two segments of 10 contacts, not three
	second := sp.NextName()
	if err := sp.WriteAs(second, testContacts("cap", "B", 10)); err != nil {
		t.Fatal(err)
	}
	if err := sp.WriteAs(sp.NextName(), testContacts("cap", "C", 10)); !errors.Is(err, ErrSpoolFull) {
		t.Fatalf("third segment: %v, want ErrSpoolFull", err)
	}
	if segs, _ := sp.Segments(); len(segs) != 2 {
		t.Errorf("segments %v, want the two that fit", segs)
	}
	if err := sp.Remove(second); err != nil {
		t.Fatal(err)
	}
	if err := sp.WriteAs(sp.NextName(), testContacts("cap", "C", 10)); err != nil {
		t.Errorf("after a segment was drained: %v", err)
	}
}
