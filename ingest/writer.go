package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"globaloffice/model"
	"globaloffice/store"
)

// Writer stores records: it groups concurrent submissions into large
// inserts, drops records already stored (same source and id; for cases the
// same or an older version), keeps each insert to at most MaxPartitions
// months, and when ClickHouse fails writes the records to the spool instead,
// from where a background loop drains them once ClickHouse is back.
type Writer struct {
	db      *store.DB
	spool   *Spool
	opts    WriterOptions
	metrics *Metrics
	log     *slog.Logger

	in       chan *submission
	exited   chan struct{} // closed when loop has returned: nothing more is answered
	loopDone chan struct{} // closed when loop takes no more submissions: the flusher's last round
	wg       sync.WaitGroup
	stop     chan struct{}
	stopOnce sync.Once
	keys     *keyFilter
	cancel   context.CancelFunc
	drainMu  sync.Mutex
	attempts map[string]int // spool segment → failed drains with ClickHouse up

	lanes      chan struct{} // one token per insert running
	lanesWG    sync.WaitGroup
	spooledMu  sync.Mutex
	spooled    []spooledUnit   // answered from the spool, waiting for the flusher
	heldN      int             // records answered from the spool and not yet inserted
	owned      map[string]bool // their segments, and those a lane is spooling: the drain leaves them alone
	flushNow   chan struct{}
	producers  atomic.Int64 // requests and files being read (see Producing)
	inflightMu sync.Mutex
	inflight   map[string][]*keySet // table → key sets of the units being inserted
}

// WriterOptions tune batching.
type WriterOptions struct {
	MaxBatch      int           // records per group of submissions and per direct insert (default 50,000)
	Linger        time.Duration // how long to wait for more submissions (default 20 ms)
	MaxPartitions int           // months per insert (default 100, current ClickHouse's limit)
	InsertTimeout time.Duration // per insert (default 60 s)
	DrainEvery    time.Duration // spool drain period (default 2 s)
	Lanes         int           // inserts running at once (default 2)
	FlushRecords  int           // records of one insert of spooled units (default 4 × MaxBatch)
	MaxPending    int           // records answered from the spool and not yet inserted (default FlushRecords + MaxBatch)
	MaxDelay      time.Duration // longest a spooled record waits for its insert under load (default 250 ms)
}

func (o *WriterOptions) defaults() {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 50_000
	}
	if o.Linger <= 0 {
		o.Linger = 20 * time.Millisecond
	}
	if o.MaxPartitions <= 0 {
		o.MaxPartitions = 100
	}
	if o.InsertTimeout <= 0 {
		o.InsertTimeout = time.Minute
	}
	if o.DrainEvery <= 0 {
		o.DrainEvery = 2 * time.Second
	}
	if o.Lanes <= 0 {
		o.Lanes = 2
	}
	if o.FlushRecords <= 0 {
		o.FlushRecords = 4 * o.MaxBatch
	}
	if o.MaxPending <= 0 {
		o.MaxPending = o.FlushRecords + o.MaxBatch
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 250 * time.Millisecond
	}
}

// Outcome is what happened to one submission.
type Outcome struct {
	Accepted   int // stored in ClickHouse or spooled
	Duplicates int // already stored (or sent twice in one batch)
	Spooled    int // of Accepted, in the spool waiting for ClickHouse (away, or the writer busy)
	Err        error
}

type submission struct {
	ctx     context.Context
	recs    []Record
	segment string // set when the records come from a spool segment
	done    chan Outcome
}

// NewWriter starts a writer and its spool drain; Close stops them.
func NewWriter(db *store.DB, spool *Spool, opts WriterOptions, m *Metrics, log *slog.Logger) *Writer {
	opts.defaults()
	if log == nil {
		log = slog.Default()
	}
	w := &Writer{db: db, spool: spool, opts: opts, metrics: m, log: log,
		in: make(chan *submission, 64), exited: make(chan struct{}), loopDone: make(chan struct{}), stop: make(chan struct{}), attempts: map[string]int{},
		lanes: make(chan struct{}, opts.Lanes), inflight: map[string][]*keySet{}, owned: map[string]bool{}, flushNow: make(chan struct{}, 1)}
	w.keys = newKeyFilter(db, log)
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.wg.Add(3)
	w.lanesWG.Add(1)
	go w.flusher()
	go w.loop()
	go w.drainLoop()
	go func() {
		defer w.wg.Done()
		for _, t := range []string{"contacts", "cases", "survey_responses"} {
			w.keys.load(ctx, t)
		}
	}()
	return w
}

// Close stops the writer after the submissions in flight.
func (w *Writer) Close() {
	w.stopOnce.Do(func() { w.cancel(); close(w.stop) })
	w.wg.Wait()
}

// Submit stores records (rejects included) and returns when they are in
// ClickHouse or the spool. Records of one call may be split over several
// inserts.
func (w *Writer) Submit(ctx context.Context, recs []Record) Outcome {
	var total Outcome
	for start := 0; start < len(recs) || start == 0; start += w.opts.MaxBatch {
		end := min(start+w.opts.MaxBatch, len(recs))
		s := &submission{ctx: ctx, recs: recs[start:end], done: make(chan Outcome, 1)}
		select {
		case w.in <- s:
		case <-ctx.Done():
			total.Err = ctx.Err()
			return total
		case <-w.stop:
			total.Err = errors.New("writer closed")
			return total
		}
		o := w.wait(s)
		total.Accepted += o.Accepted
		total.Duplicates += o.Duplicates
		total.Spooled += o.Spooled
		if o.Err != nil {
			total.Err = o.Err
			return total
		}
		if len(recs) == 0 {
			break
		}
	}
	return total
}

// wait returns the outcome of a queued submission, or an error when the
// loop stopped before taking it (it may sit in the channel's buffer, queued
// as Close ran): the loop answers every submission it takes before it
// returns, so once exited is closed an empty done will stay empty.
func (w *Writer) wait(s *submission) Outcome {
	select {
	case o := <-s.done:
		return o
	case <-w.exited:
		select {
		case o := <-s.done:
			return o
		default:
			return Outcome{Err: errors.New("writer closed")}
		}
	}
}

func (w *Writer) loop() {
	defer w.wg.Done()
	defer close(w.exited)
	defer w.lanesWG.Wait() // every unit taken is answered before exited closes
	// The flusher stops after the loop: a group being collected as Close
	// runs may still be answered from the spool, and must be inserted.
	defer close(w.loopDone)
	for {
		var group []*submission
		select {
		case s := <-w.in:
			group = append(group, s)
		case <-w.stop:
			return
		}
		n := len(group[0].recs)
		timer := time.NewTimer(w.opts.Linger)
	collect:
		for n < w.opts.MaxBatch {
			select {
			case s := <-w.in:
				group = append(group, s)
				n += len(s.recs)
			case <-timer.C:
				break collect
			}
		}
		timer.Stop()
		// Records from the spool are stored on their own: if ClickHouse
		// fails, they stay in their segment rather than being spooled a
		// second time. Live submissions are stored together.
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
		// Dedupe ran here, in order. An idle writer inserts the unit in a
		// lane and answers once it is stored, while the next group is
		// read, checked and encoded. A busy one (an insert running, or
		// units spooled) answers it once in the spool, and the flusher
		// inserts the units spooled together: one large insert instead of
		// several small ones (ClickHouse spends several times more per
		// record on 10,000-row inserts and their merges than on
		// 100,000-row ones).
		for _, u := range units {
			if u.spoolOnFail && w.busy() && u.records() < w.opts.MaxBatch && w.spoolAck(u) {
				continue
			}
			w.lanes <- struct{}{} // wait for a lane: backpressure when the spool is full
			w.startLane(u)
		}
	}
}

// busy reports whether an insert runs, units wait in the spool, or other
// requests are being read besides the one submitting (a client alone,
// sending one request after the other, is always served in a lane).
func (w *Writer) busy() bool {
	if len(w.lanes) > 0 || w.producers.Load() > 1 {
		return true
	}
	w.spooledMu.Lock()
	defer w.spooledMu.Unlock()
	return w.heldN > 0
}

// startLane stores u in a lane, whose token the caller holds.
func (w *Writer) startLane(u *unit) {
	w.lanesWG.Add(1)
	go func() {
		defer w.lanesWG.Done()
		w.finish(u, func() { <-w.lanes })
	}()
}

// Producing tells the writer that a request or file is being read and will
// submit records; the returned func says it is done. When none is, the
// load is over and the flusher inserts what is spooled at once rather than
// waiting for a full batch.
func (w *Writer) Producing() (done func()) {
	w.producers.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			if w.producers.Add(-1) == 0 {
				select {
				case w.flushNow <- struct{}{}:
				default:
				}
			}
		})
	}
}

// flusher inserts the spooled units: once they make MaxBatch records, when
// the oldest has waited MaxDelay, or when no request is being read (the
// load is over). Once the loop has stopped it inserts what is left.
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
		for _, su := range w.takeSpooled() {
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
			time.Since(open.opened) >= w.opts.MaxDelay || w.producers.Load() == 0) {
			w.sendInsert(open)
			open = nil
		}
		if stopping {
			return
		}
	}
}

// openInsert is the flusher's insert being filled: the contacts of spooled
// units, encoded as they come (their records are then dropped: the spool
// holds them if the insert fails); the units' other records wait in them.
type openInsert struct {
	contacts *store.ContactBatch
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
			o.contacts, o.err = w.db.NewContactBatch(ctx, time.Now().UTC().Truncate(time.Second))
			o.cancel = cancel
		}
		for i, k := range kw.keep {
			if !k {
				continue
			}
			if o.err == nil {
				o.contacts.Append(kw.recs[i].Contact)
			}
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

// spooledUnit is a unit answered from the spool, waiting to be inserted.
type spooledUnit struct {
	u       *unit
	segment string
	records int
}

// spoolAck writes a unit's records to the spool and answers its
// submissions, to be inserted with others by the next lane free. It
// declines (false) when the spool holds MaxPending records waiting
// already, when a key may be stored already (the lookup that decides
// whether it is a duplicate needs a lane), or when the spool fails.
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
	w.spooledMu.Lock()
	room := w.heldN+len(recs) <= w.opts.MaxPending
	name := ""
	if room {
		// Claimed before it exists, so that the drain never takes it.
		name = w.spool.NextName()
		w.owned[name] = true
	}
	w.spooledMu.Unlock()
	if !room {
		return false
	}
	if err := w.spool.WriteAs(name, recs); err != nil {
		w.log.Warn("spool failed, inserting directly", "err", err)
		w.spooledMu.Lock()
		delete(w.owned, name)
		w.spooledMu.Unlock()
		return false
	}
	for _, kw := range u.kinds {
		if kw.kind == "rejects" {
			continue
		}
		counts := map[[2]string]int{}
		for i, r := range kw.recs {
			o := &u.outcomes[kw.sub[i]]
			if kw.keep[i] {
				o.Accepted++
				o.Spooled++
				counts[[2]string{r.source(), "accepted"}]++
			} else {
				o.Duplicates++
				counts[[2]string{r.source(), "duplicate"}]++
			}
		}
		for k, n := range counts {
			w.metrics.countRecords(kw.kind, k[0], k[1], n)
		}
	}
	for i, s := range u.subs {
		s.done <- u.outcomes[i]
	}
	u.subs = nil // they hold the records as submitted: let them go
	w.spooledMu.Lock()
	w.spooled = append(w.spooled, spooledUnit{u: u, segment: name, records: len(recs)})
	w.heldN += len(recs)
	w.spooledMu.Unlock()
	w.metrics.spool(w.spool)
	select { // the flusher encodes them into its insert
	case w.flushNow <- struct{}{}:
	default:
	}
	return true
}

// takeSpooled takes the spooled units waiting.
func (w *Writer) takeSpooled() []spooledUnit {
	w.spooledMu.Lock()
	defer w.spooledMu.Unlock()
	batch := w.spooled
	w.spooled = nil
	return batch
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
		if err := w.insert(kind, recs); err != nil {
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

// spooledDone forgets units stored or left to the drain.
func (w *Writer) spooledDone(batch []spooledUnit) {
	for _, su := range batch {
		w.release(su.u)
	}
	w.spooledMu.Lock()
	for _, su := range batch {
		delete(w.owned, su.segment)
		w.heldN -= su.records
	}
	w.spooledMu.Unlock()
	w.metrics.spool(w.spool)
}

// unit is submissions stored together: deduped by the loop, inserted by a
// lane.
type unit struct {
	subs        []*submission
	outcomes    []Outcome
	spoolOnFail bool
	kinds       []*kindWork
}

// records is the number of records of the unit.
func (u *unit) records() int {
	n := 0
	for _, kw := range u.kinds {
		n += len(kw.recs)
	}
	return n
}

// kindWork is a unit's records of one kind.
type kindWork struct {
	kind  string
	recs  []Record
	sub   []int   // submission of each record
	keep  []bool  // not a duplicate
	maybe []bool  // the key filter said the key may be stored (nil for rejects)
	seen  *keySet // the keys, registered in flight until finish
}

// prepare groups the records of subs by kind and dedupes them, registering
// the kept keys as in flight until finish.
func (w *Writer) prepare(subs []*submission, spoolOnFail bool) *unit {
	u := &unit{subs: subs, outcomes: make([]Outcome, len(subs)), spoolOnFail: spoolOnFail}
	byKind := map[string]*kindWork{}
	for j, s := range subs {
		for _, r := range s.recs {
			k := r.kind()
			kw := byKind[k]
			if kw == nil {
				kw = &kindWork{kind: k}
				byKind[k] = kw
				u.kinds = append(u.kinds, kw)
			}
			kw.recs = append(kw.recs, r)
			kw.sub = append(kw.sub, j)
		}
	}
	// Rejects go last, and a segment's store stops at its first failure:
	// rejects have no identity to dedupe on, so they must not be stored by
	// an attempt that will be retried (records are deduped on retry).
	sort.Slice(u.kinds, func(i, j int) bool {
		a, b := u.kinds[i].kind, u.kinds[j].kind
		if (a == "rejects") != (b == "rejects") {
			return b == "rejects"
		}
		return a < b
	})
	for _, kw := range u.kinds {
		var hashes []uint64
		kw.keep, kw.maybe, hashes, kw.seen = w.dedupe(kw.kind, kw.recs)
		if kw.seen == nil {
			continue
		}
		table := tableOf[kw.kind]
		w.inflightMu.Lock()
		w.inflight[table] = append(w.inflight[table], kw.seen)
		w.inflightMu.Unlock()
		// Now in flight: later units find these keys "maybe stored" and
		// look for them in the sets in flight (see dedupe). They stay in
		// the filter whatever becomes of the insert: one that fails may
		// still have been stored (its answer lost), so its spooled copy
		// must be looked up when drained rather than stored again.
		var kept []uint64
		for i, k := range kw.keep {
			if k {
				kept = append(kept, hashes[i])
			}
		}
		if w.keys.add(table, kept) {
			go w.keys.load(context.Background(), table)
		}
	}
	return u
}

// release takes a unit's keys out of flight: they are in the key filter
// now, and stored or spooled. The lists are copied, never changed in place:
// dedupe reads snapshots of them without the lock.
func (w *Writer) release(u *unit) {
	w.inflightMu.Lock()
	defer w.inflightMu.Unlock()
	for _, kw := range u.kinds {
		if kw.seen == nil {
			continue
		}
		table := tableOf[kw.kind]
		var rest []*keySet
		for _, s := range w.inflight[table] {
			if s != kw.seen {
				rest = append(rest, s)
			}
		}
		w.inflight[table] = rest
	}
}

// finish inserts a prepared unit; on a ClickHouse failure it spools its
// records when spoolOnFail. Then it frees its lane and answers the unit's
// submissions.
func (w *Writer) finish(u *unit, freeLane func()) {
	var spooled []string // segments written on failure, owned until the keys are released
	defer func() {
		// The lane is free before the answer: a client that sends its
		// next request on the answer finds the writer idle, and its
		// records are again in ClickHouse when it is answered.
		freeLane()
		w.release(u)
		// Only now may the drain take the segments: with the keys still in
		// flight it would find its records duplicates and remove them.
		w.spooledMu.Lock()
		for _, name := range spooled {
			delete(w.owned, name)
		}
		w.spooledMu.Unlock()
		for i, s := range u.subs {
			s.done <- u.outcomes[i]
		}
	}()
	var failed error
	spool := make([][]Record, len(u.subs))
	for _, kw := range u.kinds {
		if failed != nil && !u.spoolOnFail {
			break
		}
		err := w.confirm(kw)
		if err == nil {
			var stored []Record
			for i, k := range kw.keep {
				if k {
					stored = append(stored, kw.recs[i])
				}
			}
			err = w.insert(kw.kind, stored)
		}
		if err != nil {
			failed = err
			for i, r := range kw.recs {
				spool[kw.sub[i]] = append(spool[kw.sub[i]], r)
			}
			continue
		}
		if kw.kind == "rejects" {
			continue
		}
		counts := map[[2]string]int{} // (source, outcome) → records, one metric update each
		for i, r := range kw.recs {
			o := &u.outcomes[kw.sub[i]]
			if kw.keep[i] {
				o.Accepted++
				counts[[2]string{r.source(), "accepted"}]++
			} else {
				o.Duplicates++
				counts[[2]string{r.source(), "duplicate"}]++
			}
		}
		for k, n := range counts {
			w.metrics.countRecords(kw.kind, k[0], k[1], n)
		}
	}
	if failed == nil {
		return
	}
	w.metrics.clickhouseError("insert")
	if !u.spoolOnFail {
		for i := range u.outcomes {
			u.outcomes[i].Err = failed
		}
		return
	}
	w.log.Warn("clickhouse insert failed, spooling", "err", failed)
	for j, recs := range spool {
		if len(recs) == 0 {
			continue
		}
		o := &u.outcomes[j]
		name := w.spool.NextName()
		w.spooledMu.Lock()
		w.owned[name] = true
		w.spooledMu.Unlock()
		spooled = append(spooled, name)
		if err := w.spool.WriteAs(name, recs); err != nil {
			o.Err = fmt.Errorf("clickhouse: %v; and the spool failed too: %w", failed, err)
			continue
		}
		for _, r := range recs {
			if r.Reject == nil {
				o.Accepted++
				o.Spooled++
				w.metrics.countRecords(r.kind(), r.source(), "accepted", 1)
			}
		}
	}
	w.metrics.spool(w.spool)
}

// dedupe marks which records to insert. A contact or survey response is a
// duplicate when its (source, id) is stored already, in flight in another
// unit, or came earlier in the batch. A case version is a duplicate when a
// version as new or newer is stored or in flight, or the same version came
// earlier in the batch: so every new version is stored (the newest wins when
// read), and sending a file again counts all its records as duplicates even
// after merges dropped old versions. It also returns the records' key
// hashes and the batch's key set (nil for rejects). It only marks what this
// process knows; confirm then asks ClickHouse about keys that may be stored.
func (w *Writer) dedupe(kind string, recs []Record) (keep, maybe []bool, hashes []uint64, seen *keySet) {
	keep = make([]bool, len(recs))
	if kind == "rejects" {
		for i := range keep {
			keep[i] = true
		}
		return keep, nil, nil, nil
	}
	type version struct {
		key recordKey
		v   int64
	}
	var versions map[version]bool // cases: the versions met in the batch
	if kind == "cases" {
		versions = make(map[version]bool, len(recs))
	}
	table := tableOf[kind]
	hashes = make([]uint64, len(recs))
	for i, r := range recs {
		k := r.key()
		hashes[i] = keyHash(k.source, k.id)
	}
	// The filter holds the keys stored and those in flight (added below,
	// as each unit is deduped): a key it does not know is certainly new,
	// and only the others are looked for in the sets in flight. Sets in
	// the list are no longer written: reading a snapshot of the list
	// without the lock is safe, and a set released meanwhile only holds
	// keys that are stored or spooled by now.
	maybe = make([]bool, len(recs))
	w.keys.mayExist(table, hashes, maybe)
	w.inflightMu.Lock()
	inflight := w.inflight[table]
	w.inflightMu.Unlock()
	seen = newKeySet(len(recs))
	for i, r := range recs {
		k, h := r.key(), hashes[i]
		var v int64
		if versions != nil {
			v = r.version().Unix()
			vk := version{k, v}
			if versions[vk] {
				continue
			}
			versions[vk] = true
		} else if _, dup := seen.get(h, k); dup {
			continue
		}
		seen.put(h, k, v)
		if maybe[i] && inflightHas(inflight, h, k, v) {
			continue
		}
		keep[i] = true
	}
	return keep, maybe, hashes, seen
}

// confirm looks up in ClickHouse the kept records whose key the filter says
// may be stored, and drops those stored already (for cases: at the same or
// a newer version). It runs in the lane, not in the loop: a lookup scans
// ClickHouse and would hold every other group up. Meanwhile the keys are in
// flight, so a later group never stores them twice.
func (w *Writer) confirm(kw *kindWork) error {
	if kw.maybe == nil { // rejects
		return nil
	}
	table := tableOf[kw.kind]
	bySource := map[string][]string{}
	asked := map[recordKey]bool{}
	for i, r := range kw.recs {
		if !kw.keep[i] || !kw.maybe[i] {
			continue
		}
		if k := r.key(); !asked[k] {
			asked[k] = true
			bySource[k.source] = append(bySource[k.source], k.id)
		}
	}
	if len(bySource) == 0 {
		return nil // every key is certainly new
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.InsertTimeout)
	defer cancel()
	stored := map[recordKey]time.Time{}
	for source, ids := range bySource {
		sort.Strings(ids)
		existing, err := w.db.ExistingKeys(ctx, table, source, ids)
		if err != nil {
			return err
		}
		for id, v := range existing {
			stored[recordKey{source, id}] = v
		}
	}
	for i, r := range kw.recs {
		if !kw.keep[i] {
			continue
		}
		v, ok := stored[r.key()]
		if ok && (kw.kind != "cases" || !r.version().After(v)) {
			kw.keep[i] = false
		}
	}
	return nil
}

// inflightHas reports whether a set in flight holds the key (hash h) at
// version v or newer.
func inflightHas(sets []*keySet, h uint64, k recordKey, v int64) bool {
	for _, s := range sets {
		if sv, ok := s.get(h, k); ok && sv >= v {
			return true
		}
	}
	return false
}

var tableOf = map[string]string{"contacts": "contacts", "cases": "cases", "surveys": "survey_responses"}

// insert writes records of one kind, at most MaxPartitions months and
// MaxBatch rows per insert.
func (w *Writer) insert(kind string, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	monthOf := make([]int, len(recs))
	ordered := true
	for i, r := range recs {
		monthOf[i] = r.month()
		ordered = ordered && (i == 0 || monthOf[i-1] <= monthOf[i])
	}
	if !ordered {
		perm := make([]int, len(recs))
		for i := range perm {
			perm[i] = i
		}
		sort.SliceStable(perm, func(i, j int) bool { return monthOf[perm[i]] < monthOf[perm[j]] })
		sorted, months := make([]Record, len(recs)), make([]int, len(recs))
		for i, p := range perm {
			sorted[i], months[i] = recs[p], monthOf[p]
		}
		recs, monthOf = sorted, months
	}
	now := time.Now().UTC().Truncate(time.Second)
	for start := 0; start < len(recs); {
		end, months, last := start, 0, -1
		for end < len(recs) && end-start < w.opts.MaxBatch {
			if m := monthOf[end]; m != last {
				if months == w.opts.MaxPartitions {
					break
				}
				months++
				last = m
			}
			end++
		}
		chunk := recs[start:end]
		ctx, cancel := context.WithTimeout(context.Background(), w.opts.InsertTimeout)
		t0 := time.Now()
		err := w.insertChunk(ctx, kind, chunk, now)
		cancel()
		if err != nil {
			return err
		}
		w.metrics.batch(kind, len(chunk), time.Since(t0))
		start = end
	}
	return nil
}

func (w *Writer) insertChunk(ctx context.Context, kind string, recs []Record, now time.Time) error {
	switch kind {
	case "contacts":
		rows := make([]model.Contact, len(recs))
		for i, r := range recs {
			rows[i] = *r.Contact
		}
		return w.db.InsertContacts(ctx, rows, now)
	case "cases":
		rows := make([]model.Case, len(recs))
		for i, r := range recs {
			rows[i] = *r.Case
		}
		return w.db.InsertCases(ctx, rows, now)
	case "surveys":
		rows := make([]model.SurveyResponse, len(recs))
		for i, r := range recs {
			rows[i] = *r.Survey
		}
		return w.db.InsertSurveys(ctx, rows, now)
	case "rejects":
		rows := make([]store.Reject, len(recs))
		for i, r := range recs {
			rows[i] = *r.Reject
		}
		return w.db.InsertRejects(ctx, rows)
	}
	return fmt.Errorf("unknown record kind %q", kind)
}

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
// ClickHouse fails. It returns the number of segments drained.
func (w *Writer) Drain(ctx context.Context) int {
	w.drainMu.Lock()
	defer w.drainMu.Unlock()
	names, err := w.spool.Segments()
	if err != nil {
		w.log.Error("spool", "err", err)
		return 0
	}
	drained := 0
	for _, name := range names {
		w.spooledMu.Lock()
		owned := w.owned[name]
		w.spooledMu.Unlock()
		if owned {
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
		s := &submission{ctx: ctx, recs: recs, segment: name, done: make(chan Outcome, 1)}
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
				w.attempts[name]++
				if w.attempts[name] >= maxDrainAttempts {
					w.log.Error("clickhouse keeps refusing a spool segment, quarantined", "segment", name, "err", o.Err)
					_ = w.spool.Quarantine(name)
					delete(w.attempts, name)
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
		delete(w.attempts, name)
		drained++
		w.metrics.drained(len(recs))
	}
	w.metrics.spool(w.spool)
	return drained
}
