package ingest_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"globaloffice/ingest"
)

// rawPost sends a request by hand (so the body can lie about its length,
// stop early or trickle) and returns the answer's status.
func rawPost(t *testing.T, url, path, ctype string, headers, body string, closeWrite bool, trickle time.Duration) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\n%s\r\n", path, ctype, headers)
	done := make(chan struct{})
	defer close(done)
	if trickle > 0 {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				case <-time.After(trickle):
				}
				if _, err := fmt.Fprintf(conn, "1\r\n%c\r\n", body[i%len(body)]); err != nil {
					return
				}
			}
		}()
	} else {
		_, _ = conn.Write([]byte(body))
	}
	if closeWrite {
		_ = conn.(*net.TCPConn).CloseWrite()
	}
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestBodyCutShortOrSlow: a body shorter than its Content-Length (the client
// gave up) is a client error, not a 503 that invites retries forever; a body
// that trickles is cut after the body timeout with a 408.
func TestBodyCutShortOrSlow(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	rec := `{"id":"T1","source":"s","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}` + "\n"
	csv := contactHeader + "T2,s,PAR-11,phone,2026-05-14T12:00:00Z,,,abandoned,,,\n"
	tests := []struct {
		name, ctype, headers, body string
		trickle                    time.Duration
		want                       int
	}{
		{"ndjson shorter than Content-Length", "application/x-ndjson", "Content-Length: 1000\r\n", rec, 0, 400},
		{"csv shorter than Content-Length", "text/csv", "Content-Length: 1000\r\n", csv, 0, 400},
		{"json shorter than Content-Length", "application/json", "Content-Length: 1000\r\n", "[" + rec, 0, 400},
		{"ndjson trickling", "application/x-ndjson", "Transfer-Encoding: chunked\r\n", rec, 200 * time.Millisecond, 408},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t0 := time.Now()
			got := rawPost(t, e.url, "/api/v1/ingest/contacts", tt.ctype, tt.headers, tt.body, tt.trickle == 0, tt.trickle)
			if got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
			if d := time.Since(t0); d > 20*time.Second { // a hang, not a slow machine
				t.Errorf("answered after %s", d)
			}
		})
	}
	if n := e.count(t, "SELECT count() FROM contacts"); n != 0 {
		t.Errorf("%d contacts stored from refused bodies, want 0", n)
	}
}
