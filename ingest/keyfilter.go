package ingest

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/go-faster/city"
)

// keyFilter answers "is this (source, id) certainly not stored yet?" without
// asking ClickHouse, so that only the keys that may be stored are looked up:
// looking up ids in ClickHouse costs a scan of the partition's id column,
// far more than inserting. It is a Bloom filter per table over
// cityHash64(source || 0x00 || id), the same hash ClickHouse computes when
// the filter is loaded at start. A false positive costs a lookup, never a
// lost record. The filter only knows what this process inserted since it
// loaded: with several collectors writing the same keys, a re-sent record
// may be counted accepted rather than duplicate, and is then collapsed by
// the ReplacingMergeTree, so indicators are unaffected.
type keyFilter struct {
	db  keySource
	log *slog.Logger

	mu      sync.RWMutex
	tables  map[string]*tableFilter
	loading map[string][]uint64  // key hashes added while a table's filter loads
	tried   map[string]time.Time // last reload asked for a table never loaded
	// inFlight returns the hashes of a table's keys in flight: a load
	// starts from them, since ClickHouse does not hold them yet.
	inFlight func(table string) []uint64
}

type tableFilter struct {
	f     *blockBloom
	cap   uint
	added uint
	ready bool
}

// The filter's rate of false positives is about 4e-5 at capacity (see
// blockBloom). Each false positive is a lookup that scans ClickHouse's id
// column, and a batch with one cannot be answered from the spool under
// load: at 1%, a batch of 10,000 new keys has about 100; at this rate few
// batches have one.

// minCapacity is the smallest filter: 1M keys, 4 MB; contacts, the bulk
// of what arrives, start at 2M (8 MB), so that a first million keys leaves
// the filter half full, where false positives are rare (~1e-6).
const minCapacity = 1_000_000

func minCapacityOf(table string) uint {
	if table == "contacts" {
		return 2 * minCapacity
	}
	return minCapacity
}

func newKeyFilter(db keySource, log *slog.Logger) *keyFilter {
	return &keyFilter{db: db, log: log, tables: map[string]*tableFilter{}, loading: map[string][]uint64{}, tried: map[string]time.Time{}}
}

// keyHash is cityHash64(source || 0x00 || id), as ClickHouse computes it
// when the filter is loaded.
func keyHash(source, id string) uint64 {
	var buf [128]byte
	return city.CH64(append(append(append(buf[:0], source...), 0), id...))
}

// load builds the filter of a table from ClickHouse; until it is done the
// table's keys are all looked up.
func (k *keyFilter) load(ctx context.Context, table string) {
	t0 := time.Now()
	k.mu.Lock()
	if _, busy := k.loading[table]; busy {
		k.mu.Unlock()
		return
	}
	// Keys in flight now (being inserted, or answered from the spool and
	// waiting for the flusher) may not be in ClickHouse when it is read:
	// without them, a key sent again meanwhile would be "certainly new",
	// and a case's newer version would not learn its older one's months.
	// Keys put in flight from now on are added as they come.
	k.loading[table] = []uint64{}
	if k.inFlight != nil {
		k.loading[table] = k.inFlight(table)
	}
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		delete(k.loading, table)
		k.mu.Unlock()
	}()
	n, err := k.db.RowCount(ctx, table)
	if err != nil {
		k.log.Warn("key filter not loaded: every key is looked up", "table", table, "err", err)
		return
	}
	capacity := max(minCapacityOf(table), uint(2*n))
	f := newBlockBloom(capacity)
	loaded, err := k.db.KeyHashes(ctx, table, f.add)
	if err != nil {
		k.log.Warn("key filter not loaded: every key is looked up", "table", table, "err", err)
		return
	}
	k.mu.Lock()
	// Keys stored while the hashes were read may be missing from them.
	for _, h := range k.loading[table] {
		f.add(h)
	}
	k.tables[table] = &tableFilter{f: f, cap: capacity, added: uint(loaded), ready: true}
	k.mu.Unlock()
	k.log.Debug("key filter loaded", "table", table, "keys", loaded, "took", time.Since(t0))
}

// mayExist reports, for each key hash, whether the key may already be
// stored (true when the filter is not ready).
func (k *keyFilter) mayExist(table string, hashes []uint64, out []bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	t := k.tables[table]
	for i, h := range hashes {
		out[i] = t == nil || !t.ready || t.f.has(h)
	}
}

// add records the hashes of keys just stored. It reports whether the
// filter should be (re)loaded: past its capacity, or never loaded.
func (k *keyFilter) add(table string, hashes []uint64) (reload bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	pending, busy := k.loading[table]
	if busy {
		k.loading[table] = append(pending, hashes...)
	}
	t := k.tables[table]
	if t == nil || !t.ready {
		// Not loaded (ClickHouse was away at start): try again now and
		// then, or every key stays "maybe stored" and is looked up.
		if busy || time.Since(k.tried[table]) < 10*time.Second {
			return false
		}
		k.tried[table] = time.Now()
		return true
	}
	for _, h := range hashes {
		t.f.add(h)
	}
	t.added += uint(len(hashes))
	return t.added > t.cap
}
