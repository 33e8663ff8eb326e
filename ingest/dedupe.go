package ingest

import (
	"context"
	"sort"
	"sync"
	"time"

	"globaloffice/store"
)

var tableOf = map[string]string{"contacts": "contacts", "cases": "cases", "surveys": "survey_responses"}

// inFlight holds, by table, the key sets of the units being stored: until
// a unit is stored or spooled, a later unit finds its keys here rather than
// in ClickHouse, so that two requests sending the same records at once
// store them once. The lists are copied, never changed in place: readers
// use a snapshot without the lock.
type inFlight struct {
	mu   sync.Mutex
	sets map[string][]*keySet
}

func (f *inFlight) add(table string, s *keySet) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sets == nil {
		f.sets = map[string][]*keySet{}
	}
	f.sets[table] = append(f.sets[table], s)
}

// snapshot returns the sets of table in flight now. The sets in it are no
// longer written, and one released meanwhile only holds keys that are
// stored or spooled by now.
func (f *inFlight) snapshot(table string) []*keySet {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sets[table]
}

// hashes returns the hashes of every key of table in flight.
func (f *inFlight) hashes(table string) []uint64 {
	var out []uint64
	for _, s := range f.snapshot(table) {
		for h := range s.byHash {
			out = append(out, h)
		}
	}
	return out
}

func (f *inFlight) remove(table string, s *keySet) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var rest []*keySet
	for _, o := range f.sets[table] {
		if o != s {
			rest = append(rest, o)
		}
	}
	f.sets[table] = rest
}

// inflightHas reports whether one of sets holds the key (hash h) at version v or
// newer.
func inflightHas(sets []*keySet, h uint64, k recordKey, v int64) bool {
	for _, s := range sets {
		if sv, ok := s.get(h, k); ok && sv >= v {
			return true
		}
	}
	return false
}

// dedupeInFlight dedupes kw and puts its kept keys in flight, and in the
// key filter.
func (w *Writer) dedupeInFlight(kw *kindWork) {
	var hashes []uint64
	kw.keep, kw.maybe, hashes, kw.seen, kw.stale = w.dedupe(kw.kind, kw.recs)
	if kw.seen == nil {
		return
	}
	table := tableOf[kw.kind]
	w.inflight.add(table, kw.seen)
	// Now in flight: later units find these keys "maybe stored" and look
	// for them in the sets in flight (see dedupe). They stay in the filter
	// whatever becomes of the insert: one that fails may still have been
	// stored (its answer lost), so its spooled copy must be looked up when
	// drained rather than stored again.
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

// release takes a unit's keys out of flight: they are in the key filter
// now, and stored or spooled.
func (w *Writer) release(u *unit) {
	for _, kw := range u.kinds {
		if kw.seen != nil {
			w.inflight.remove(tableOf[kw.kind], kw.seen)
		}
	}
}

// dedupe marks which records to insert. A contact or survey response is a
// duplicate when its (source, id) is stored already, in flight in another
// unit, or came earlier in the batch. A case version is a duplicate when a
// version as new or newer is stored or in flight, or the same version came
// earlier in the batch: so every new version is stored (the newest wins when
// read), and sending a file again counts all its records as duplicates even
// after merges dropped old versions. It also returns the records' key
// hashes and the batch's key set (nil for rejects), and for cases the
// months where older versions in flight were completed. It only marks what
// this process knows; confirm then asks ClickHouse about keys that may be
// stored.
func (w *Writer) dedupe(kind string, recs []Record) (keep, maybe []bool, hashes []uint64, seen *keySet, stale map[store.CaseKey][]int) {
	keep = make([]bool, len(recs))
	if kind == "rejects" {
		for i := range keep {
			keep[i] = true
		}
		return keep, nil, nil, nil, nil
	}
	type version struct {
		key recordKey
		v   int64
	}
	var versions map[version]bool // cases: the versions met in the batch
	if kind == "cases" {
		versions = make(map[version]bool, len(recs))
		stale = map[store.CaseKey][]int{}
	}
	table := tableOf[kind]
	hashes = make([]uint64, len(recs))
	for i, r := range recs {
		k := r.key()
		hashes[i] = keyHash(k.source, k.id)
	}
	// The filter holds the keys stored and those in flight (added as each
	// unit is deduped): a key it does not know is certainly new, and only
	// the others are looked for in the sets in flight.
	maybe = make([]bool, len(recs))
	w.keys.mayExist(table, hashes, maybe)
	inflight := w.inflight.snapshot(table)
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
		if versions != nil {
			if m, ok := store.EntryMonth(r.Case); ok {
				seen.addMonth(k, m)
			}
			if maybe[i] {
				// Older versions in flight, being stored now: this one
				// must take their completions out.
				for _, s := range inflight {
					if ms := s.months[k]; len(ms) > 0 {
						ck := store.CaseKey{Source: k.source, ID: k.id}
						stale[ck] = append(stale[ck], ms...)
					}
				}
			}
		}
	}
	return keep, maybe, hashes, seen, stale
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
	newer := map[string][]string{} // cases stored at an older version, by source
	for i, r := range kw.recs {
		if !kw.keep[i] {
			continue
		}
		k := r.key()
		v, ok := stored[k]
		switch {
		case ok && (kw.kind != "cases" || !r.version().After(v)):
			kw.keep[i] = false
		case ok:
			newer[k.source] = append(newer[k.source], k.id)
		}
	}
	// A newer version of a stored case takes out the completions of its
	// stored versions.
	for source, ids := range newer {
		months, err := w.db.CompletionMonths(ctx, source, ids)
		if err != nil {
			return err
		}
		for id, ms := range months {
			ck := store.CaseKey{Source: source, ID: id}
			kw.stale[ck] = append(kw.stale[ck], ms...)
		}
	}
	return nil
}
