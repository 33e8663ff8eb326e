package ingest

import (
	"sync"
	"time"
)

// spooled is what the writer keeps in the spool for itself: the units
// answered from the spool and waiting for the flusher, and the segments
// the drain must leave alone until their keys are out of flight (those
// units', and those a lane writes after a failed insert).
type spooled struct {
	mu      sync.Mutex
	waiting []spooledUnit   // answered from the spool, not yet taken by the flusher
	records int             // records answered from the spool and not yet inserted
	owned   map[string]bool // segment names
}

// spooledUnit is a unit answered from the spool, waiting to be inserted.
type spooledUnit struct {
	u       *unit
	segment string
	records int
}

// claim checks that n more records answered from the spool keep them to
// limit, and if so owns a new segment name for them: claimed before the
// segment exists, so that the drain never takes it.
func (s *spooled) claim(n, limit int, newName func() string) (name string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.records+n > limit {
		return "", false
	}
	name = newName()
	s.ownLocked(name)
	return name, true
}

// own keeps the drain off a segment.
func (s *spooled) own(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ownLocked(name)
}

func (s *spooled) ownLocked(name string) {
	if s.owned == nil {
		s.owned = map[string]bool{}
	}
	s.owned[name] = true
}

// disown leaves segments to the drain.
func (s *spooled) disown(names ...string) {
	if len(names) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range names {
		delete(s.owned, name)
	}
}

// owns reports whether the drain must leave a segment alone.
func (s *spooled) owns(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.owned[name]
}

// push adds a unit answered from the spool (its segment owned by claim).
func (s *spooled) push(su spooledUnit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waiting = append(s.waiting, su)
	s.records += su.records
}

// take returns the units waiting for the flusher.
func (s *spooled) take() []spooledUnit {
	s.mu.Lock()
	defer s.mu.Unlock()
	batch := s.waiting
	s.waiting = nil
	return batch
}

// done forgets units stored or left to the drain.
func (s *spooled) done(batch []spooledUnit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, su := range batch {
		delete(s.owned, su.segment)
		s.records -= su.records
	}
}

// holding reports whether records answered from the spool are not yet
// inserted.
func (s *spooled) holding() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records > 0
}

// spoolAck writes a unit's records to the spool and answers its
// submissions, to be inserted with others by the flusher. It declines
// (false) when the spool holds MaxPending records waiting already, when a
// key may be stored already (the lookup that decides whether it is a
// duplicate needs a lane), or when the spool fails.
func (w *Writer) spoolAck(u *unit) bool {
	var recs []Record
	for _, kw := range u.kinds {
		for i, k := range kw.keep {
			if !k {
				continue
			}
			if kw.maybe != nil && kw.maybe[i] {
				return false
			}
			recs = append(recs, kw.recs[i])
		}
	}
	if len(recs) == 0 {
		return false
	}
	name, ok := w.spooled.claim(len(recs), w.opts.MaxPending, w.spool.NextName)
	if !ok {
		return false
	}
	if err := w.spool.WriteAs(name, recs); err != nil {
		w.log.Warn("spool failed, inserting directly", "err", err)
		w.spooled.disown(name)
		return false
	}
	for _, kw := range u.kinds {
		w.count(u, kw, countSpooled, nil)
	}
	u.answer()
	u.subs = nil // they hold the records as submitted: let them go
	w.spooled.push(spooledUnit{u: u, segment: name, records: len(recs)})
	w.spoolGauges()
	w.wakeFlusher() // it encodes them into its insert
	return true
}

// insertSpooled inserts spooled units together, kind by kind, and removes
// their segments. On a failure the segments stay for the drain, which
// dedupes them against what was stored.
func (w *Writer) insertSpooled(batch []spooledUnit) {
	w.insertSpooledKinds(batch, []string{"cases", "contacts", "surveys", "rejects"})
}

// insertSpooledRest is insertSpooled once the contacts are stored.
func (w *Writer) insertSpooledRest(batch []spooledUnit) {
	w.insertSpooledKinds(batch, []string{"cases", "surveys", "rejects"})
}

func (w *Writer) insertSpooledKinds(batch []spooledUnit, kinds []string) {
	for _, kind := range kinds {
		var recs []Record
		for _, su := range batch {
			for _, kw := range su.u.kinds {
				if kw.kind != kind {
					continue
				}
				for i, k := range kw.keep {
					if k {
						recs = append(recs, kw.recs[i])
					}
				}
			}
		}
		// Spooled units hold only keys certainly new (see spoolAck): no
		// stored version to take out.
		if err := w.insert(kind, recs, nil); err != nil {
			w.spooledFailed(batch, err) // rejects are never stored by an attempt the drain repeats
			return
		}
	}
	for _, su := range batch {
		if err := w.spool.Remove(su.segment); err != nil {
			w.log.Error("spool", "err", err)
		}
	}
	w.spooledDone(batch)
}

// spooledFailed leaves the units' segments to the drain.
func (w *Writer) spooledFailed(batch []spooledUnit, err error) {
	w.metrics.clickhouseError("insert")
	w.log.Warn("clickhouse insert failed, the records stay in the spool", "err", err)
	w.spooledDone(batch)
}

// spooledDone forgets units stored or left to the drain: their keys leave
// flight first, then the drain may take their segments.
func (w *Writer) spooledDone(batch []spooledUnit) {
	for _, su := range batch {
		w.release(su.u)
	}
	w.spooled.done(batch)
	w.spoolGauges()
}

// spoolGauges refreshes the spool's gauges from the paths that run for
// every group answered from the spool, at most every gaugeEvery: each
// refresh lists the spool's folders. The drain loop refreshes them at each
// of its rounds.
func (w *Writer) spoolGauges() {
	now := time.Now().UnixNano()
	last := w.gaugesAt.Load()
	if now-last < int64(gaugeEvery) || !w.gaugesAt.CompareAndSwap(last, now) {
		return
	}
	w.metrics.spool(w.spool)
}

const gaugeEvery = 500 * time.Millisecond
