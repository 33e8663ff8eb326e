package ingest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"globaloffice/store"
)

// Calls split across exports. An Asterisk queue_log rotated daily, or
// exported while calls were in progress, holds a call's first events in one
// file and its end in the next. The decoder passes such a call on as a
// partial record; joinPending keeps each part in ClickHouse (pending_calls:
// durable, and shared by every server process), then reads back every part
// of the call, and when together they make a whole call, that contact is
// stored like any other. Writing before reading makes two requests carrying
// the two halves at the same time safe: the later reader sees both (and if
// both do, the contact's key makes the second a duplicate). A call whose
// first part waited longer than the timeout is closed by ClosePending as not
// answered, with its reason.

// DefaultPendingCallTimeout is how long a call split across exports waits
// for its other part, counted from the first part's receipt: daily exports
// bring the end of a call in progress at the export about a day later, and
// 48 hours leaves a day's margin for a nightly transfer that failed once.
const DefaultPendingCallTimeout = 48 * time.Hour

// ErrPendingAway says the parts of calls split across exports could not be
// kept: they live in ClickHouse only (shared by every server process), so
// while it is away a body holding such calls is refused whole (503), and
// the sender's retry stores it once.
var ErrPendingAway = errors.New("calls split across exports cannot be kept while ClickHouse is away")

// maxCloseBatch bounds the calls closed in one go.
const maxCloseBatch = 10_000

// partialCall is a call of a queue_log whose events in one body do not
// make a whole call: its ENTERQUEUE or its end is in another export.
type partialCall struct {
	callID string
	lines  []string
	fields map[string]string // what its ENTERQUEUE gave; nil without one
}

// ClosedCall is a pending call closed after the timeout.
type ClosedCall struct {
	Source string `json:"source"`
	CallID string `json:"callid"`
	// Contact tells whether the call became a contact (outcome abandoned);
	// without its ENTERQUEUE it cannot, and is a reject instead.
	Contact bool   `json:"contact"`
	Reason  string `json:"reason"`
}

// SetPendingCallTimeout sets ingest.pending_call_timeout (default
// DefaultPendingCallTimeout).
func (s *Service) SetPendingCallTimeout(d time.Duration) { s.pendingTimeout = d }

// SetClock replaces the clock of the rules that depend on now: records in
// the future, and the pending calls' timeout (for tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) pendingCallTimeout() time.Duration {
	if s.pendingTimeout <= 0 {
		return DefaultPendingCallTimeout
	}
	return s.pendingTimeout
}

// pendingSource is the source a body's pending calls are kept under: the
// sender's, else the mapping's constant, as its records get.
func pendingSource(opt Options) string {
	if src := strings.TrimSpace(opt.Source); src != "" || opt.Mapping == nil {
		return src
	}
	return strings.TrimSpace(opt.Mapping.Constants["source"])
}

// storedLines are a part's lines as kept: the caller id of ENTERQUEUE
// lines replaced by its pseudonym, marked as such.
func (s *Service) storedLines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		f := strings.Split(l, "|")
		if len(f) > 6 && f[4] == "ENTERQUEUE" && strings.TrimSpace(f[6]) != "" {
			f[6] = pseudonymMark + s.pseudo.Ref(f[6])
			l = strings.Join(f, "|")
		}
		out[i] = l
	}
	return out
}

func partHash(lines string) uint64 {
	sum := sha256.Sum256([]byte(lines))
	return binary.BigEndian.Uint64(sum[:8])
}

// partialSite is the site of a partial call: its queue (the third field
// of its lines) through the mapping's site values.
func partialSite(p *partialCall, m *Mapping) string {
	queue := ""
	if f := strings.SplitN(p.lines[0], "|", 4); len(f) > 2 {
		queue = f[2]
	}
	if m != nil {
		if site, ok := m.Values["site"][queue]; ok {
			return site
		}
	}
	return queue
}

// joinParts decodes the lines of every part of one call together, each
// line once, in time order: a whole call, or still a partial one.
func joinParts(parts []store.PendingPart) ([]RawRecord, error) {
	seen := map[string]bool{}
	type line struct {
		at   float64
		text string
	}
	var lines []line
	for _, p := range parts {
		for _, l := range strings.Split(p.Lines, "\n") {
			if l == "" || seen[l] {
				continue
			}
			seen[l] = true
			at, _ := strconv.ParseFloat(strings.SplitN(l, "|", 2)[0], 64)
			lines = append(lines, line{at, l})
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at < lines[j].at })
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	var out []RawRecord
	err := decodeQueueLog(bufio.NewReader(strings.NewReader(b.String())), Limits{MaxLineBytes: DefaultLimits.MaxLineBytes, MaxRecords: math.MaxInt}, true,
		func(r RawRecord) error { out = append(out, r); return nil })
	if err != nil {
		return nil, fmt.Errorf("join the parts of call %s: %w", parts[0].CallID, err)
	}
	return out, nil
}

// settle returns the parts in a final state.
func settle(parts []store.PendingPart, state, reason string, at time.Time) []store.PendingPart {
	out := make([]store.PendingPart, 0, len(parts))
	for _, p := range parts {
		if p.State != state {
			p.State, p.Reason, p.ClosedAt = state, reason, at
			out = append(out, p)
		}
	}
	return out
}

// joinPending keeps the partial calls of one body and joins them with
// their parts from earlier bodies: whole calls go through run like any
// record, the others are counted pending. It returns the parts to mark
// resolved once run's records are stored.
func (s *Service) joinPending(ctx context.Context, run *run, partials []RawRecord) ([]store.PendingPart, error) {
	source := pendingSource(run.opt)
	now := s.now().UTC().Truncate(time.Second)
	mapping := ""
	if run.opt.Mapping != nil {
		mapping = run.opt.Mapping.Name
	}
	parts := make([]store.PendingPart, 0, len(partials))
	callids := make([]string, 0, len(partials))
	kept := partials[:0:0]
	for _, p := range partials {
		// A caller may keep parts only where it may send records: a part
		// closed later becomes a contact without a caller to check.
		if run.opt.Permit != nil {
			if field := run.opt.Permit(source, partialSite(p.partial, run.opt.Mapping)); field != "" {
				run.reject(p, p, source, []FieldError{{Field: field, Reason: ReasonNotAllowed}})
				continue
			}
		}
		kept = append(kept, p)
		lines := strings.Join(s.storedLines(p.partial.lines), "\n")
		parts = append(parts, store.PendingPart{Source: source, CallID: p.partial.callID, Part: partHash(lines),
			Lines: lines, Mapping: mapping, Origin: run.opt.Origin, ReceivedAt: now, State: store.PartOpen})
		callids = append(callids, p.partial.callID)
	}
	partials = kept
	if len(parts) == 0 {
		return nil, nil
	}
	if err := s.db.InsertPendingParts(ctx, parts); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPendingAway, err) // not %w: a dial timeout is no slow body
	}
	stored, err := s.db.PendingParts(ctx, source, callids)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPendingAway, err) // not %w: a dial timeout is no slow body
	}
	byCall := map[string][]store.PendingPart{}
	for _, p := range stored {
		byCall[p.CallID] = append(byCall[p.CallID], p)
	}
	var settled []store.PendingPart
	for _, p := range partials {
		cps := byCall[p.partial.callID]
		var closed, resolved *store.PendingPart
		for i := range cps {
			switch cps[i].State {
			case store.PartClosed:
				closed = &cps[i]
			case store.PartResolved:
				resolved = &cps[i]
			}
		}
		switch {
		case closed != nil:
			run.reject(p, p, source, []FieldError{{Field: "callid", Reason: fmt.Sprintf("call %s was closed as not answered at %s (%s); this part came too late",
				p.partial.callID, closed.ClosedAt.UTC().Format(time.RFC3339), closed.Reason)}})
			settled = append(settled, settle(cps, store.PartClosed, closed.Reason, closed.ClosedAt)...)
			continue
		case resolved != nil:
			// Its contact was stored when the call was joined: this part
			// was sent again.
			run.res.Duplicates++
			settled = append(settled, settle(cps, store.PartResolved, "", now)...)
			continue
		case len(cps) == 0:
			return nil, fmt.Errorf("join the calls split across exports: call %s of %s not found after it was written", p.partial.callID, source)
		}
		recs, err := joinParts(cps)
		if err != nil {
			return nil, err
		}
		whole := true
		run.res.Received += len(recs) - 1 // a call queued again after its end is two
		for _, rec := range recs {
			if rec.partial != nil {
				run.res.Pending++
				whole = false
				continue
			}
			rec.Line, rec.Index = p.Line, p.Index
			if err := run.handle(rec); err != nil {
				return nil, err
			}
		}
		if whole {
			settled = append(settled, settle(cps, store.PartResolved, "", now)...)
		}
	}
	s.metrics.countRecords(string(KindContacts), source, "pending", run.res.Pending)
	return settled, nil
}

// ClosePending closes the calls of source (every source when empty) whose
// first part has waited longer than the timeout: a call whose ENTERQUEUE
// came becomes a contact, outcome abandoned (not answered; an answer without
// an end is not kept), arrival from its ENTERQUEUE; one without can make no
// contact and is a reject. The reason is kept with its parts (globaloffice
// ingest pending) and in the answer of the request that closed it. A call
// whose parts make a whole call after all (a join whose marking failed) is
// stored as joined.
func (s *Service) ClosePending(ctx context.Context, source string) ([]ClosedCall, error) {
	timeout := s.pendingCallTimeout()
	now := s.now().UTC().Truncate(time.Second)
	parts, err := s.db.ExpiredPendingParts(ctx, source, now.Add(-timeout), maxCloseBatch)
	if err != nil || len(parts) == 0 {
		return nil, err
	}
	ref, err := s.reference(ctx, false)
	if err != nil {
		return nil, err
	}
	type key struct{ source, mapping string }
	calls := map[key]map[string][]store.PendingPart{}
	var keys []key
	for _, p := range parts {
		k := key{p.Source, p.Mapping}
		if calls[k] == nil {
			calls[k] = map[string][]store.PendingPart{}
			keys = append(keys, k)
		}
		calls[k][p.CallID] = append(calls[k][p.CallID], p)
	}
	var closed []ClosedCall
	var settled []store.PendingPart
	for _, k := range keys {
		opt := Options{Source: k.source, Origin: "pending-calls:closed"}
		if k.mapping != "" {
			if opt.Mapping, err = s.mappings.Get(k.mapping); err != nil {
				return closed, fmt.Errorf("close pending calls of %s: %w", k.source, err)
			}
		}
		res := Result{Kind: KindContacts}
		run := s.newRun(ctx, KindContacts, opt, &res, ref)
		ids := make([]string, 0, len(calls[k]))
		for id := range calls[k] {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		// A call sent whole in a later export (one taken again over the
		// whole day) is stored already: its parts are resolved, not closed.
		stored, err := s.db.ExistingKeys(ctx, "contacts", k.source, ids)
		if err != nil {
			return closed, fmt.Errorf("close pending calls of %s: %w", k.source, err)
		}
		for _, id := range ids {
			cps := calls[k][id]
			if _, ok := stored[id]; ok {
				settled = append(settled, settle(cps, store.PartResolved, "", now)...)
				continue
			}
			first := cps[0].ReceivedAt
			for _, p := range cps {
				if p.ReceivedAt.Before(first) {
					first = p.ReceivedAt
				}
			}
			recs, err := joinParts(cps)
			if err != nil {
				return closed, err
			}
			reason := fmt.Sprintf("no end event within %s of its first part (received %s): closed as not answered", timeout, first.UTC().Format(time.RFC3339))
			state, contact := store.PartResolved, true
			for _, rec := range recs {
				switch {
				case rec.partial == nil:
				case rec.partial.fields != nil:
					state = store.PartClosed
					f := rec.partial.fields
					rec = RawRecord{Raw: rec.Raw, pseudonymised: rec.pseudonymised, Fields: map[string]string{
						"id": f["id"], "site": f["site"], "team": f["team"], "arrived_at": f["arrived_at"],
						"user_ref": f["user_ref"], "outcome": "abandoned"}}
				default:
					state, contact = store.PartClosed, false
					reason = fmt.Sprintf("no ENTERQUEUE within %s of its first part (received %s): closed without a contact (its arrival is unknown)", timeout, first.UTC().Format(time.RFC3339))
					run.reject(rec, rec, k.source, []FieldError{{Field: "callid", Reason: reason}})
					continue
				}
				if err := run.handle(rec); err != nil {
					return closed, err
				}
			}
			if state == store.PartClosed {
				s.metrics.countRecords(string(KindContacts), k.source, "closed", 1)
				closed = append(closed, ClosedCall{Source: k.source, CallID: id, Contact: contact, Reason: reason})
				settled = append(settled, settle(cps, state, reason, now)...)
			} else {
				settled = append(settled, settle(cps, state, "", now)...)
			}
		}
		if err := run.flush(); err != nil {
			return closed, fmt.Errorf("close pending calls of %s: %w", k.source, err)
		}
	}
	if err := s.db.InsertPendingParts(ctx, settled); err != nil {
		// Closed again next time: the contacts' keys make them duplicates.
		return closed, fmt.Errorf("close pending calls: %w", err)
	}
	return closed, nil
}
