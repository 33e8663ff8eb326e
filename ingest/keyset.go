package ingest

// keySet holds the keys of a batch with the newest version of each: the
// batch's own duplicates are found with it, and while the batch is being
// inserted it is what later batches check against. It is indexed by the
// keys' 64-bit hash (computed once per record for the key filter anyway):
// hashing a uint64 is several times cheaper than hashing two strings, and
// the index holds no pointers for the GC to scan. It is exact: a hash hit
// is compared with the record's key, and a key whose hash is taken by
// another key goes to a map of its own.
type keySet struct {
	keys   []recordKey // not the records: a set in flight outlives them
	byHash map[uint64]keyEntry
	other  map[recordKey]int64 // hash collisions (practically never)
	// months holds, for cases, the months (toYYYYMM) in which the set's
	// versions of a key have their entry (store.EntryMonth: completed
	// there, or open): a newer version arriving while they are in flight
	// must take those entries out.
	months map[recordKey][]int
}

// addMonth records that a version of k in the set has its entry in month m.
func (s *keySet) addMonth(k recordKey, m int) {
	if s.months == nil {
		s.months = map[recordKey][]int{}
	}
	s.months[k] = append(s.months[k], m)
}

type keyEntry struct {
	idx     int32 // in keys
	version int64
}

func newKeySet(n int) *keySet {
	return &keySet{keys: make([]recordKey, 0, n), byHash: make(map[uint64]keyEntry, n)}
}

// get returns the newest version of the key (hash h) in the set.
func (s *keySet) get(h uint64, k recordKey) (int64, bool) {
	e, ok := s.byHash[h]
	if !ok {
		return 0, false
	}
	if s.keys[e.idx] == k {
		return e.version, true
	}
	v, ok := s.other[k]
	return v, ok
}

// put adds key k (hash h) with version v, keeping the newest version of
// the key.
func (s *keySet) put(h uint64, k recordKey, v int64) {
	e, ok := s.byHash[h]
	switch {
	case !ok:
		s.keys = append(s.keys, k)
		s.byHash[h] = keyEntry{idx: int32(len(s.keys) - 1), version: v}
	case s.keys[e.idx] == k:
		if v > e.version {
			s.byHash[h] = keyEntry{idx: e.idx, version: v}
		}
	default:
		if s.other == nil {
			s.other = map[recordKey]int64{}
		}
		if old, ok := s.other[k]; !ok || v > old {
			s.other[k] = v
		}
	}
}
