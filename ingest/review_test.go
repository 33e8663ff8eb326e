package ingest_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
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
	e := newEnv(t, chtest.New(t), t.TempDir())
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

// TestWriterCloseWithSubmissionsInFlight: Close while requests keep
// submitting must neither hang nor leave a submitter waiting forever (a
// submission queued as the loop stopped used to get no answer, and Close
// waited on the drain loop stuck the same way).
func TestWriterCloseWithSubmissionsInFlight(t *testing.T) {
	db := chtest.New(t)
	if err := db.UpsertSites(t.Context(), testSites); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 5; round++ {
		sp, err := ingest.OpenSpool(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		w := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour, Linger: time.Millisecond}, ingest.NewMetrics(nil), nil)
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					c := model.Contact{Source: "close", ID: fmt.Sprintf("%d-%d-%d", round, g, i), Site: "PAR-11", Channel: "phone",
						ArrivedAt: time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC), ArrivedDate: time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC), Outcome: model.OutcomeAbandoned}
					if o := w.Submit(context.Background(), []ingest.Record{{Contact: &c}}); o.Err != nil {
						return
					}
				}
			}()
		}
		time.Sleep(50 * time.Millisecond)
		closed := make(chan struct{})
		go func() { w.Close(); wg.Wait(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: Close or a Submit still blocked 20 s after Close", round)
		}
	}
}

// TestResendLongIDs: looking up which of many long ids are stored must stay
// under ClickHouse's max_query_size (256 KiB); over it the lookup failed, the
// records were spooled, and the drain, refused the same way, quarantined the
// segment: accepted records never stored.
func TestResendLongIDs(t *testing.T) {
	e := newEnv(t, chtest.New(t), t.TempDir(), ingest.Limits{MaxLineBytes: 4096, MaxRecords: 10_000})
	var b strings.Builder
	const n = 4100
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"id":"%070d","source":"long","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`+"\n", i)
	}
	for _, tc := range []struct {
		name                 string
		accepted, duplicates int
	}{{"first send", n, 0}, {"sent again", 0, n}} {
		res, err := e.svc.Ingest(t.Context(), ingest.KindContacts, ingest.FormatNDJSON, strings.NewReader(b.String()), ingest.Options{})
		if err != nil || res.Accepted != tc.accepted || res.Duplicates != tc.duplicates || res.Spooled != 0 {
			t.Fatalf("%s: %v, accepted %d duplicates %d spooled %d; want %d, %d, 0", tc.name, err, res.Accepted, res.Duplicates, res.Spooled, tc.accepted, tc.duplicates)
		}
	}
	if segs, _ := e.spool.Segments(); len(segs) != 0 {
		t.Errorf("%d spool segments with ClickHouse up", len(segs))
	}
}

// TestJSONInvalidUTF8: like NDJSON and CSV records, a JSON record with bytes
// that are not UTF-8 is refused, not stored (and its spooled copy would be
// altered by the spool's JSON encoding, so stored twice under two ids).
func TestJSONInvalidUTF8(t *testing.T) {
	e := newEnv(t, chtest.New(t), t.TempDir())
	rec := `{"id":"%s","source":"s","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned","motive":"%s"}`
	for _, tt := range []struct{ name, ctype, body string }{
		{"array", "application/json", "[" + fmt.Sprintf(rec, "U1", "ok") + "," + fmt.Sprintf(rec, "U2", "caf\xe9") + "]"},
		{"object", "application/json", fmt.Sprintf(rec, "U3", "caf\xe9")},
		{"ndjson", "application/x-ndjson", fmt.Sprintf(rec, "U4", "caf\xe9")},
	} {
		status, res, problem := e.post(t, "contacts", tt.ctype, tt.body)
		if status != 200 || res.Rejected != 1 || len(res.Rejects) != 1 || !strings.Contains(res.Rejects[0].Reason, "UTF-8") {
			t.Errorf("%s: status %d %+v %v; want the record with a non-UTF-8 byte refused", tt.name, status, res, problem)
		}
	}
	if n := e.count(t, "SELECT count() FROM contacts WHERE id IN ('U2', 'U3', 'U4')"); n != 0 {
		t.Errorf("%d contacts stored with bytes that are not UTF-8", n)
	}
}

// TestDrainRetriesDoNotRepeatRejects: a spooled segment holds a request's
// records and its rejects. Rejects have no identity to dedupe on, so a
// drain that fails on the records must not have stored the rejects already:
// every retry stored them again.
func TestDrainRetriesDoNotRepeatRejects(t *testing.T) {
	db := chtest.New(t)
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour}, ingest.NewMetrics(nil), nil)
	defer w.Close()
	at := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
	recs := []ingest.Record{
		{Survey: &model.SurveyResponse{Source: "s", ID: "R1", Site: "PAR-11", Channel: "phone", Survey: "post", Mode: model.SurveyMode("sms"), AnsweredAt: at, AnsweredDate: at, Scale: model.Scale("1-5"), Scores: map[string]int{"overall": 4}}},
		{Reject: &store.Reject{RejectedAt: at, Kind: "surveys", Source: "s", Line: 2, Field: "scale", Reason: "bad", Raw: "{}"}},
	}
	if _, err := sp.Write(recs); err != nil {
		t.Fatal(err)
	}
	// ClickHouse answers but refuses the survey responses.
	if err := db.Conn().Exec(t.Context(), "RENAME TABLE survey_responses TO survey_responses_away"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		w.Drain(t.Context())
	}
	// A missing table is not bad data: the segment waits, it is not quarantined.
	if segs, _ := sp.Segments(); len(segs) != 1 {
		t.Fatalf("segments after 5 refusals: %v, want the one segment still waiting", segs)
	}
	var n uint64
	if err := db.Conn().QueryRow(t.Context(), "SELECT count() FROM ingest_rejects").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d rejects stored by drains that failed, want 0", n)
	}
	// Once the table is back, one drain stores the records and the reject once.
	if err := db.Conn().Exec(t.Context(), "RENAME TABLE survey_responses_away TO survey_responses"); err != nil {
		t.Fatal(err)
	}
	if d := w.Drain(t.Context()); d != 1 {
		t.Fatalf("drained %d segments, want 1", d)
	}
	if err := db.Conn().QueryRow(t.Context(), "SELECT count() FROM ingest_rejects").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d rejects stored, want 1", n)
	}
}

// cutProxy forwards TCP to ClickHouse until cut; then it drops the open
// connections and accepts new ones without ever answering, like a server
// whose host went away (connections time out rather than being refused).
type cutProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	cut   bool
	conns []net.Conn
	// armed: once a connection has sent an INSERT query and more than
	// muteAfter bytes after it (the insert's data), the server's answers on
	// it are dropped: the insert is stored but the client never hears so.
	armed     bool
	muteAfter int
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln}
	t.Cleanup(func() { ln.Close(); p.setCut(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c)
			cut := p.cut
			p.mu.Unlock()
			if cut {
				continue // never answered
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, s)
			p.mu.Unlock()
			var sent atomic.Int64
			var muted, inserting atomic.Bool
			go func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						p.mu.Lock()
						if p.armed && inserting.Load() && sent.Add(int64(n)) > int64(p.muteAfter) {
							muted.Store(true)
						}
						if p.armed && bytes.Contains(buf[:n], []byte("INSERT INTO")) {
							inserting.Store(true)
						}
						p.mu.Unlock()
						if _, werr := s.Write(buf[:n]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				s.Close()
			}()
			go func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := s.Read(buf)
					if n > 0 && !muted.Load() {
						if _, werr := c.Write(buf[:n]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				c.Close()
			}()
		}
	}()
	return p
}

// proxiedDB opens the test's database through a cutProxy (dialTimeout 0:
// the default), and the same database directly.
func proxiedDB(t *testing.T, dialTimeout time.Duration) (direct *store.DB, proxy *cutProxy, db *store.DB) {
	t.Helper()
	opts := chtest.Options(t)
	direct = chtest.New(t) // creates the database (chtest.New names its own)
	opts.Database = direct.Database()
	proxy = newCutProxy(t, opts.Addr)
	opts.Addr = proxy.ln.Addr().String()
	if dialTimeout > 0 {
		opts.DialTimeout = dialTimeout
	}
	db, err := store.Open(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return direct, proxy, db
}

// contactRows counts the rows of the contacts table.
func contactRows(t *testing.T, db *store.DB) uint64 {
	t.Helper()
	var n uint64
	if err := db.Conn().QueryRow(t.Context(), "SELECT count() FROM contacts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// TestUnknownSitesWhileClickHouseAway: records naming an unknown site make
// the sites reload; with ClickHouse away each reload waits for the dial
// timeout, and a failed reload was retried for every such record (under the
// lock every request takes), so a body of N such records took N timeouts.
func TestUnknownSitesWhileClickHouseAway(t *testing.T) {
	_, proxy, db := proxiedDB(t, time.Second)
	e := newEnv(t, db, t.TempDir())
	if status, res, problem := e.post(t, "contacts", "application/x-ndjson", contactsNDJSON(0, 1)); status != 200 || res.Accepted != 1 {
		t.Fatalf("%d %+v %v", status, res, problem)
	}
	time.Sleep(5500 * time.Millisecond) // the sites are older than the retry-on-miss delay
	proxy.setCut(true)
	var b strings.Builder
	// 40 records: retried for each, the reload would take ≥ 40 dial
	// timeouts (40 s); once, about one (1 s). The bound between is wide so
	// that a loaded machine does not fail the test.
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, `{"id":"X%d","source":"s","site":"NOPE-%d","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`+"\n", i, i)
	}
	t0 := time.Now()
	status, res, problem := e.post(t, "contacts", "application/x-ndjson", b.String())
	if status != 200 || res.Rejected != 40 {
		t.Errorf("status %d %+v %v; want 40 rejects (spooled)", status, res, problem)
	}
	if d := time.Since(t0); d > 20*time.Second {
		t.Errorf("answered after %s: the sites reload was retried for every record", d.Round(time.Second))
	}
}

func (p *cutProxy) arm(muteAfter int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed, p.muteAfter = true, muteAfter
}

// TestInsertStoredButAnswerLost: an insert that reached ClickHouse but whose
// answer was lost is spooled; the drain must find those records stored (the
// README's promise) and not store them a second time. The key filter did not
// know these keys (only successful inserts were added), said "certainly not
// stored", and the drain skipped the lookup.
func TestInsertStoredButAnswerLost(t *testing.T) {
	direct, proxy, db := proxiedDB(t, 0)
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour, InsertTimeout: 2 * time.Second}, ingest.NewMetrics(nil), nil)
	defer w.Close()
	batch := func(from, n int) []ingest.Record {
		recs := make([]ingest.Record, n)
		for i := range recs {
			c := model.Contact{Source: "lost", ID: fmt.Sprintf("L%06d-%x", from+i, (from+i)*2654435761), Site: "PAR-11", Channel: "phone",
				ArrivedAt: time.Date(2026, 5, 14, 12, 0, i%60, 0, time.UTC), ArrivedDate: time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC),
				Outcome: model.OutcomeAbandoned, UserRef: fmt.Sprintf("%032x", i*7919)}
			recs[i] = ingest.Record{Contact: &c}
		}
		return recs
	}
	// A first insert while all is well: the key filter is loaded by then.
	if o := w.Submit(t.Context(), batch(0, 10)); o.Err != nil || o.Accepted != 10 {
		t.Fatalf("%+v", o)
	}
	count := func() uint64 { return contactRows(t, direct) }
	const n = 3000
	proxy.arm(16 << 10)
	o := w.Submit(t.Context(), batch(10, n))
	if o.Err != nil || o.Spooled != n {
		t.Fatalf("with the answer lost: %+v, want %d spooled", o, n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for count() != 10+n {
		if time.Now().After(deadline) {
			t.Fatalf("the insert did not reach ClickHouse (%d rows): the test's premise failed", count())
		}
		time.Sleep(100 * time.Millisecond)
	}
	proxy.setCut(false)
	proxy.mu.Lock()
	proxy.armed = false
	proxy.mu.Unlock()
	// The segment is drained once whoever spooled it (a lane, or, if the
	// writer looked busy, the flusher) has seen its insert fail.
	if d := drainAll(t, w, sp); d != 1 {
		t.Fatalf("drained %d segments, want 1", d)
	}
	if got := count(); got != 10+n {
		t.Errorf("%d rows after the drain, want %d: the spooled copy was stored again", got, 10+n)
	}
}

// TestDrainSegmentWithEmptyRecord: a segment line that holds no record
// (an operator's edit, a restored file) is quarantined; it used to be taken
// for a reject and crash the writer on a nil pointer, at every restart.
func TestDrainSegmentWithEmptyRecord(t *testing.T) {
	db := chtest.New(t)
	dir := t.TempDir()
	sp, err := ingest.OpenSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, body := range []string{"{}\n", "null\n", `{"contact":null}` + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%019d-%06d.ndjson", i+1, 1)), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour}, ingest.NewMetrics(nil), nil)
	defer w.Close()
	w.Drain(t.Context())
	if segs, _ := sp.Segments(); len(segs) != 0 {
		t.Errorf("segments left: %v", segs)
	}
	if q, _ := filepath.Glob(filepath.Join(dir, "failed", "*.ndjson")); len(q) != 3 {
		t.Errorf("%d segments quarantined, want 3", len(q))
	}
}

// TestConcurrentResendsAcrossLanes: the same records submitted at once by
// several callers land in different groups, deduped while another group
// with the same keys is still being inserted; each record must be counted
// accepted once and stored once.
func TestConcurrentResendsAcrossLanes(t *testing.T) {
	db := chtest.New(t)
	if err := db.UpsertSites(t.Context(), testSites); err != nil {
		t.Fatal(err)
	}
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour, Linger: time.Millisecond, Lanes: 2}, ingest.NewMetrics(nil), nil)
	const rounds, per, callers = 20, 200, 4
	var accepted, dups atomic.Int64
	for round := 0; round < rounds; round++ {
		recs := make([]ingest.Record, per)
		for i := range recs {
			at := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
			recs[i] = ingest.Record{Contact: &model.Contact{Source: "lanes", ID: fmt.Sprintf("%d-%d", round, i), Site: "PAR-11", Channel: "phone",
				ArrivedAt: at, ArrivedDate: at.Truncate(24 * time.Hour), Outcome: model.OutcomeAbandoned}}
		}
		var wg sync.WaitGroup
		for g := 0; g < callers; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Staggered past the linger, so that most callers land in
				// a group of their own while another is inserting.
				time.Sleep(time.Duration(g) * 3 * time.Millisecond)
				o := w.Submit(context.Background(), recs)
				if o.Err != nil {
					t.Error(o.Err)
				}
				accepted.Add(int64(o.Accepted))
				dups.Add(int64(o.Duplicates))
			}()
		}
		wg.Wait()
	}
	if accepted.Load() != rounds*per || dups.Load() != rounds*per*(callers-1) {
		t.Errorf("accepted %d, duplicates %d; want %d and %d", accepted.Load(), dups.Load(), rounds*per, rounds*per*(callers-1))
	}
	// Records answered from the spool under load are inserted shortly
	// after; Close inserts what is left.
	w.Close()
	var n uint64
	if err := db.Conn().QueryRow(t.Context(), "SELECT count() FROM contacts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != rounds*per {
		t.Errorf("%d rows stored, want %d", n, rounds*per)
	}
}

// TestSpooledUnderLoadInsertFails: while an insert runs, submissions are
// answered from the spool and inserted later by the flusher. When that
// insert fails (here: it reaches ClickHouse but the answer is lost), the
// segments stay in the spool and the drain finds the records stored: each
// record is stored once, and nothing is left in the spool.
func TestSpooledUnderLoadInsertFails(t *testing.T) {
	direct, proxy, db := proxiedDB(t, 0)
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour, InsertTimeout: 2 * time.Second, Lanes: 1, MaxDelay: 300 * time.Millisecond}, ingest.NewMetrics(nil), nil)
	defer w.Close()
	batch := func(from, n int) []ingest.Record {
		recs := make([]ingest.Record, n)
		for i := range recs {
			c := model.Contact{Source: "load", ID: fmt.Sprintf("S%06d", from+i), Site: "PAR-11", Channel: "phone",
				ArrivedAt: time.Date(2026, 5, 14, 12, 0, i%60, 0, time.UTC), ArrivedDate: time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC),
				Outcome: model.OutcomeAbandoned, UserRef: fmt.Sprintf("%032x", from+i)}
			recs[i] = ingest.Record{Contact: &c}
		}
		return recs
	}
	count := func() uint64 { return contactRows(t, direct) }
	if o := w.Submit(t.Context(), batch(0, 10)); o.Err != nil || o.Accepted != 10 || o.Spooled != 0 {
		t.Fatalf("idle writer: %+v, want 10 stored before the answer", o)
	}
	const n = 3000
	proxy.arm(16 << 10) // inserts reach ClickHouse, their answers are lost
	slow := make(chan ingest.Outcome)
	go func() { slow <- w.Submit(t.Context(), batch(10, n)) }()
	time.Sleep(300 * time.Millisecond) // its insert is running (and will time out)
	t0 := time.Now()
	o := w.Submit(t.Context(), batch(10+n, n))
	if o.Err != nil || o.Accepted != n || o.Spooled != n {
		t.Fatalf("busy writer: %+v, want %d answered from the spool", o, n)
	}
	if d := time.Since(t0); d > 1500*time.Millisecond {
		t.Errorf("busy writer answered after %s: it waited for an insert", d)
	}
	if o := <-slow; o.Err != nil || o.Spooled != n {
		t.Fatalf("insert with its answer lost: %+v, want %d spooled", o, n)
	}
	deadline := time.Now().Add(15 * time.Second)
	for count() != 10+2*n {
		if time.Now().After(deadline) {
			t.Fatalf("%d rows: the flusher's insert did not reach ClickHouse", count())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The flusher's insert times out too; its segment stays for the drain.
	proxy.mu.Lock()
	proxy.armed = false
	proxy.mu.Unlock()
	proxy.setCut(true)
	proxy.setCut(false)
	if d := drainAll(t, w, sp); d != 2 {
		t.Errorf("drained %d segments, want 2", d)
	}
	if got := count(); got != 10+2*n {
		t.Errorf("%d rows after the drain, want %d", got, 10+2*n)
	}
	if segs, _ := sp.Segments(); len(segs) != 0 {
		t.Errorf("segments left: %v", segs)
	}
}

// drainAll drains until the spool is empty (segments still owned by a
// failing insert join once it gives up) and returns the segments drained.
func drainAll(t *testing.T, w *ingest.Writer, sp *ingest.Spool) int {
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
		time.Sleep(100 * time.Millisecond)
	}
}
