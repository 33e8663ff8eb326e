package ingest

import (
	"sort"

	"globaloffice/store"
)

// submission is one call's records (or a spool segment's) waiting for the
// loop; done gets its outcome.
type submission struct {
	recs    []Record
	segment string // set when the records come from a spool segment
	done    chan Outcome
}

// unit is submissions stored together: deduped by the loop, inserted by a
// lane or, answered from the spool, by the flusher.
type unit struct {
	subs        []*submission
	outcomes    []Outcome
	spoolOnFail bool
	kinds       []*kindWork
}

// kindWork is a unit's records of one kind.
type kindWork struct {
	kind  string
	recs  []Record
	sub   []int   // submission of each record
	keep  []bool  // not a duplicate
	maybe []bool  // the key filter said the key may be stored (nil for rejects)
	seen  *keySet // the keys, in flight until the unit is released
	// stale holds, for cases, the months in which an older version of a
	// kept case, stored or in flight, was completed (see store.InsertCases).
	stale map[store.CaseKey][]int
}

// prepare groups the records of subs by kind and dedupes them, putting the
// kept keys in flight until the unit is released.
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
		w.dedupeInFlight(kw)
	}
	return u
}

// records is the number of records of the unit.
func (u *unit) records() int {
	n := 0
	for _, kw := range u.kinds {
		n += len(kw.recs)
	}
	return n
}

// tally says how count takes a kind's records.
type tally int

const (
	countStored  tally = iota // the kept records are stored: accepted; the others duplicates
	countSpooled              // the kept records are spooled: accepted and spooled; the others duplicates
)

// count adds kw's records to their submissions' outcomes, those of the
// submissions in only (all when nil), and to the records metric, with one
// update per source and outcome. Rejects are counted by the Service; here
// only as stored, for an answer that failed half-way.
func (w *Writer) count(u *unit, kw *kindWork, how tally, only []bool) {
	if kw.kind == "rejects" {
		for _, j := range kw.sub {
			if only == nil || only[j] {
				u.outcomes[j].Rejects++
			}
		}
		return
	}
	counts := map[[2]string]int{} // (source, outcome) → records
	for i, r := range kw.recs {
		j := kw.sub[i]
		if only != nil && !only[j] {
			continue
		}
		o := &u.outcomes[j]
		if kw.keep[i] {
			o.Accepted++
			if how != countStored {
				o.Spooled++
			}
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

// answer sends the unit's outcomes to its submissions.
func (u *unit) answer() {
	for i, s := range u.subs {
		s.done <- u.outcomes[i]
	}
}
