package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"globaloffice/ingest"
	"globaloffice/store"
	"globaloffice/store/chserver"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func contactsNDJSON(from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		// Spread over 3 months so the inserts cross partitions.
		fmt.Fprintf(&b, `{"id":"S%06d","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-0%d-14T12:%02d:00Z","answered_at":"2026-0%d-14T12:%02d:30Z","outcome":"served","user_ref":"U%d"}`+"\n",
			i, 4+i%3, i%60, 4+i%3, i%60, i%97)
	}
	return b.String()
}

// TestClickHouseDownSpoolDrainAndRestart runs a ClickHouse of its own, kills
// it between two ingests, and checks that what was accepted while it was
// down is spooled, survives a restart of the collector, and ends up stored
// exactly once.
func TestClickHouseDownSpoolDrainAndRestart(t *testing.T) {
	srv, db := ownServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	spoolDir := t.TempDir()
	e := newEnv(t, db, spoolDir)

	status, res, problem := e.post(t, "contacts", "application/x-ndjson", contactsNDJSON(0, 40))
	if status != 200 || res.Accepted != 40 || res.Spooled != 0 {
		t.Fatalf("with ClickHouse up: %d %+v %v", status, res, problem)
	}

	if _, err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// ClickHouse is down: the records are still accepted, into the spool.
	// The batch repeats 10 stored records (duplicates only known later).
	status, res, problem = e.post(t, "contacts", "application/x-ndjson", contactsNDJSON(30, 45))
	if status != 200 || res.Accepted != 45 || res.Spooled != 45 {
		t.Fatalf("with ClickHouse down: %d %+v %v", status, res, problem)
	}
	if segs, _ := e.spool.Segments(); len(segs) != 1 {
		t.Fatalf("%d spool segments, want 1", len(segs))
	}
	if n := e.w.Drain(ctx); n != 0 {
		t.Errorf("drained %d segments while ClickHouse is down", n)
	}

	// The collector process restarts (a new writer over the same spool),
	// ClickHouse comes back, and the drain resumes.
	e.w.Close()
	e.spool.Close() // the process is gone: its folder's lock is free
	if _, err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sp, err := ingest.OpenSpool(spoolDir)
	if err != nil {
		t.Fatal(err)
	}
	w2 := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour}, ingest.NewMetrics(nil), nil)
	defer w2.Close()
	deadline := time.Now().Add(time.Minute)
	for {
		if segs, _ := sp.Segments(); len(segs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("spool not drained within a minute of ClickHouse's return")
		}
		w2.Drain(ctx)
		time.Sleep(200 * time.Millisecond)
	}
	// 0..74: 75 distinct records, each stored once.
	var rows, distinct uint64
	if err := db.Conn().QueryRow(ctx, "SELECT count(), uniqExact(id) FROM contacts").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != 75 || distinct != 75 {
		t.Errorf("%d rows, %d distinct; want 75 and 75", rows, distinct)
	}
}

// ownServer starts a ClickHouse of the test's own with a migrated database
// and the test sites.
func ownServer(t *testing.T) (chserver.Server, *store.DB) {
	t.Helper()
	ingest.SkipShort(t)
	srv := chserver.Server{Dir: filepath.Join(t.TempDir(), "ch"), TCPPort: freePort(t), HTTPPort: freePort(t), StartTimeout: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := srv.Start(ctx); err != nil {
		if errors.Is(err, chserver.ErrNoBinary) && os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = srv.Stop(context.Background()) })
	opts := store.Options{Addr: fmt.Sprintf("127.0.0.1:%d", srv.TCPPort), Database: "killtest", User: "default", DialTimeout: time.Second, ReadTimeout: 10 * time.Second}
	if err := store.EnsureDatabase(ctx, opts); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return srv, db
}

// TestKillClickHouseMidIngest kills ClickHouse (SIGKILL) while a large
// ingest is under way, then restarts it: every record the collector
// acknowledged ends up stored exactly once.
func TestKillClickHouseMidIngest(t *testing.T) {
	srv, db := ownServer(t)
	e := newEnv(t, db, t.TempDir(), ingest.Limits{MaxLineBytes: 4096, MaxRecords: 5000})
	ctx := context.Background()

	const bodies, per = 40, 250
	type answer struct {
		status int
		res    ingest.Result
	}
	answers := make(chan answer, bodies)
	killed := make(chan struct{})
	go func() {
		for i := 0; i < bodies; i++ {
			if i == 12 {
				st, err := srv.Status(ctx)
				if err == nil && st.PID > 0 {
					_ = syscall.Kill(st.PID, syscall.SIGKILL)
				}
				close(killed)
			}
			status, res, _ := e.post(t, "contacts", "application/x-ndjson", contactsNDJSON(i*per, per))
			answers <- answer{status, res}
		}
		close(answers)
	}()
	accepted, spooled := 0, 0
	for a := range answers {
		if a.status != 200 {
			t.Errorf("status %d: every body must be acknowledged (ClickHouse or spool)", a.status)
			continue
		}
		accepted += a.res.Accepted
		spooled += a.res.Spooled
	}
	<-killed
	if spooled == 0 {
		t.Fatal("nothing was spooled: ClickHouse was not down during the ingest")
	}
	if accepted != bodies*per {
		t.Fatalf("%d accepted, want %d", accepted, bodies*per)
	}
	// The pid file still names the killed server: start replaces it.
	if _, err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		e.w.Drain(ctx)
		if segs, _ := e.spool.Segments(); len(segs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("spool not drained")
		}
		time.Sleep(200 * time.Millisecond)
	}
	var rows, distinct uint64
	if err := db.Conn().QueryRow(ctx, "SELECT count(), uniqExact(id) FROM contacts").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != uint64(accepted) || distinct != uint64(accepted) {
		t.Errorf("%d rows, %d distinct ids; want %d of each (%d were spooled)", rows, distinct, accepted, spooled)
	}
}

// TestKillClickHouseMidConcurrentIngest is TestKillClickHouseMidIngest
// with four clients at once, so that the writer is busy and answers from
// the spool, its flusher's inserts failing when ClickHouse dies: every
// acknowledged record ends up stored exactly once all the same.
func TestKillClickHouseMidConcurrentIngest(t *testing.T) {
	srv, db := ownServer(t)
	e := newEnv(t, db, t.TempDir(), ingest.Limits{MaxLineBytes: 4096, MaxRecords: 5000})
	ctx := context.Background()

	const clients, bodies, per = 4, 25, 250
	var accepted, spooled atomic.Int64
	var sent atomic.Int64
	killed := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < bodies; i++ {
				if sent.Add(1) == clients*bodies/3 {
					once.Do(func() {
						if st, err := srv.Status(ctx); err == nil && st.PID > 0 {
							_ = syscall.Kill(st.PID, syscall.SIGKILL)
						}
						close(killed)
					})
				}
				status, res, _ := e.post(t, "contacts", "application/x-ndjson", contactsNDJSON((c*bodies+i)*per, per))
				if status != 200 {
					t.Errorf("status %d: every body must be acknowledged (ClickHouse or spool)", status)
					continue
				}
				accepted.Add(int64(res.Accepted))
				spooled.Add(int64(res.Spooled))
			}
		}()
	}
	wg.Wait()
	<-killed
	if accepted.Load() != clients*bodies*per {
		t.Fatalf("%d accepted, want %d", accepted.Load(), clients*bodies*per)
	}
	t.Logf("%d accepted, %d of them answered from the spool", accepted.Load(), spooled.Load())
	if _, err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		e.w.Drain(ctx)
		if segs, _ := e.spool.Segments(); len(segs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("spool not drained")
		}
		time.Sleep(200 * time.Millisecond)
	}
	var rows, distinct uint64
	if err := db.Conn().QueryRow(ctx, "SELECT count(), uniqExact(id) FROM contacts").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != uint64(accepted.Load()) || distinct != uint64(accepted.Load()) {
		t.Errorf("%d rows, %d distinct ids; want %d of each (%d answered from the spool)", rows, distinct, accepted.Load(), spooled.Load())
	}
}

// TestRestartMidDrain: the collector dies after a segment reached
// ClickHouse but before the segment was deleted; the restarted collector
// drains it again and stores nothing twice.
func TestRestartMidDrain(t *testing.T) {
	srv, db := ownServer(t)
	ctx := context.Background()
	spoolDir := t.TempDir()
	// The collector starts while ClickHouse is away: it validates with the
	// sites saved by an earlier run.
	if err := os.WriteFile(filepath.Join(spoolDir, "sites.json"), []byte(`[{"ID":"PAR-11","Name":"Paris","Kind":"agency","Region":"11","Department":"75","Zone":"metropole","Timezone":"Europe/Paris"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, db, spoolDir) // sites stored, not yet read by the service
	if _, err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if status, res, _ := e.post(t, "contacts", "application/x-ndjson", contactsNDJSON(i*30, 30)); status != 200 || res.Spooled != 30 {
			t.Fatalf("spooling: %d %+v", status, res)
		}
	}
	segs, _ := e.spool.Segments()
	if len(segs) != 3 {
		t.Fatalf("%d segments, want 3", len(segs))
	}
	e.w.Close()
	e.spool.Close()
	// Keep a copy of the first segment: put back after the drain (under
	// the root, where a drain adopts it), it is a segment whose records
	// were stored but which was not deleted.
	saved, err := os.ReadFile(filepath.Join(e.spool.Dir(), segs[0]))
	first := filepath.Join(spoolDir, segs[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sp, _ := ingest.OpenSpool(spoolDir)
	// A new writer's drain loop drains once at start: the explicit Drain
	// waits for it (or does it), so the spool is empty after either.
	w2 := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour}, nil, nil)
	w2.Drain(ctx)
	if segs, _ := sp.Segments(); len(segs) != 0 {
		t.Fatalf("segments left after the drain: %v", segs)
	}
	w2.Close()
	if err := os.WriteFile(first, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	w3 := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour}, nil, nil)
	defer w3.Close()
	w3.Drain(ctx)
	if segs, _ := sp.Segments(); len(segs) != 0 {
		t.Fatalf("segments left after the re-drain: %v", segs)
	}
	var rows, distinct uint64
	if err := db.Conn().QueryRow(ctx, "SELECT count(), uniqExact(id) FROM contacts").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != 90 || distinct != 90 {
		t.Errorf("%d rows, %d distinct; want 90 and 90", rows, distinct)
	}
}
