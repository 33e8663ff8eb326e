package ingest

import (
	"context"
	"errors"
	"os"
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
	attempts map[string]int // spool segment → failed drains with ClickHouse up
}

func (w *Writer) drainLoop() {
	defer w.wg.Done()
	t := time.NewTicker(w.opts.DrainEvery)
	defer t.Stop()
	for {
		w.Drain(context.Background())
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
func (w *Writer) Drain(ctx context.Context) int {
	w.drains.mu.Lock()
	defer w.drains.mu.Unlock()
	if w.drains.attempts == nil {
		w.drains.attempts = map[string]int{}
	}
	names, err := w.spool.Segments()
	if err != nil {
		w.log.Error("spool", "err", err)
		return 0
	}
	drained := 0
	for _, name := range names {
		if w.spooled.owns(name) {
			continue // answered under load and inserted shortly, or a lane's, being spooled
		}
		recs, err := w.spool.Read(name)
		if errors.Is(err, os.ErrNotExist) {
			continue // owned when listed, stored and removed since
		}
		if err != nil {
			w.log.Error("unreadable spool segment, quarantined", "segment", name, "err", err)
			_ = w.spool.Quarantine(name)
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
			if errors.As(o.Err, &ex) && badDataCodes[ex.Code] {
				w.drains.attempts[name]++
				if w.drains.attempts[name] >= maxDrainAttempts {
					w.log.Error("clickhouse keeps refusing a spool segment, quarantined", "segment", name, "err", o.Err)
					_ = w.spool.Quarantine(name)
					delete(w.drains.attempts, name)
					continue
				}
			}
			w.metrics.spool(w.spool)
			return drained // ClickHouse still away: try later
		}
		if err := w.spool.Remove(name); err != nil {
			w.log.Error("spool", "err", err)
			return drained
		}
		delete(w.drains.attempts, name)
		drained++
		w.metrics.drained(len(recs))
	}
	w.metrics.spool(w.spool)
	return drained
}
