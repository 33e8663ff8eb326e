package api_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"globaloffice/api"
)

// TestIngestBodySlots: with one body slot, a second collector request
// waits, then gets 503 with Retry-After; once the first is done, the slot
// is free again.
func TestIngestBodySlots(t *testing.T) {
	e := newEnvWith(t, api.Limits{IngestBodies: 1, IngestWait: 200 * time.Millisecond})
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/ingest/contacts", pr)
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+e.tokens["admin"])
	first := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	// The first body is being received: it holds the slot.
	_, _ = pw.Write([]byte(`{"id":"s1","source":"x","site":"PAR-11","channel":"phone","arrived_at":"2026-06-10T09:00:00Z","outcome":"abandoned"}` + "\n"))
	time.Sleep(100 * time.Millisecond)
	body := `{"id":"s2","source":"x","site":"PAR-11","channel":"phone","arrived_at":"2026-06-10T09:00:00Z","outcome":"abandoned"}`
	r := e.do("POST", "/api/v1/ingest/contacts", "admin", body)
	if r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Errorf("second body while the first is read: %d %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	pw.Close()
	if code := <-first; code != 200 {
		t.Fatalf("first body: %d", code)
	}
	if r := e.do("POST", "/api/v1/ingest/contacts", "admin", body); r.status != 200 {
		t.Errorf("after the first: %d %s", r.status, r.body)
	}
}

// TestAnonymousRateLimit: a client without a token gets 429 past its burst;
// with a token it is not limited.
func TestAnonymousRateLimit(t *testing.T) {
	e := newEnvWith(t, api.Limits{AnonymousRate: 0.5, AnonymousBurst: 3})
	var codes []int
	for i := 0; i < 5; i++ {
		// A forged X-Forwarded-For does not make another client: no proxy
		// is trusted by default.
		r := e.do("GET", "/api/v1/sites", "", "", "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i))
		codes = append(codes, r.status)
		if r.status == 429 && r.header.Get("Retry-After") != "2" {
			t.Errorf("429 with Retry-After %q", r.header.Get("Retry-After"))
		}
	}
	if got := fmt.Sprint(codes); got != "[200 200 200 429 429]" {
		t.Errorf("anonymous: %s", got)
	}
	for i := 0; i < 5; i++ {
		if r := e.do("GET", "/api/v1/sites", "director", ""); r.status != 200 {
			t.Errorf("with a token: %d", r.status)
		}
	}
	if r := e.do("GET", "/metrics", "", ""); r.status != 200 {
		t.Errorf("/metrics is not limited: %d", r.status)
	}
}

// TestIngestBodyBytes: with the cap in bytes (one body of 1 MiB), four
// small bodies of announced length (256 KiB each at least) are read at
// once and a fifth waits, then gets 503; a body of unknown length takes the
// whole MiB once they are done.
func TestIngestBodyBytes(t *testing.T) {
	e := newEnvWith(t, api.Limits{IngestBodies: 1, IngestBodyBytes: 1 << 20, IngestWait: 200 * time.Millisecond})
	line := func(id string) string {
		return `{"id":"` + id + `","source":"x","site":"PAR-11","channel":"phone","arrived_at":"2026-06-10T09:00:00Z","outcome":"abandoned"}` + "\n"
	}
	// open starts a POST whose body is sent in two halves: it is being read
	// until finish sends the second.
	open := func(id string, announced bool) (finish func() int) {
		body := line(id)
		pr, pw := io.Pipe()
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/ingest/contacts", pr)
		if announced {
			req.ContentLength = int64(len(body))
		}
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+e.tokens["admin"])
		code := make(chan int, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				code <- 0
				return
			}
			resp.Body.Close()
			code <- resp.StatusCode
		}()
		_, _ = pw.Write([]byte(body[:10]))
		return func() int {
			_, _ = pw.Write([]byte(body[10:]))
			pw.Close()
			return <-code
		}
	}
	var held []func() int
	for i := range 4 {
		held = append(held, open(fmt.Sprintf("b%d", i), true))
	}
	time.Sleep(300 * time.Millisecond) // the four are being read
	if r := e.do("POST", "/api/v1/ingest/contacts", "admin", line("b4")); r.status != 503 {
		t.Errorf("a fifth small body: %d %s", r.status, r.body)
	}
	for i, finish := range held {
		if code := finish(); code != 200 {
			t.Errorf("small body %d: %d", i, code)
		}
	}
	finish := open("u1", false)
	time.Sleep(300 * time.Millisecond)
	if r := e.do("POST", "/api/v1/ingest/contacts", "admin", line("b5")); r.status != 503 {
		t.Errorf("a small body while one of unknown length is read: %d %s", r.status, r.body)
	}
	if code := finish(); code != 200 {
		t.Errorf("the body of unknown length: %d", code)
	}
	if r := e.do("POST", "/api/v1/ingest/contacts", "admin", line("b6")); r.status != 200 {
		t.Errorf("after it: %d %s", r.status, r.body)
	}
}
