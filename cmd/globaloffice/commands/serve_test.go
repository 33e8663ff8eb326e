package commands

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"globaloffice/config"
	"globaloffice/store"
)

// TestMemoryLimit: serve sets server.memory_limit_mb as the soft limit unless
// it is 0 or GOMEMLIMIT is set in Run's environment; the process's own
// GOMEMLIMIT does not count (in the binary, main passes os.Environ()).
func TestMemoryLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	f := func(mb int, env []string, want int64, wantOK bool) {
		t.Helper()
		a := &app{env: env, cfg: config.Config{Server: config.Server{MemoryLimitMB: mb}}}
		if got, ok := a.memoryLimit(); got != want || ok != wantOK {
			t.Errorf("memory_limit_mb %d, env %q: %d %v, want %d %v", mb, env, got, ok, want, wantOK)
		}
	}
	f(170, nil, 178_257_920, true) // 170 × 1,048,576
	f(170, []string{"GOMEMLIMIT=512MiB"}, 0, false)
	f(170, []string{"GOMEMLIMIT="}, 178_257_920, true) // empty is unset, as the runtime reads it
	f(0, nil, 0, false)
}

// TestServeShutdownFinishesIngest: serve refuses an oversized header (431)
// and applies its limits (server.ingest_bodies: a body of unknown length
// being read takes the whole budget of one, so another waits and gets 503;
// server.anonymous_rate: 429 past the burst), and a stop (SIGTERM cancels
// Run's context) lets a collector request in flight finish: its records
// are stored before serve returns.
func TestServeShutdownFinishesIngest(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{"migrate"}, {"sites", "import", repoFile("demo", "sites.csv")}} {
		if code, out, stderr := c.run(args...); code != exitOK {
			t.Fatalf("%v: %d %s%s", args, code, out, stderr)
		}
	}
	code, secret, stderr := c.run("tokens", "create", "--role", "collector")
	if code != exitOK {
		t.Fatal(stderr)
	}
	secret = strings.TrimSpace(secret)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := append(c.env, "GLOBALOFFICE_SERVER_ADDR="+addr, "GLOBALOFFICE_SERVER_MAX_HEADER_BYTES=4096",
		"GLOBALOFFICE_SERVER_INGEST_BODIES=1", "GLOBALOFFICE_SERVER_INGEST_WAIT=300ms",
		"GLOBALOFFICE_SERVER_ANONYMOUS_RATE=0.1", "GLOBALOFFICE_SERVER_ANONYMOUS_BURST=1")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, []string{"serve"}, env, strings.NewReader(""), &out, &errb) }()
	base := "http://" + addr
	for i := 0; ; i++ {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i == 300 {
			t.Fatalf("serve did not answer: %s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/sites", nil)
	req.Header.Set("X-Padding", strings.Repeat("x", 8192))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("oversized header: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	var anonymous []int
	for range 2 {
		resp, err := http.Get(base + "/api/v1/sites")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		anonymous = append(anonymous, resp.StatusCode)
	}
	if fmt.Sprint(anonymous) != "[200 429]" {
		t.Errorf("anonymous requests past a burst of 1: %v", anonymous)
	}

	pr, pw := io.Pipe()
	post, _ := http.NewRequest("POST", base+"/api/v1/ingest/contacts", pr)
	post.Header.Set("Content-Type", "application/x-ndjson")
	post.Header.Set("Authorization", "Bearer "+secret)
	answer := make(chan string, 1)
	go func() {
		resp, err := http.DefaultClient.Do(post)
		if err != nil {
			answer <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answer <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()
	line := func(id string) string {
		return `{"id":"` + id + `","source":"qms","site":"PAR-11","channel":"phone","arrived_at":"2026-06-10T09:00:00Z","outcome":"abandoned"}` + "\n"
	}
	_, _ = pw.Write([]byte(line("g1")))
	time.Sleep(200 * time.Millisecond)
	busy, _ := http.NewRequest("POST", base+"/api/v1/ingest/contacts", strings.NewReader(line("b1")))
	busy.Header.Set("Content-Type", "application/x-ndjson")
	busy.Header.Set("Authorization", "Bearer "+secret)
	if resp, err := http.DefaultClient.Do(busy); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a body while another of unknown length is read, with ingest_bodies 1: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	stop() // as SIGTERM does
	time.Sleep(200 * time.Millisecond)
	_, _ = pw.Write([]byte(line("g2")))
	pw.Close()
	if got := <-answer; !strings.HasPrefix(got, "200 ") || !strings.Contains(got, `"accepted":2`) {
		t.Errorf("request in flight at the stop: %s", got)
	}
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exit %d: %s", code, errb.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop")
	}
	db, err := store.Open(context.Background(), c.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.RowCount(context.Background(), "contacts"); err != nil || n != 2 {
		t.Errorf("contacts stored: %d %v", n, err)
	}
}

// syncBuffer is a bytes.Buffer safe for a goroutine writing while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeIndicatorGauges: serve computes the indicator gauges at start,
// then on a timer; once done, /metrics has a series per published
// indicator (the demo sites, no data: samples of 0, no values).
func TestServeIndicatorGauges(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{"migrate"}, {"sites", "import", repoFile("demo", "sites.csv")}} {
		if code, out, stderr := c.run(args...); code != exitOK {
			t.Fatalf("%v: %d %s%s", args, code, out, stderr)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, stop := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve"}, append(c.env, "GLOBALOFFICE_SERVER_ADDR="+addr), strings.NewReader(""), &out, &errb)
	}()
	defer func() {
		stop()
		if code := <-done; code != exitOK {
			t.Errorf("serve exit %d: %s", code, errb.String())
		}
	}()
	var body string
	for i := 0; ; i++ {
		if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			if resp.StatusCode == http.StatusOK && !strings.Contains(body, "globaloffice_indicator_last_computed_timestamp_seconds 0\n") &&
				strings.Contains(body, "globaloffice_indicator_last_computed_timestamp_seconds ") {
				break
			}
		}
		if i == 200 {
			t.Fatalf("no indicator gauges computed in /metrics:\n%s\n%s", body, errb.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{`globaloffice_indicator_sample{indicator="reception.wait_20min"} 0`,
		"globaloffice_indicator_compute_failures_total 0", "globaloffice_ingest_spool_segments 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "globaloffice_indicator_value{") {
		t.Error("/metrics has indicator values with no data")
	}
}
