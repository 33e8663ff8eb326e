package ingest

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// TestQuarantineIsCountedAndRetried: a read error of the disk moved a
// segment to failed/ at once, with every client's acknowledged records in
// it, and nothing counted it. A transient read error is now retried; a
// quarantined segment (ClickHouse refusing its data five times) is counted
// by the stats (status), a counter and a gauge; retry puts it back and the
// next drain stores it.
func TestQuarantineIsCountedAndRetried(t *testing.T) {
	ts := memTestStore(t)
	reg := prometheus.NewRegistry()
	sp, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(reg)
	w := newWriter(ts.db, sp, WriterOptions{DrainEvery: time.Hour}, m, nil)
	t.Cleanup(w.Close)
	afterFirstDrain(t, w)

	// A read error (EIO) once: the segment waits, then drains.
	fails := 1
	sp.open = func(p string) (io.ReadCloser, error) {
		if fails > 0 {
			fails--
			return nil, &os.PathError{Op: "open", Path: p, Err: syscall.EIO}
		}
		return os.Open(p)
	}
	if err := sp.WriteAs(sp.NextName(), testContacts("q", "E", 4)); err != nil {
		t.Fatal(err)
	}
	if d := w.Drain(t.Context()); d != 0 || quarantined(t, sp) != 0 {
		t.Fatalf("after a read error: %d drained, %d quarantined; want the segment waiting", d, quarantined(t, sp))
	}
	if d := w.Drain(t.Context()); d != 1 || ts.rows(t, "contacts") != 4 {
		t.Fatalf("the read error passed: %d drained, %d rows; want 1 and 4", d, ts.rows(t, "contacts"))
	}

	// ClickHouse refuses a segment's data five times: quarantined, counted.
	badData := &clickhouse.Exception{Code: 53, Name: "DB::Exception", Message: "Type mismatch"}
	ts.mem.inject(opInsert("contacts"), 5, fault{err: badData})
	if err := sp.WriteAs(sp.NextName(), testContacts("q", "B", 6)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		w.Drain(t.Context())
	}
	st, err := ReadSpoolStats(sp.Root())
	if err != nil || st.Quarantined != 1 || st.QuarantinedRecords != 6 || st.Segments != 0 {
		t.Fatalf("stats %+v, %v; want 1 segment of 6 records quarantined, none waiting", st, err)
	}
	if g := gathered(t, reg, "globaloffice_ingest_spool_quarantined_records"); g != 6 {
		t.Errorf("gauge globaloffice_ingest_spool_quarantined_records = %v, want 6", g)
	}
	if c := gathered(t, reg, "globaloffice_ingest_spool_quarantined_records_total"); c != 6 {
		t.Errorf("counter of quarantined records = %v, want 6", c)
	}
	list, err := ListQuarantine(sp.Root())
	if err != nil || len(list) != 1 || list[0].Records != 6 {
		t.Fatalf("list %+v, %v", list, err)
	}
	if _, err := RetryQuarantine(sp.Root(), []string{"../x.ndjson"}); err == nil {
		t.Error("retry of a path outside failed/ accepted")
	}
	moved, err := RetryQuarantine(sp.Root(), nil)
	if err != nil || len(moved) != 1 {
		t.Fatalf("retry: %v, %v", moved, err)
	}
	if d := w.Drain(t.Context()); d != 1 || ts.rows(t, "contacts") != 10 {
		t.Errorf("after retry: %d drained, %d rows; want 1 and 10", d, ts.rows(t, "contacts"))
	}
	if g := gathered(t, reg, "globaloffice_ingest_spool_quarantined_records"); g != 0 {
		t.Errorf("gauge after retry = %v, want 0", g)
	}
	if _, err := os.Stat(filepath.Join(sp.FailedDir(), list[0].Name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("segment still in failed/: %v", err)
	}
}

// gathered is the value of an unlabelled gauge or counter of reg.
func gathered(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			m := mf.GetMetric()[0]
			if g := m.GetGauge(); g != nil {
				return g.GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no series %s", name)
	return 0
}
