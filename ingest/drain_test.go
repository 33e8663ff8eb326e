package ingest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"globaloffice/model"
	"globaloffice/store"
)

// TestDrainRetriesDoNotRepeatRejects: a spooled segment holds a request's
// records and its rejects. Rejects have no identity to dedupe on, so a
// drain that fails on the records must not have stored the rejects already:
// every retry stored them again.
func TestDrainRetriesDoNotRepeatRejects(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		w, sp := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour})
		afterFirstDrain(t, w)
		at := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
		recs := []Record{
			{Survey: &model.SurveyResponse{Source: "s", ID: "R1", Site: "PAR-11", Channel: "phone", Survey: "post", Mode: model.SurveyMode("sms"), AnsweredAt: at, AnsweredDate: at, Scale: model.Scale("1-5"), Scores: map[string]int{"overall": 4}}},
			{Reject: &store.Reject{RejectedAt: at, Kind: "surveys", Source: "s", Line: 2, Field: "scale", Reason: "bad", Raw: "{}"}},
		}
		if err := sp.WriteAs(sp.NextName(), recs); err != nil {
			t.Fatal(err)
		}
		// ClickHouse answers but refuses the survey responses.
		ts.away(t, "survey_responses", true)
		for i := 0; i < 5; i++ {
			w.Drain(t.Context())
		}
		// A missing table is not bad data: the segment waits, it is not quarantined.
		if segs, _ := sp.Segments(); len(segs) != 1 {
			t.Fatalf("segments after 5 refusals: %v, want the one segment still waiting", segs)
		}
		if n := ts.rows(t, "ingest_rejects"); n != 0 {
			t.Errorf("%d rejects stored by drains that failed, want 0", n)
		}
		// Once the table is back, one drain stores the records and the reject once.
		ts.away(t, "survey_responses", false)
		if d := w.Drain(t.Context()); d != 1 {
			t.Fatalf("drained %d segments, want 1", d)
		}
		if n := ts.rows(t, "ingest_rejects"); n != 1 {
			t.Errorf("%d rejects stored, want 1", n)
		}
	})
}

// TestDrainTakesSegmentOfUnitInFlight: a unit whose insert fails writes its
// records to a segment and releases its keys after. A drain that took the
// segment in between found the keys in flight (the unit's own), counted
// every record a duplicate, stored nothing and removed the segment: the
// accepted records were lost. The segment must be the unit's until its
// keys are released.
func TestDrainTakesSegmentOfUnitInFlight(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		sp, err := OpenSpool(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		m := NewMetrics(nil)
		w := newWriter(ts.db, sp, WriterOptions{DrainEvery: time.Hour, Linger: time.Millisecond}, m, nil)
		defer w.Close()
		waitFilter(t, w)
		ctx := context.Background()
		ts.away(t, "contacts", true)
		const n = 50
		// Holding the metrics' lock stops the unit right after its segment is
		// written (it counts the spooled records), before it releases its keys.
		m.mu.Lock()
		locked := true
		defer func() {
			if locked {
				m.mu.Unlock()
			}
		}()
		out := make(chan Outcome, 1)
		go func() { out <- w.Submit(ctx, testContacts("drain", "D", n)) }()
		eventually(t, "no segment written after the failed insert", func() bool {
			segs, _ := sp.Segments()
			return len(segs) == 1
		})
		// The drain leaves the segment alone. Had it taken it, it would
		// have deduped the records against the unit's keys in flight, and
		// stopped on the metrics' lock counting them duplicates.
		drained := make(chan int, 1)
		go func() { drained <- w.Drain(ctx) }()
		if d := within(t, drained); d != 0 {
			t.Errorf("drained %d segments, want 0", d)
		}
		m.mu.Unlock()
		locked = false
		if o := within(t, out); o.Err != nil || o.Accepted != n || o.Spooled != n {
			t.Errorf("submission: %+v, want %d accepted into the spool", o, n)
		}
		ts.away(t, "contacts", false)
		w.Drain(ctx)
		if got := ts.rows(t, "contacts"); got != n {
			t.Errorf("%d contacts stored, want %d: accepted records lost", got, n)
		}
		if segs, _ := sp.Segments(); len(segs) != 0 {
			t.Errorf("segments left: %v", segs)
		}
	})
}

// afterFirstDrain waits until the drain loop's first drain, at start, is
// over: drains of the test's own segments are then the test's alone.
func afterFirstDrain(t *testing.T, w *Writer) {
	t.Helper()
	eventually(t, "no first drain", func() bool {
		w.drains.mu.Lock()
		defer w.drains.mu.Unlock()
		return w.drains.attempts != nil // made by the first drain
	})
}

// lockedBuffer collects log lines from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDrainSkipsSegmentRemovedByFlusher: the drain lists the segments, then
// skips those owned by units answered under load. A unit stored meanwhile
// has its segment removed and un-owned: the drain then found it gone and
// logged it as unreadable and quarantined (an error an operator would chase,
// frequent under load as a drain of one segment lasts an insert).
func TestDrainSkipsSegmentRemovedByFlusher(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		sp, err := OpenSpool(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		var logs lockedBuffer
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError}))
		w := newWriter(ts.db, sp, WriterOptions{DrainEvery: time.Hour}, NewMetrics(nil), log)
		defer w.Close()
		name := sp.NextName()
		w.spooled.own(name) // a unit answered from the spool under load
		if err := sp.WriteAs(name, testContacts("drain", "R", 3)); err != nil {
			t.Fatal(err)
		}
		w.spooled.mu.Lock()
		drained := make(chan int, 1)
		go func() { drained <- w.Drain(context.Background()) }()
		time.Sleep(500 * time.Millisecond) // the drain listed the segment and waits to check it
		// The flusher stored the unit: segment removed, then un-owned.
		if err := sp.Remove(name); err != nil {
			t.Fatal(err)
		}
		delete(w.spooled.owned, name)
		w.spooled.mu.Unlock()
		within(t, drained)
		if s := logs.String(); s != "" {
			t.Errorf("errors logged for a segment stored and removed: %s", s)
		}
	})
}

// TestDrainSegmentWithEmptyRecord: a segment line that holds no record
// (an operator's edit, a restored file) is quarantined; it used to be taken
// for a reject and crash the writer on a nil pointer, at every restart.
func TestDrainSegmentWithEmptyRecord(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		dir := t.TempDir()
		sp, err := OpenSpool(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i, body := range []string{"{}\n", "null\n", `{"contact":null}` + "\n"} {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%019d-%06d.ndjson", i+1, 1)), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		w := newWriter(ts.db, sp, WriterOptions{DrainEvery: time.Hour}, NewMetrics(nil), nil)
		defer w.Close()
		w.Drain(t.Context())
		if segs, _ := sp.Segments(); len(segs) != 0 {
			t.Errorf("segments left: %v", segs)
		}
		if q, _ := filepath.Glob(filepath.Join(dir, "failed", "*.ndjson")); len(q) != 3 {
			t.Errorf("%d segments quarantined, want 3", len(q))
		}
	})
}

// TestDrainRefusals: a segment whose data ClickHouse refuses as such is
// quarantined at the 5th refusal; any other error is retried for as long
// as it lasts; an insert whose answer was lost is not stored again.
func TestDrainRefusals(t *testing.T) {
	badData := &clickhouse.Exception{Code: 53, Name: "DB::Exception", Message: "Type mismatch"}
	memoryLimit := &clickhouse.Exception{Code: 241, Name: "DB::Exception", Message: "Memory limit exceeded"}
	f := func(name string, faults []fault, drains, wantDrained, wantRows int, wantQuarantined bool) {
		t.Run(name, func(t *testing.T) {
			ts := memTestStore(t)
			for _, f := range faults {
				ts.mem.inject(opInsert("contacts"), 1, f)
			}
			w, sp := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour})
			afterFirstDrain(t, w)
			const n = 7
			if err := sp.WriteAs(sp.NextName(), testContacts("refused", "F", n)); err != nil {
				t.Fatal(err)
			}
			drained := 0
			for i := 0; i < drains; i++ {
				drained += w.Drain(t.Context())
			}
			q, _ := filepath.Glob(filepath.Join(sp.FailedDir(), "*.ndjson"))
			segs, _ := sp.Segments()
			if drained != wantDrained || (len(q) == 1) != wantQuarantined || len(q)+len(segs)+drained != 1 {
				t.Errorf("after %d drains: %d drained, quarantined %v, left %v; want %d drained, quarantined %v",
					drains, drained, q, segs, wantDrained, wantQuarantined)
			}
			if got := ts.rows(t, "contacts"); got != uint64(wantRows) {
				t.Errorf("%d rows stored, want %d", got, wantRows)
			}
		})
	}
	rep := func(f fault, n int) []fault {
		out := make([]fault, n)
		for i := range out {
			out[i] = f
		}
		return out
	}
	f("bad data, 4 times", rep(fault{err: badData}, 4), 5, 1, 7, false)
	f("bad data, 5 times", rep(fault{err: badData}, 5), 5, 0, 0, true)
	f("memory limit, 8 times", rep(fault{err: memoryLimit}, 8), 9, 1, 7, false)
	f("memory limit, still", rep(fault{err: memoryLimit}, 8), 8, 0, 0, false)
	f("answer lost", []fault{{err: errAnswerLost, stored: true}}, 2, 1, 7, false)
}
