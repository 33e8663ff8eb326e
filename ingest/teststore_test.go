package ingest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// needClickHouse skips a test that needs ClickHouse under -short, so that
// `go test -short ./ingest` runs the writer's tests on the in-memory store
// alone, without a server. Otherwise chtest decides: without a server the
// test fails when CI is set and is skipped when not.
func needClickHouse(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs ClickHouse; -short runs without it")
	}
}

// newTestDB is chtest.New under needClickHouse: a migrated database of the
// test's own.
func newTestDB(t testing.TB) *store.DB {
	t.Helper()
	needClickHouse(t)
	return chtest.New(t)
}

// testStore is a store the writer's tests run on: the in-memory one, or the
// test's own ClickHouse database.
type testStore struct {
	db   eventStore
	mem  *memStore                                   // nil on ClickHouse
	rows func(t *testing.T, table string) uint64     // rows stored in a table (before merges)
	away func(t *testing.T, table string, away bool) // the table renamed away (every query on it fails), or back
	lost lostAnswers                                 // set by eachStoreLosingAnswers
}

// lostAnswers makes inserts of contacts reach the store while their answers
// are lost.
type lostAnswers interface {
	// arm: from now on contacts inserts are stored and their answers
	// held, until release or their timeout; then they fail.
	arm(t *testing.T)
	// inserting waits until an insert whose answer is lost is running.
	inserting(t *testing.T)
	// release fails the held answers now, and later ones at once. On
	// ClickHouse they time out on their own.
	release(t *testing.T)
	// disarm: answers are no longer lost.
	disarm(t *testing.T)
}

// eachStore runs body on the in-memory store, and on ClickHouse unless
// -short.
func eachStore(t *testing.T, body func(t *testing.T, ts *testStore)) {
	t.Run("memory", func(t *testing.T) { body(t, memTestStore(t)) })
	t.Run("clickhouse", func(t *testing.T) {
		direct := newTestDB(t)
		body(t, clickhouseTestStore(direct, direct))
	})
}

// eachStoreLosingAnswers is eachStore with ts.lost: on ClickHouse the
// writer talks to it through a cutProxy.
func eachStoreLosingAnswers(t *testing.T, body func(t *testing.T, ts *testStore)) {
	t.Run("memory", func(t *testing.T) {
		ts := memTestStore(t)
		ts.lost = &memLost{m: ts.mem}
		body(t, ts)
	})
	t.Run("clickhouse", func(t *testing.T) {
		direct, proxy, db := proxiedDB(t, 0)
		ts := clickhouseTestStore(direct, db)
		ts.lost = &proxyLost{p: proxy}
		body(t, ts)
	})
}

func memTestStore(t *testing.T) *testStore {
	m := newMemStore()
	t.Cleanup(func() { // after the writer's Close, registered later
		if err := m.check(); err != nil {
			t.Error(err)
		}
	})
	return &testStore{
		db:   m,
		mem:  m,
		rows: func(t *testing.T, table string) uint64 { return uint64(m.rows(table)) },
		away: func(t *testing.T, table string, away bool) { m.setAway(table, away) },
	}
}

// clickhouseTestStore is a store on ClickHouse: the writer uses db, the
// test looks through direct.
func clickhouseTestStore(direct, db *store.DB) *testStore {
	return &testStore{
		db: dbStore{db},
		rows: func(t *testing.T, table string) uint64 {
			t.Helper()
			var n uint64
			if err := direct.Conn().QueryRow(context.Background(), "SELECT count() FROM "+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		},
		away: func(t *testing.T, table string, away bool) {
			t.Helper()
			q := fmt.Sprintf("RENAME TABLE %s TO %s_away", table, table)
			if !away {
				q = fmt.Sprintf("RENAME TABLE %s_away TO %s", table, table)
			}
			if err := direct.Conn().Exec(context.Background(), q); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// memLost loses answers with memStore faults.
type memLost struct {
	m       *memStore
	hold    chan struct{}
	entered chan struct{}
	once    sync.Once
}

func (l *memLost) arm(t *testing.T) {
	l.hold, l.entered = make(chan struct{}), make(chan struct{}, 64)
	l.m.inject(opInsert("contacts"), -1, fault{err: errAnswerLost, stored: true, hold: l.hold, entered: l.entered})
}

func (l *memLost) inserting(t *testing.T) {
	t.Helper()
	within(t, l.entered)
}

func (l *memLost) release(t *testing.T) { l.once.Do(func() { close(l.hold) }) }

func (l *memLost) disarm(t *testing.T) { l.m.clear(opInsert("contacts")) }

// proxyLost loses answers with a cutProxy: inserts of more than 16 KiB get
// no answer and time out.
type proxyLost struct{ p *cutProxy }

func (l *proxyLost) arm(t *testing.T) { l.p.arm(16 << 10) }

func (l *proxyLost) inserting(t *testing.T) {
	time.Sleep(300 * time.Millisecond) // the insert is running (and will time out)
}

func (l *proxyLost) release(t *testing.T) {}

// disarm also drops the connections whose answers were muted.
func (l *proxyLost) disarm(t *testing.T) {
	l.p.disarm()
	l.p.setCut(true)
	l.p.setCut(false)
}

// newTestWriter starts a writer on ts with a spool of the test's own; it
// is closed when the test ends.
func newTestWriter(t *testing.T, ts *testStore, opts WriterOptions) (*Writer, *Spool) {
	t.Helper()
	sp, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := newWriter(ts.db, sp, opts, NewMetrics(nil), nil)
	t.Cleanup(w.Close)
	return w, sp
}

// testContacts are n contacts of May 2026, of source and ids prefix0…
func testContacts(source, prefix string, n int) []Record {
	recs := make([]Record, n)
	at := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
	for i := range recs {
		recs[i] = Record{Contact: &model.Contact{Source: source, ID: fmt.Sprintf("%s%05d", prefix, i), Site: "PAR-11", Channel: "phone",
			ArrivedAt: at.Add(time.Duration(i%60) * time.Second), ArrivedDate: at.Truncate(24 * time.Hour), Outcome: model.OutcomeAbandoned,
			UserRef: fmt.Sprintf("%032x", i*7919)}}
	}
	return recs
}

// within receives from c, failing the test on a hang.
func within[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal("still blocked after 30 s")
	}
	var zero T
	return zero
}

// eventually waits until cond holds, failing the test after 20 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitFilter waits until the key filters are loaded: until then every
// unit has keys that may be stored and is never answered from the spool.
func waitFilter(t *testing.T, w *Writer) {
	t.Helper()
	eventually(t, "key filters not loaded", func() bool {
		w.keys.mu.RLock()
		defer w.keys.mu.RUnlock()
		for _, table := range tableOf {
			if f := w.keys.tables[table]; f == nil || !f.ready {
				return false
			}
		}
		return true
	})
}

// drainAll drains until the spool is empty (segments still owned by a
// failing insert join once it gives up) and returns the segments drained.
func drainAll(t *testing.T, w *Writer, sp *Spool) int {
	t.Helper()
	drained := 0
	deadline := time.Now().Add(time.Minute)
	for {
		drained += w.Drain(t.Context())
		if segs, _ := sp.Segments(); len(segs) == 0 {
			return drained
		}
		if time.Now().After(deadline) {
			segs, _ := sp.Segments()
			t.Fatalf("segments still in the spool after a minute: %v", segs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
