package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSpoolPerProcess: two processes on one home shared one spool folder:
// opening it deleted every *.tmp (a segment another process was writing),
// and each drained the other's segments. Each now writes in a locked folder
// of its own; a second spool neither deletes the first's temporary files
// nor lists its segments, adopts them once the first is gone, and reading
// the stats changes nothing.
func TestSpoolPerProcess(t *testing.T) {
	root := t.TempDir()
	a, err := OpenSpool(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.WriteAs(a.NextName(), testContacts("p", "A", 3)); err != nil {
		t.Fatal(err)
	}
	// A segment a is writing (not yet renamed).
	tmp := filepath.Join(a.Dir(), a.NextName()+".tmp")
	if err := os.WriteFile(tmp, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := ReadSpoolStats(root)
	if err != nil || st.Segments != 1 {
		t.Errorf("stats %+v, %v; want 1 segment", st, err)
	}
	b, err := OpenSpool(root)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := os.Stat(tmp); err != nil {
		t.Errorf("opening a second spool removed the first's temporary file: %v", err)
	}
	if err := b.Adopt(); err != nil {
		t.Fatal(err)
	}
	if segs, _ := b.Segments(); len(segs) != 0 {
		t.Errorf("second spool lists the first's segments while it lives: %v", segs)
	}
	if segs, _ := a.Segments(); len(segs) != 1 {
		t.Errorf("first spool has %v, want its one segment", segs)
	}
	// a's process dies (its descriptor, hence its lock, goes): b adopts
	// the segment; the unfinished temporary file goes with the folder.
	a.lock.Close()
	if err := b.Adopt(); err != nil {
		t.Fatal(err)
	}
	if segs, _ := b.Segments(); len(segs) != 1 {
		t.Errorf("after the first process is gone, the second has %v, want its segment", segs)
	}
	if _, err := os.Stat(a.Dir()); !os.IsNotExist(err) {
		t.Errorf("orphan folder still there: %v", err)
	}
	if recs, err := b.Read(mustOne(t, b)); err != nil || len(recs) != 3 {
		t.Errorf("adopted segment: %d records, %v; want 3", len(recs), err)
	}
}

func mustOne(t *testing.T, s *Spool) string {
	t.Helper()
	segs, err := s.Segments()
	if err != nil || len(segs) != 1 {
		t.Fatalf("segments %v, %v", segs, err)
	}
	return segs[0]
}

// TestAdoptKeepsSegmentOfSameName: a segment adopted under a name this
// process already uses (two processes named one alike) takes a name of its
// own; it used to replace the other (a rename replaces its target).
func TestAdoptKeepsSegmentOfSameName(t *testing.T) {
	root := t.TempDir()
	s, err := OpenSpool(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	name := s.NextName()
	if err := s.WriteAs(name, testContacts("n", "A", 2)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(s.Dir(), name))
	if err := os.WriteFile(filepath.Join(root, name), append(b, b...), 0o600); err != nil { // put back by spool retry
		t.Fatal(err)
	}
	if err := s.Adopt(); err != nil {
		t.Fatal(err)
	}
	segs, _ := s.Segments()
	total := 0
	for _, n := range segs {
		recs, err := s.Read(n)
		if err != nil {
			t.Fatal(err)
		}
		total += len(recs)
	}
	if len(segs) != 2 || total != 6 {
		t.Errorf("segments %v holding %d records; want 2 segments, 6 records", segs, total)
	}
}
