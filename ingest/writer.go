package ingest

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"globaloffice/store"
)

// Writer stores records: it groups concurrent submissions into large
// inserts, drops records already stored (same source and id; for cases the
// same or an older version), keeps each insert to at most MaxPartitions
// months, and when ClickHouse fails writes the records to the spool instead,
// from where a background loop drains them once ClickHouse is back.
//
// Its goroutines: the loop groups and dedupes submissions (loop.go), lanes
// insert units (insert.go), the flusher inserts the units answered from the
// spool (flusher.go, spooled.go), the drain loop stores spooled segments
// (drain.go), and the key filter loads at start (keyfilter.go).
type Writer struct {
	db      eventStore
	spool   *Spool
	opts    WriterOptions
	metrics *Metrics
	log     *slog.Logger
	keys    *keyFilter

	// Submit and Drain send to in. Close closes stop; the loop then closes
	// loopDone (the flusher's last round) and, once every unit it took is
	// answered, exited.
	in       chan *submission
	stop     chan struct{}
	stopOnce sync.Once
	loopDone chan struct{}
	exited   chan struct{}
	cancel   context.CancelFunc // the key filter's first loads
	wg       sync.WaitGroup     // the loop, the drain loop, the first loads

	lanes   chan struct{}  // one token per insert running
	lanesWG sync.WaitGroup // the inserts running and the flusher

	inflight  inFlight      // keys of the units being stored
	spooled   spooled       // units answered from the spool; segments the drain leaves alone
	flushNow  chan struct{} // wakes the flusher
	producers atomic.Int64  // requests and files being read (see Producing)
	// submitting counts the Submit calls waiting for their outcome: a
	// producer among them adds nothing to a group until it is answered.
	submitting atomic.Int64
	idleSince  atomic.Int64 // when producers last fell to 0 (Unix ns)
	gaugesAt   atomic.Int64 // when spoolGauges last refreshed them (Unix ns)

	drains drainState
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
	Rejects    int // rejects stored or spooled
	Err        error
}

// errClosed answers the submissions the writer did not take before Close.
var errClosed = errors.New("writer closed")

// NewWriter starts a writer over db and its spool drain; Close stops them.
func NewWriter(db *store.DB, spool *Spool, opts WriterOptions, m *Metrics, log *slog.Logger) *Writer {
	return newWriter(dbStore{db}, spool, opts, m, log)
}

func newWriter(db eventStore, spool *Spool, opts WriterOptions, m *Metrics, log *slog.Logger) *Writer {
	opts.defaults()
	if log == nil {
		log = slog.Default()
	}
	w := &Writer{db: db, spool: spool, opts: opts, metrics: m, log: log, keys: newKeyFilter(db, log),
		in: make(chan *submission, 64), stop: make(chan struct{}), loopDone: make(chan struct{}), exited: make(chan struct{}),
		lanes: make(chan struct{}, opts.Lanes), flushNow: make(chan struct{}, 1)}
	w.keys.inFlight = w.inflight.hashes
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
		s := &submission{recs: recs[start:end], done: make(chan Outcome, 1)}
		w.submitting.Add(1)
		select {
		case w.in <- s:
		case <-ctx.Done():
			w.submitting.Add(-1)
			total.Err = ctx.Err()
			return total
		case <-w.stop:
			w.submitting.Add(-1)
			total.Err = errClosed
			return total
		}
		o := w.wait(s)
		w.submitting.Add(-1)
		total.Accepted += o.Accepted
		total.Duplicates += o.Duplicates
		total.Spooled += o.Spooled
		total.Rejects += o.Rejects
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
			return Outcome{Err: errClosed}
		}
	}
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
				w.idleSince.Store(time.Now().UnixNano())
				w.wakeFlusher()
			}
		})
	}
}
