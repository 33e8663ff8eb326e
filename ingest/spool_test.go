package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
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
	srv := chserver.Server{Dir: filepath.Join(t.TempDir(), "ch"), TCPPort: freePort(t), HTTPPort: freePort(t), StartTimeout: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if _, err := srv.Start(ctx); err != nil {
		if errors.Is(err, chserver.ErrNoBinary) && os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = srv.Stop(context.Background()) })
	opts := store.Options{Addr: fmt.Sprintf("127.0.0.1:%d", srv.TCPPort), Database: "spooltest", User: "default", DialTimeout: time.Second, ReadTimeout: 10 * time.Second}
	if err := store.EnsureDatabase(ctx, opts); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
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
