//go:build faults

package ingest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFaultClickHouseSlow: every answer of ClickHouse is held 5 s, longer
// than an insert may take (2 s here). Four clients submitting at once are
// each answered within the insert's deadline (from the spool), none waits
// for ClickHouse; once ClickHouse is quick again the spool drains, and what
// an abandoned insert may have stored meanwhile is not stored twice.
func TestFaultClickHouseSlow(t *testing.T) {
	direct, proxy, db := proxiedDB(t, time.Second)
	sp, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const deadline = 2 * time.Second
	w := newWriter(dbStore{db}, sp, WriterOptions{InsertTimeout: deadline, DrainEvery: time.Hour, Linger: time.Millisecond}, NewMetrics(nil), nil)
	t.Cleanup(w.Close)
	waitFilter(t, w)
	afterFirstDrain(t, w)
	proxy.setDelay(5 * time.Second)

	const clients, rounds, per = 4, 3, 200
	var acked atomic.Int64
	var slowest atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				t0 := time.Now()
				o := w.Submit(context.Background(), testContacts("slow", string(rune('A'+c))+string(rune('a'+r)), per))
				d := time.Since(t0)
				for {
					s := slowest.Load()
					if int64(d) <= s || slowest.CompareAndSwap(s, int64(d)) {
						break
					}
				}
				if o.Err != nil {
					t.Errorf("client %d round %d: %v", c, r, o.Err)
					continue
				}
				acked.Add(int64(o.Accepted))
			}
		}()
	}
	wg.Wait()
	t.Logf("slowest answer %s with ClickHouse answering after 5 s; %d acknowledged", time.Duration(slowest.Load()), acked.Load())
	// An answer waits at most one insert's deadline, plus the spool's write
	// and a lane freed by another timed-out insert.
	if time.Duration(slowest.Load()) > 3*deadline {
		t.Errorf("slowest answer %s, want within %s", time.Duration(slowest.Load()), 3*deadline)
	}
	proxy.setDelay(0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		w.Drain(ctx)
		if segs, _ := sp.Segments(); len(segs) == 0 && !w.spooled.holding() {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("spool not drained")
		}
		time.Sleep(200 * time.Millisecond)
	}
	var rows, distinct uint64
	if err := direct.Conn().QueryRow(ctx, "SELECT count(), uniqExact(id) FROM contacts").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	t.Logf("stored %d rows, %d distinct", rows, distinct)
	if int64(rows) != acked.Load() || int64(distinct) != acked.Load() || acked.Load() != clients*rounds*per {
		t.Errorf("%d rows, %d distinct, %d acknowledged; want %d of each", rows, distinct, acked.Load(), clients*rounds*per)
	}
}

// setDelay makes the server's answers wait d (0: none).
func (p *cutProxy) setDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}
