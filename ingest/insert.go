package ingest

import (
	"context"
	"fmt"
	"sort"
	"time"

	"globaloffice/model"
	"globaloffice/store"
)

// finish inserts a prepared unit in a lane; on a ClickHouse failure it
// spools its records when spoolOnFail. Then it frees its lane and answers
// the unit's submissions.
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
		w.spooled.disown(spooled...)
		u.answer()
	}()
	var failed error
	var failedKinds []*kindWork
	for _, kw := range u.kinds {
		if failed != nil && !u.spoolOnFail {
			break
		}
		err := w.confirm(kw)
		if err == nil {
			var kept []Record
			for i, k := range kw.keep {
				if k {
					kept = append(kept, kw.recs[i])
				}
			}
			err = w.insert(kw.kind, kept, kw.stale)
		}
		if err != nil {
			failed = err
			failedKinds = append(failedKinds, kw)
			continue
		}
		w.count(u, kw, countStored, nil)
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
	// Every record of a kind that failed is spooled, duplicates too: the
	// drain dedupes them against what was stored. One segment per
	// submission, so that a failed write fails that submission only.
	bySub := make([][]Record, len(u.subs))
	for _, kw := range failedKinds {
		for i, r := range kw.recs {
			bySub[kw.sub[i]] = append(bySub[kw.sub[i]], r)
		}
	}
	written := make([]bool, len(u.subs))
	for j, recs := range bySub {
		if len(recs) == 0 {
			continue
		}
		name := w.spool.NextName()
		w.spooled.own(name)
		spooled = append(spooled, name)
		if err := w.spool.WriteAs(name, recs); err != nil {
			u.outcomes[j].Err = fmt.Errorf("clickhouse: %v; and the spool failed too: %w", failed, err)
			continue
		}
		written[j] = true
	}
	// Counted as when stored: the records dedupe marked are duplicates
	// (sent twice in the body, in flight, or found stored), spooled or not.
	for _, kw := range failedKinds {
		w.count(u, kw, countSpooled, written)
	}
	w.metrics.spool(w.spool)
}

// insert writes records of one kind, at most MaxPartitions months and
// MaxBatch rows per insert. For cases, stale gives the months where older
// versions, stored or in flight, were completed.
func (w *Writer) insert(kind string, recs []Record, stale map[store.CaseKey][]int) error {
	if len(recs) == 0 {
		return nil
	}
	if kind == "cases" {
		stale = batchStale(recs, stale)
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
		err := w.insertChunk(ctx, kind, chunk, stale, now)
		cancel()
		if err != nil {
			return err
		}
		w.metrics.batch(kind, len(chunk), time.Since(t0))
		start = end
	}
	return nil
}

// insertChunk writes records of one kind as one insert.
func (w *Writer) insertChunk(ctx context.Context, kind string, recs []Record, stale map[store.CaseKey][]int, now time.Time) error {
	switch kind {
	case "contacts":
		cb, err := w.db.NewContacts(ctx, now)
		if err != nil {
			return err
		}
		appendContacts(cb, recs, nil)
		return cb.Send()
	case "cases":
		rows := make([]model.Case, len(recs))
		for i, r := range recs {
			rows[i] = *r.Case
		}
		return w.db.InsertCases(ctx, rows, stale, now)
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

// batchStale adds to stale the entry months of every version in recs (see
// store.EntryMonth: an open version's is store.OpenMonth): a batch split
// into several inserts may put a case's versions in different ones, and
// each insert's newest version of the case must take the others' entries
// out.
func batchStale(recs []Record, stale map[store.CaseKey][]int) map[store.CaseKey][]int {
	out := make(map[store.CaseKey][]int, len(stale))
	for k, ms := range stale {
		out[k] = ms
	}
	for _, r := range recs {
		if m, ok := store.EntryMonth(r.Case); ok {
			k := store.CaseKey{Source: r.Case.Source, ID: r.Case.ID}
			out[k] = append(out[k], m)
		}
	}
	return out
}
