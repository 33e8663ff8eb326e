package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// maxDrainAttempts is how often ClickHouse may refuse a segment's data (an
// error of badDataCodes) before the segment is quarantined.
const maxDrainAttempts = 5

// badDataCodes are the ClickHouse errors that say the data itself is
// refused: retrying cannot help. Any other error (memory limit, too many
// parts, timeouts, a missing table…) is retried for as long as it lasts,
// the spool's age telling operators.
var badDataCodes = map[int32]bool{
	6: true, 26: true, 27: true, 36: true, 38: true, 41: true, 53: true, 69: true,
	70: true, 72: true, 117: true, 131: true, 321: true,
}

// drainState is the drain's own: one drain at a time, and the refusals of
// each segment so far.
type drainState struct {
	mu       sync.Mutex
	attempts map[string]int       // spool segment → bad-data refusals with ClickHouse up
	failing  map[string]*retrying // spool segment → its failures, while ClickHouse answers
}

// retrying is a segment ClickHouse answered with an error: the drain goes
// past it and tries it again after a backoff that doubles at each failure.
type retrying struct {
	failures int
	next     time.Time
}

// maxDrainBackoff caps the wait before a failing segment is tried again.
const maxDrainBackoff = 5 * time.Minute

func (w *Writer) drainLoop() {
	defer w.wg.Done()
	t := time.NewTicker(w.opts.DrainEvery)
	defer t.Stop()
	for {
		w.drain(context.Background(), false)
		select {
		case <-t.C:
		case <-w.stop:
			return
		}
	}
}

// Drain stores spooled segments, oldest first, until the spool is empty or
// ClickHouse fails. It returns the number of segments drained. Segments go
// through the loop's dedupe like any submission, so a segment whose records
// reached ClickHouse before its error was seen stores nothing twice.
//
// A segment that ClickHouse answers with an error (its data refused, a
// lookup too large, a table missing) does not hold the others up: the drain
// logs it, goes on with the next, and tries it again after a backoff. An
// error without an answer (ClickHouse away) ends the drain. Drain itself
// tries every segment (an operator's retry); the loop respects the backoffs.
func (w *Writer) Drain(ctx context.Context) int { return w.drain(ctx, true) }

// FailingSegments is the number of spool segments ClickHouse refused at
// their last drain and that wait for their next try.
func (w *Writer) FailingSegments() int {
	w.drains.mu.Lock()
	defer w.drains.mu.Unlock()
	return len(w.drains.failing)
}

func (w *Writer) drain(ctx context.Context, all bool) int {
	w.drains.mu.Lock()
	defer w.drains.mu.Unlock()
	if w.drains.attempts == nil {
		w.drains.attempts = map[string]int{}
		w.drains.failing = map[string]*retrying{}
	}
	defer func() { w.metrics.failing(len(w.drains.failing)) }()
	// Segments of processes that are gone (and those put back by spool
	// retry) become this process's.
	if err := w.spool.Adopt(); err != nil {
		w.log.Error("spool", "err", err)
	}
	names, err := w.spool.Segments()
	if err != nil {
		w.log.Error("spool", "err", err)
		return 0
	}
	listed := make(map[string]bool, len(names))
	for _, name := range names {
		listed[name] = true
	}
	for name := range w.drains.failing {
		if !listed[name] {
			delete(w.drains.failing, name) // removed, or quarantined, since
		}
	}
	drained := 0
	for _, name := range names {
		if w.spooled.owns(name) {
			continue // answered under load and inserted shortly, or a lane's, being spooled
		}
		if r := w.drains.failing[name]; r != nil && !all && time.Now().Before(r.next) {
			continue
		}
		recs, err := w.spool.Read(name)
		if errors.Is(err, os.ErrNotExist) {
			continue // owned when listed, stored and removed since
		}
		if errors.Is(err, ErrCorruptSegment) {
			w.quarantine(name, err)
			continue
		}
		if err != nil {
			w.retryLater(name, 0, err) // a disk's error may pass: not quarantined
			continue
		}
		s := &submission{recs: recs, segment: name, done: make(chan Outcome, 1)}
		select {
		case w.in <- s:
		case <-w.stop:
			return drained
		case <-ctx.Done():
			return drained
		}
		o := w.wait(s)
		if o.Err != nil {
			var ex *clickhouse.Exception
			if !errors.As(o.Err, &ex) {
				w.metrics.spool(w.spool)
				return drained // ClickHouse still away: try later
			}
			if badDataCodes[ex.Code] {
				w.drains.attempts[name]++
				if w.drains.attempts[name] >= maxDrainAttempts {
					w.quarantine(name, o.Err)
					delete(w.drains.attempts, name)
					continue
				}
			}
			w.retryLater(name, len(recs), o.Err)
			continue
		}
		if err := w.spool.Remove(name); err != nil {
			w.log.Error("spool", "err", err)
			return drained
		}
		delete(w.drains.attempts, name)
		delete(w.drains.failing, name)
		drained++
		w.metrics.drained(len(recs))
	}
	w.metrics.spool(w.spool)
	return drained
}

// retryLater notes a segment's failure: the loop tries it again after a
// backoff that doubles at each failure.
func (w *Writer) retryLater(name string, records int, err error) {
	r := w.drains.failing[name]
	if r == nil {
		r = &retrying{}
		w.drains.failing[name] = r
	}
	r.failures++
	wait := min(w.opts.DrainEvery<<min(r.failures-1, 20), maxDrainBackoff)
	r.next = time.Now().Add(wait)
	w.log.Error("spool segment not drained; the drain goes on with the others", "segment", name,
		"records", records, "failures", r.failures, "retry_in", wait, "err", err)
}

// quarantine moves a segment to failed/ and counts its records there.
func (w *Writer) quarantine(name string, cause error) {
	n, _, _ := countLines(filepath.Join(w.spool.Dir(), name))
	if err := w.spool.Quarantine(name); err != nil {
		w.log.Error("spool segment could not be quarantined", "segment", name, "err", err)
		return
	}
	delete(w.drains.failing, name)
	w.log.Error("spool segment quarantined (globaloffice spool list|retry)", "segment", name, "records", n, "err", cause)
	w.metrics.quarantined(n)
}
