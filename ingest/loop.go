package ingest

import "time"

// loop takes the submissions in groups, dedupes each group in order (see
// prepare) and hands its units to a lane or, when the writer is busy, to
// the spool and the flusher.
func (w *Writer) loop() {
	defer w.wg.Done()
	defer close(w.exited)
	defer w.lanesWG.Wait() // every unit taken is answered before exited closes
	// The flusher stops after the loop: a group being collected as Close
	// runs may still be answered from the spool, and must be inserted.
	defer close(w.loopDone)
	for {
		group := w.collect()
		if group == nil {
			return
		}
		// Dedupe ran in units, in order. An idle writer inserts a unit in
		// a lane and answers once it is stored, while the next group is
		// read, checked and encoded. A busy one (an insert running, or
		// units spooled) answers it once in the spool, and the flusher
		// inserts the units spooled together: one large insert instead of
		// several small ones (ClickHouse spends several times more per
		// record on 10,000-row inserts and their merges than on
		// 100,000-row ones).
		for _, u := range w.units(group) {
			if u.spoolOnFail && w.busy() && u.records() < w.opts.MaxBatch && w.spoolAck(u) {
				continue
			}
			w.lanes <- struct{}{} // wait for a lane: backpressure when the spool is full
			w.startLane(u)
		}
	}
}

// collect waits for a submission, then takes more for up to Linger or
// until MaxBatch records. It stops waiting as soon as every request being
// read has submitted (waiting longer would add nothing: each waits for its
// answer before it reads on), so that many small requests are answered
// without a linger each. It returns nil once the writer stops.
func (w *Writer) collect() []*submission {
	var group []*submission
	select {
	case s := <-w.in:
		group = append(group, s)
	case <-w.stop:
		return nil
	}
	n := len(group[0].recs)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for n < w.opts.MaxBatch {
		if w.allSubmitted() {
			select {
			case s := <-w.in:
				group = append(group, s)
				n += len(s.recs)
				continue
			default:
				return group
			}
		}
		if timer == nil {
			timer = time.NewTimer(w.opts.Linger)
		}
		select {
		case s := <-w.in:
			group = append(group, s)
			n += len(s.recs)
		case <-timer.C:
			return group
		}
	}
	return group
}

// allSubmitted reports whether every request or file being read is
// waiting in Submit: none is reading records that could join a group.
func (w *Writer) allSubmitted() bool {
	return w.producers.Load() <= w.submitting.Load()
}

// units prepares a group's units. Records from the spool are stored on
// their own: if ClickHouse fails, they stay in their segment rather than
// being spooled a second time. Live submissions are stored together.
func (w *Writer) units(group []*submission) []*unit {
	var units []*unit
	var live []*submission
	for _, s := range group {
		if s.segment != "" {
			units = append(units, w.prepare([]*submission{s}, false))
		} else {
			live = append(live, s)
		}
	}
	if len(live) > 0 {
		units = append(units, w.prepare(live, true))
	}
	return units
}

// busy reports whether an insert runs, units wait in the spool, or other
// requests are being read besides the one submitting (a client alone,
// sending one request after the other, is always served in a lane).
func (w *Writer) busy() bool {
	return len(w.lanes) > 0 || w.producers.Load() > 1 || w.spooled.holding()
}

// startLane stores u in a lane, whose token the caller holds.
func (w *Writer) startLane(u *unit) {
	w.lanesWG.Add(1)
	go func() {
		defer w.lanesWG.Done()
		w.finish(u, func() { <-w.lanes })
	}()
}
