package ingest

import (
	"context"
	"strings"
	"time"

	"globaloffice/model"
	"globaloffice/store"
)

// run is what one ingest call holds while it reads records: the answer
// being counted, the records and rejects waiting for the writer. Ingest and
// the closing of pending calls both feed records through it.
type run struct {
	s    *Service
	ctx  context.Context
	kind Kind
	opt  Options
	res  *Result
	v    *Validator

	pending []Record
	// Reject metrics are counted once the rejects are stored: a body
	// refused whole stores none.
	rejectMetrics [][2]string
	contacts      []model.Contact
	ignored       map[string]bool
	rejectedAt    time.Time
}

func (s *Service) newRun(ctx context.Context, kind Kind, opt Options, res *Result, ref *Reference) *run {
	r := &run{s: s, ctx: ctx, kind: kind, opt: opt, res: res,
		v:          &Validator{Ref: ref, Pseudo: s.pseudo, Now: s.now, MaxClockSkew: s.clockSkew},
		rejectedAt: s.now().UTC().Truncate(time.Second)}
	if opt.Mapping != nil && opt.Mapping.IgnoreUnmapped {
		r.ignored = map[string]bool{}
	}
	if n := expectedRecords(opt.BodyBytes); n > 0 {
		r.pending = make([]Record, 0, n)
		if kind == KindContacts {
			r.contacts = make([]model.Contact, 0, n)
		}
	}
	return r
}

// expectedRecords guesses how many records a body of n bytes holds, to
// size its first slabs (at most a full slab; 0 when unknown): a record is
// rarely shorter than 200 bytes, and a guess too low only costs another
// slab.
func expectedRecords(n int64) int {
	if n <= 0 {
		return 0
	}
	return int(min(512, max(16, n/200+1)))
}

// flush hands the records waiting to the writer.
func (r *run) flush() error {
	if len(r.pending) == 0 {
		return nil
	}
	o := r.s.writer.Submit(r.ctx, r.pending)
	if o.Err == nil {
		for _, m := range r.rejectMetrics {
			r.s.metrics.reject(r.kind, m[0], m[1])
		}
		r.rejectMetrics = r.rejectMetrics[:0]
	}
	r.res.Accepted += o.Accepted
	r.res.Duplicates += o.Duplicates
	r.res.Spooled += o.Spooled
	r.res.RejectsStored += o.Rejects
	r.pending = r.pending[:0]
	if r.opt.Progress != nil {
		r.opt.Progress(r.res.Received)
	}
	return o.Err
}

// reject counts and keeps a refused record. sent is the record as decoded,
// before a mapping renamed its fields: its raw text is what is kept.
func (r *run) reject(raw, sent RawRecord, source string, errs []FieldError) {
	res := r.res
	res.Rejected++
	reasons := make([]string, len(errs))
	for i, e := range errs {
		reasons[i] = e.Reason
		if e.Field != "" {
			reasons[i] = e.Field + ": " + e.Reason
		}
	}
	field := errs[0].Field
	id := strings.TrimSpace(raw.getSlot(sID))
	if raw.partial != nil {
		id = raw.partial.callID
	}
	if len(res.Rejects) < maxListedRejects {
		reason := errs[0].Reason
		if len(errs) > 1 {
			reason += "; " + strings.Join(reasons[1:], "; ")
		}
		res.Rejects = append(res.Rejects, RejectInfo{Line: raw.Line, Index: raw.Index, ID: id, Field: field, Reason: reason})
	} else {
		res.RejectsOmitted++
	}
	line := raw.Line
	if line == 0 {
		line = raw.Index + 1
	}
	r.rejectMetrics = append(r.rejectMetrics, [2]string{source, field})
	r.pending = append(r.pending, Record{Reject: &store.Reject{
		RejectedAt: r.rejectedAt, Kind: string(r.kind), Source: source, Origin: r.opt.Origin,
		Line: uint32(line), Field: field, Reason: strings.Join(reasons, "; "), Raw: sent.RawText(),
	}})
}

// handle maps, validates and keeps one record (counted in received by the
// caller), flushing a chunk when one is full.
func (r *run) handle(raw RawRecord) error {
	opt, ctx := r.opt, r.ctx
	sent := raw
	if opt.Mapping != nil && raw.Err == nil {
		in := raw.Map()
		if be := opt.Mapping.collision(in, raw.Line); be != nil {
			return be
		}
		if opt.Mapping.Incomplete(in) {
			r.res.Incomplete++
			return nil
		}
		fields, ferr := opt.Mapping.Apply(in, opt.Source, r.ignored)
		if ferr != nil {
			ferr.Line = raw.Line
			raw.Err = ferr
		} else {
			raw.Fields, raw.vals = nil, valuesFromMap(fields)
			raw.cols = nil // the fields are no longer the header's
		}
	}
	source := strings.TrimSpace(raw.getSlot(sSource))
	if source == "" {
		source = opt.Source
	}
	if source == "" && opt.Mapping != nil {
		// A record refused before its mapping applied: the mapping's
		// constant source, as its records get.
		source = strings.TrimSpace(opt.Mapping.Constants["source"])
	}
	if raw.Err != nil {
		r.reject(raw, sent, source, []FieldError{*raw.Err})
	} else {
		v := r.v
		if site := strings.TrimSpace(raw.getSlot(sSite)); site != "" && v.Ref.Sites[site] == nil {
			if fresh, err := r.s.reference(ctx, true); err == nil {
				v.Ref = fresh
			}
		}
		var rec Record
		var errs []FieldError
		switch r.kind {
		case KindContacts:
			c, e := v.Contact(raw, opt.Source)
			if len(e) == 0 {
				// From slabs: one allocation per 512 contacts, the
				// first ones smaller so that a small body does not
				// allocate (and clear) room for 512.
				if len(r.contacts) == cap(r.contacts) {
					r.contacts = make([]model.Contact, 0, min(512, max(16, 2*cap(r.contacts))))
				}
				r.contacts = append(r.contacts, c)
				rec = Record{Contact: &r.contacts[len(r.contacts)-1]}
			}
			errs = e
		case KindCases:
			c, e := v.Case(raw, opt.Source)
			rec, errs = Record{Case: &c}, e
		case KindSurveys:
			c, e := v.Survey(raw, opt.Source)
			rec, errs = Record{Survey: &c}, e
		}
		if len(errs) == 0 && opt.Permit != nil {
			if field := opt.Permit(source, strings.TrimSpace(raw.getSlot(sSite))); field != "" {
				errs = []FieldError{{Field: field, Reason: ReasonNotAllowed}}
			}
		}
		if len(errs) > 0 {
			r.reject(raw, sent, source, errs)
		} else {
			r.pending = append(r.pending, rec)
		}
	}
	if opt.Chunk > 0 && len(r.pending) >= opt.Chunk {
		return r.flush()
	}
	return nil
}
