//go:build faults

package ingest_test

// The fault tests (make test-faults): each runs a ClickHouse of its own on
// free loopback ports, injects one fault during ingest, and counts records
// end to end: what was acknowledged is stored, exactly once.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"globaloffice/ingest"
	"globaloffice/store"
)

// postCounting posts a body and returns its status, what it acknowledged
// (accepted of a 200, or of a 503's problem: what was stored before the
// failure) and its Retry-After.
func postCounting(t *testing.T, url, token, body string) (status, acknowledged int, retryAfter string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/ingest/contacts", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-ndjson")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("post: %v", err)
		return 0, 0, ""
	}
	defer resp.Body.Close()
	var v struct {
		Accepted int `json:"accepted"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &v); err != nil {
		t.Errorf("answer %d %s: %v", resp.StatusCode, b, err)
	}
	return resp.StatusCode, v.Accepted, resp.Header.Get("Retry-After")
}

// storedOnce checks that contacts holds want rows, want distinct ids.
func storedOnce(t *testing.T, db *store.DB, want int64) {
	t.Helper()
	var rows, distinct uint64
	if err := db.Conn().QueryRow(context.Background(), "SELECT count(), uniqExact(id) FROM contacts").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	t.Logf("acknowledged %d, stored %d rows, %d distinct", want, rows, distinct)
	if int64(rows) != want || int64(distinct) != want {
		t.Errorf("%d rows, %d distinct ids; want %d of each (acknowledged)", rows, distinct, want)
	}
}

// drainAll drains e's spool until it is empty.
func drainAll(t *testing.T, e *env, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		e.w.Drain(context.Background())
		if st, _ := ingest.ReadSpoolStats(e.spool.Root()); st.Segments == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("spool not drained within %s", within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestFaultClickHouseKilledAndRestartedDuringIngest: four clients send
// without pause; ClickHouse is SIGKILLed a quarter of the way and started
// again halfway, while they go on. Every body is acknowledged (ClickHouse or
// the spool) and every acknowledged record is stored once.
func TestFaultClickHouseKilledAndRestartedDuringIngest(t *testing.T) {
	srv, db := ownServer(t)
	e := newEnv(t, db, t.TempDir(), ingest.Limits{MaxLineBytes: 4096, MaxRecords: 5000})
	ctx := context.Background()
	const clients, bodies, per = 4, 30, 250
	var acked, sent, non200 atomic.Int64
	var restarted sync.WaitGroup
	restarted.Add(1)
	var killOnce, startOnce sync.Once
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < bodies; i++ {
				switch sent.Add(1) {
				case clients * bodies / 4:
					killOnce.Do(func() {
						if st, err := srv.Status(ctx); err == nil && st.PID > 0 {
							_ = syscall.Kill(st.PID, syscall.SIGKILL)
							t.Logf("ClickHouse (pid %d) killed after %d bodies", st.PID, clients*bodies/4)
						}
					})
				case clients * bodies / 2:
					startOnce.Do(func() {
						go func() { // while the clients go on
							defer restarted.Done()
							if _, err := srv.Start(ctx); err != nil {
								t.Error(err)
							}
							t.Log("ClickHouse restarted")
						}()
					})
				}
				status, n, _ := postCounting(t, e.url, "", contactsNDJSON((c*bodies+i)*per, per))
				acked.Add(int64(n))
				if status != 200 {
					non200.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	restarted.Wait()
	st, _ := ingest.ReadSpoolStats(e.spool.Root())
	t.Logf("%d segments in the spool after the ingest", st.Segments)
	if non200.Load() > 0 {
		t.Errorf("%d bodies not acknowledged: the spool should have taken them", non200.Load())
	}
	drainAll(t, e, 2*time.Minute)
	storedOnce(t, db, acked.Load())
}

// TestFaultSpoolFull: ClickHouse is away and the spool has a size cap (a
// full disk): once it is reached, bodies get 503 with Retry-After and
// nothing of them is acknowledged; what was acknowledged before is stored
// once ClickHouse is back.
func TestFaultSpoolFull(t *testing.T) {
	srv, db := ownServer(t)
	e := newEnv(t, db, t.TempDir(), ingest.Limits{MaxLineBytes: 4096, MaxRecords: 5000})
	ctx := context.Background()
	// A first body while ClickHouse answers: the sites are loaded.
	_, first, _ := postCounting(t, e.url, "", contactsNDJSON(0, 10))
	if _, err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	e.spool.SetMaxBytes(200 << 10) // about 4 bodies of 250 contacts
	acked, full := int64(first), 0
	for i := 1; i <= 12; i++ {
		status, n, retry := postCounting(t, e.url, "", contactsNDJSON(i*1000, 250))
		acked += int64(n)
		switch {
		case status == 503:
			full++
			if retry == "" || n != 0 {
				t.Errorf("body %d: 503 with Retry-After %q and %d acknowledged; want a Retry-After and none", i, retry, n)
			}
		case status != 200:
			t.Errorf("body %d: status %d", i, status)
		}
	}
	t.Logf("%d bodies refused with the spool full", full)
	if full == 0 {
		t.Fatal("the spool never filled")
	}
	if st, _ := ingest.ReadSpoolStats(e.spool.Root()); st.Segments == 0 {
		t.Fatal("nothing spooled")
	}
	if _, err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	drainAll(t, e, time.Minute)
	storedOnce(t, db, acked)
}

// TestFaultCollectorKilledWithSpool: a real `globaloffice serve` process
// spools while ClickHouse is away, and is SIGKILLed with records in its
// spool. Restarted (a new process, a new spool folder), it adopts the dead
// one's segments and drains them: nothing lost or doubled.
func TestFaultCollectorKilledWithSpool(t *testing.T) {
	srv, db := ownServer(t)
	ctx := context.Background()
	if err := db.UpsertSites(ctx, testSites); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "globaloffice")
	build := exec.Command("go", "build", "-o", bin, "globaloffice/cmd/globaloffice")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	env := append(os.Environ(), "GLOBALOFFICE_HOME="+home, "GLOBALOFFICE_CLICKHOUSE_ADDR="+fmt.Sprintf("127.0.0.1:%d", srv.TCPPort),
		"GLOBALOFFICE_CLICKHOUSE_DATABASE="+db.Database(), "GLOBALOFFICE_CLICKHOUSE_DIAL_TIMEOUT=1s", "GLOBALOFFICE_SERVER_ADDR="+addr)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	token := run("tokens", "create", "--role", "collector")
	serve := func() *exec.Cmd {
		t.Helper()
		cmd := exec.Command(bin, "serve")
		cmd.Env = env
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		for i := 0; ; i++ {
			if resp, err := http.Get("http://" + addr + "/api/v1/sites"); err == nil {
				resp.Body.Close()
				return cmd
			}
			if i == 600 {
				t.Fatal("serve did not answer")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	first := serve()
	url := "http://" + addr
	acked := int64(0)
	status, n, _ := postCounting(t, url, token, contactsNDJSON(0, 50)) // sites loaded, saved for later
	if status != 200 || n != 50 {
		t.Fatalf("with ClickHouse up: %d, %d accepted; want 50", status, n)
	}
	acked += int64(n)
	if _, err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		status, n, _ := postCounting(t, url, token, contactsNDJSON(i*1000, 200))
		if status != 200 || n != 200 {
			t.Errorf("body %d with ClickHouse away: %d, %d accepted; want 200", i, status, n)
		}
		acked += int64(n)
	}
	st, _ := ingest.ReadSpoolStats(filepath.Join(home, "spool"))
	t.Logf("%d segments spooled when the collector is killed", st.Segments)
	if st.Segments == 0 {
		t.Fatal("nothing spooled")
	}
	_ = syscall.Kill(first.Process.Pid, syscall.SIGKILL)
	_ = first.Wait()
	if _, err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	serve()
	deadline := time.Now().Add(time.Minute)
	for {
		n, err := db.RowCount(ctx, "contacts")
		if err == nil && int64(n) >= acked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart, %d contacts stored (%v), want %d", n, err, acked)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // a second drain round would double what is stored twice
	storedOnce(t, db, acked)
	if st, _ := ingest.ReadSpoolStats(filepath.Join(home, "spool")); st.Segments != 0 {
		t.Errorf("%d segments left in the spool", st.Segments)
	}
	// The same bodies again: all duplicates.
	if status, n, _ := postCounting(t, url, token, contactsNDJSON(1000, 200)); status != 200 || n != 0 {
		t.Errorf("a re-sent body after the restart: %d, %d accepted; want 0", status, n)
	}
}
