package ingest

import (
	"context"
	"time"
)

// flusher inserts the spooled units: once they make FlushRecords records,
// when the oldest has waited MaxDelay, or when no request is being read
// (the load is over). Once the loop has stopped it inserts what is left.
func (w *Writer) flusher() {
	defer w.lanesWG.Done()
	t := time.NewTicker(w.opts.Linger)
	defer t.Stop()
	var open *openInsert
	for {
		stopping := false
		select {
		case <-w.flushNow:
		case <-t.C:
		case <-w.loopDone:
			stopping = true
		}
		for _, su := range w.spooled.take() {
			months := su.months()
			if open != nil && !open.fits(su, months, w.opts) {
				w.sendInsert(open)
				open = nil
			}
			if open == nil {
				open = &openInsert{opened: time.Now(), months: map[int]bool{}}
				if !open.fits(su, months, w.opts) { // more months than one insert takes
					w.lanes <- struct{}{}
					w.insertSpooled([]spooledUnit{su})
					<-w.lanes
					open = nil
					continue
				}
			}
			w.add(open, su, months)
		}
		if open != nil && (stopping || open.records >= w.opts.FlushRecords ||
			time.Since(open.opened) >= w.opts.MaxDelay || w.idle()) {
			w.sendInsert(open)
			open = nil
		}
		if stopping {
			return
		}
	}
}

// idle reports whether no request has been read for a Linger: the load is
// over. Many small requests leave moments with none being read between an
// answer and the next request; flushing at each would make small inserts.
func (w *Writer) idle() bool {
	return w.producers.Load() == 0 && time.Since(time.Unix(0, w.idleSince.Load())) >= w.opts.Linger
}

// wakeFlusher makes the flusher look at the spooled units now.
func (w *Writer) wakeFlusher() {
	select {
	case w.flushNow <- struct{}{}:
	default:
	}
}

// openInsert is the flusher's insert being filled: the contacts of spooled
// units, encoded as they come (their records are then dropped: the spool
// holds them if the insert fails); the units' other records wait in them.
type openInsert struct {
	contacts contactBatch
	cancel   context.CancelFunc
	err      error // the insert could not start
	months   map[int]bool
	units    []spooledUnit
	records  int
	opened   time.Time
}

// months are the months (partitions) of su's contacts.
func (su spooledUnit) months() map[int]bool {
	months := map[int]bool{}
	for _, kw := range su.u.kinds {
		if kw.kind != "contacts" {
			continue
		}
		for i, k := range kw.keep {
			if k {
				months[kw.recs[i].month()] = true
			}
		}
	}
	return months
}

// fits reports whether su, of months, can join o: at most FlushRecords
// records and MaxPartitions months of contacts.
func (o *openInsert) fits(su spooledUnit, months map[int]bool, opts WriterOptions) bool {
	if o.records > 0 && o.records+su.records > opts.FlushRecords {
		return false
	}
	n := len(o.months)
	for m := range months {
		if !o.months[m] {
			n++
		}
	}
	return n <= opts.MaxPartitions
}

// add appends su's contacts (of months) to o's insert.
func (w *Writer) add(o *openInsert, su spooledUnit, months map[int]bool) {
	o.units = append(o.units, su)
	o.records += su.records
	for m := range months {
		o.months[m] = true
	}
	for _, kw := range su.u.kinds {
		if kw.kind != "contacts" {
			continue
		}
		if o.contacts == nil && o.err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), w.opts.InsertTimeout+w.opts.MaxDelay)
			o.contacts, o.err = w.db.NewContacts(ctx, time.Now().UTC().Truncate(time.Second))
			o.cancel = cancel
		}
		if o.err == nil {
			appendContacts(o.contacts, kw.recs, kw.keep)
		}
		kw.recs, kw.keep, kw.maybe, kw.sub = nil, nil, nil, nil
	}
}

// sendInsert sends o in a lane, while the flusher fills the next one.
func (w *Writer) sendInsert(o *openInsert) {
	w.lanes <- struct{}{}
	w.lanesWG.Add(1)
	go func() {
		defer w.lanesWG.Done()
		defer func() { <-w.lanes }()
		t0 := time.Now()
		failed := o.err
		if o.contacts != nil {
			failed = o.contacts.Send()
		}
		if o.cancel != nil {
			o.cancel()
		}
		if failed == nil && o.contacts != nil {
			w.metrics.batch("contacts", o.contacts.Rows(), time.Since(t0))
		}
		if failed == nil {
			w.insertSpooledRest(o.units) // cases, surveys, rejects
		} else {
			w.spooledFailed(o.units, failed)
		}
	}()
}
