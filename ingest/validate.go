package ingest

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"time"

	"globaloffice/model"
)

// Kind is what a collector takes: contacts, cases or surveys.
type Kind string

// The record kinds.
const (
	KindContacts Kind = "contacts"
	KindCases    Kind = "cases"
	KindSurveys  Kind = "surveys"
)

// Kinds lists the record kinds.
var Kinds = []Kind{KindContacts, KindCases, KindSurveys}

// ParseKind checks a kind name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown record kind %q (want contacts, cases or surveys)", s)
}

// fieldsOf are the record fields of each kind, as sent (surveys add
// score_<dimension> columns in CSV).
var fieldsOf = map[Kind][]string{
	KindContacts: {"id", "source", "site", "channel", "arrived_at", "answered_at", "ended_at", "outcome", "motive", "user_ref", "team", "asked_agent", "case_id", "segment"},
	KindCases: {"id", "source", "site", "kind", "channel", "received_at", "completed_at", "status", "user_ref", "updated_at", "acknowledged_at", "announced_days", "paused_seconds",
		"origin_contact_id", "segment"},
	KindSurveys: {"id", "source", "site", "channel", "survey", "mode", "answered_at", "contact_id", "scale", "comment"},
}

// Reference is what validation checks records against: the sites and the
// configured lists (Lists) as sets.
type Reference struct {
	Sites      map[string]*time.Location // site id → its time zone
	Channels   map[string]bool
	CaseKinds  map[string]bool
	Dimensions map[string]bool
	// Segments are the user segments a contact or case may carry (issue
	// 16); none configured, a record naming one is refused.
	Segments map[string]bool
	// Scales are the dimensions asked on a fixed scale whatever the
	// response's (ingest.survey_scales: recommend on 0–10).
	Scales map[string]model.Scale
}

// NewReference builds a Reference from sites and configured lists.
func NewReference(sites []model.Site, l Lists) (*Reference, error) {
	ref := &Reference{Sites: map[string]*time.Location{}, Channels: set(l.Channels), CaseKinds: set(l.CaseKinds), Dimensions: set(l.Dimensions),
		Segments: set(l.Segments), Scales: l.Scales}
	for _, s := range sites {
		loc, err := s.Location()
		if err != nil {
			return nil, err
		}
		ref.Sites[s.ID] = loc
	}
	return ref, nil
}

func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, v := range list {
		m[v] = true
	}
	return m
}

func keys(m map[string]bool) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// Validator turns raw records into model records or reasons to refuse them.
type Validator struct {
	Ref    *Reference
	Pseudo *Pseudonymizer
	Now    func() time.Time // for "in the future" checks; time.Now if nil
	// MaxClockSkew is how far ahead of now a case's updated_at may be: a
	// version dated in the future masks every genuine version sent after
	// it until that date. 0: DefaultMaxClockSkew.
	MaxClockSkew time.Duration

	latestAt, readAt time.Time
	calls            int
	zones            zoneCache
	times            []time.Time // slab for the times of records
	check            recordCheck // the record being checked, reused from one to the next
}

// latest is the last time accepted: now plus clock skew, refreshed once a
// second (the clock is read every 256 calls, not once a field).
func (v *Validator) latest() time.Time {
	v.calls++
	if v.latestAt.IsZero() || v.calls%256 == 0 && time.Since(v.readAt) > time.Second {
		now := time.Now()
		v.readAt = now
		if v.Now != nil {
			now = v.Now()
		}
		v.latestAt = now.Add(futureSkew)
	}
	return v.latestAt
}

// earliest is the first time accepted: older records are typing errors or
// zero values, and ClickHouse DateTime cannot hold times before 1970.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// futureSkew is how far in the future a time may be (clock skew between systems).
const futureSkew = 24 * time.Hour

// DefaultMaxClockSkew is ingest.max_clock_skew's default.
const DefaultMaxClockSkew = 10 * time.Minute

// recordCheck collects the field errors of one record.
type recordCheck struct {
	v      *Validator
	kind   Kind
	f      *fieldValues
	errs   []FieldError
	loc    *time.Location
	source string
}

func (c *recordCheck) fail(field, format string, args ...any) {
	c.errs = append(c.errs, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (c *recordCheck) get(s slot) string { return strings.TrimSpace(c.f.get(s)) }

func (c *recordCheck) required(s slot) string {
	v := c.get(s)
	if v == "" {
		c.fail(slotNames[s], "required")
	}
	return v
}

func (c *recordCheck) oneOf(s slot, allowed map[string]bool, what string) string {
	v := c.required(s)
	if v != "" && !allowed[v] {
		c.fail(slotNames[s], "unknown %s %q (configured: %s)", what, v, keys(allowed))
	}
	return v
}

// segment checks the optional segment against the configured list.
func (c *recordCheck) segment(allowed map[string]bool) string {
	v := c.get(sSegment)
	if v != "" && !allowed[v] {
		if len(allowed) == 0 {
			c.fail("segment", "unknown segment %q (no segments configured: ingest.segments)", v)
		} else {
			c.fail("segment", "unknown segment %q (configured: %s)", v, keys(allowed))
		}
	}
	return v
}

func (c *recordCheck) closed(s slot, valid bool, list string) string {
	v := c.required(s)
	if v != "" && !valid {
		c.fail(slotNames[s], "%q is not one of %s", v, list)
	}
	return v
}

// flag parses an optional yes/no field: true or false (JSON booleans
// arrive as that text), 1 or 0; nil when not sent or empty.
func (c *recordCheck) flag(s slot) *bool {
	switch v := c.get(s); v {
	case "":
		return nil
	case "true", "1":
		return &flagTrue
	case "false", "0":
		return &flagFalse
	default:
		c.fail(slotNames[s], "%q is not true or false (or 1, 0)", v)
		return nil
	}
}

// flagTrue and flagFalse are shared by every parsed flag (never written).
var flagTrue, flagFalse = true, false

// time parses a time field: RFC 3339 with an offset or Z, or a local time
// without offset, read in the site's time zone.
func (c *recordCheck) time(sl slot, required bool) *time.Time {
	field := slotNames[sl]
	s := c.get(sl)
	if s == "" {
		if required {
			c.fail(field, "required")
		}
		return nil
	}
	t, err := parseTime(s, c.loc, &c.v.zones)
	if errors.Is(err, errNoZone) && c.get(sSite) != "" {
		return nil // the unknown site is the error already reported
	}
	if errors.Is(err, errNoZone) {
		c.fail(field, "%q has no UTC offset and the record names no site to take the time zone from", s)
		return nil
	}
	if err != nil {
		c.fail(field, "%v", err)
		return nil
	}
	if t.Before(earliest) {
		c.fail(field, "%s is before 2000-01-01", s)
		return nil
	}
	if t.After(c.v.latest()) {
		c.fail(field, "%s is in the future", s)
		return nil
	}
	return c.v.keep(t)
}

// keep returns a pointer to a copy of t, from a slab: one allocation per
// 512 times rather than one per time, the first slabs smaller so that a
// small body does not allocate (and clear) room for 512.
func (v *Validator) keep(t time.Time) *time.Time {
	if len(v.times) == cap(v.times) {
		v.times = make([]time.Time, 0, min(512, max(64, 2*cap(v.times))))
	}
	v.times = append(v.times, t)
	return &v.times[len(v.times)-1]
}

// start checks what every kind shares: id, source, site, unknown fields.
func (v *Validator) start(kind Kind, raw RawRecord, defaultSource string) *recordCheck {
	f := raw.values()
	if f == nil {
		f = &fieldValues{}
	}
	// The Validator checks one record at a time: its check is reused
	// rather than allocated per record. The errors slice starts anew (nil
	// unless the record is refused): the caller keeps it.
	v.check = recordCheck{v: v, kind: kind, f: f}
	c := &v.check
	c.lengths()
	for _, k := range f.unknown(kind) {
		c.fail(k, "unknown field (expected %s)", strings.Join(fieldsOf[kind], ", "))
	}
	c.required(sID)
	c.source = c.get(sSource)
	if c.source == "" {
		c.source = defaultSource
	}
	if c.source == "" {
		c.fail("source", "required (in the record, or ?source= on the request, or --source)")
	}
	site := c.required(sSite)
	if site != "" {
		loc, ok := v.Ref.Sites[site]
		if !ok {
			c.fail("site", "unknown site %q (import it with globaloffice sites import)", site)
		}
		c.loc = loc
	}
	return c
}

// maxFieldBytes bounds every field but a survey comment (maxComment): an
// id, a source or a user reference is a short code, and a long one would
// make the key lookups of a re-sent record exceed ClickHouse's
// max_query_size, blocking the spool's drain.
const maxFieldBytes = 256

// lengths refuses fields longer than maxFieldBytes (comments: maxComment),
// checked on the slots that were sent before anything else reads them.
func (c *recordCheck) lengths() {
	f := c.f
	for h := f.has; h != 0; h &= h - 1 {
		s := slot(bits.TrailingZeros32(h))
		limit := maxFieldBytes
		if s == sComment {
			limit = maxComment
		}
		if len(f.v[s]) > limit {
			c.fail(slotNames[s], "longer than %d bytes", limit)
		}
	}
	for _, e := range f.extra {
		if len(e.name) > maxFieldBytes || len(e.value) > maxFieldBytes {
			c.fail(trimName(e.name), "longer than %d bytes", maxFieldBytes)
		}
	}
}

// trimName shortens a field name for a reject's field.
func trimName(name string) string {
	if len(name) > 64 {
		return name[:64] + "…"
	}
	return name
}

// Contact validates a contact record.
func (v *Validator) Contact(raw RawRecord, defaultSource string) (model.Contact, []FieldError) {
	c := v.start(KindContacts, raw, defaultSource)
	out := model.Contact{
		Source:  c.source,
		ID:      c.get(sID),
		Site:    c.get(sSite),
		Channel: model.Channel(c.oneOf(sChannel, v.Ref.Channels, "channel")),
		Motive:  c.get(sMotive),
		Team:    c.get(sTeam),
		UserRef: v.Pseudo.Ref(c.get(sUserRef)),
		CaseID:  c.get(sCaseID),
		Segment: c.segment(v.Ref.Segments),
	}
	if raw.pseudonymised {
		out.UserRef = c.get(sUserRef)
	}
	o := c.get(sOutcome)
	out.Outcome = model.Outcome(c.closed(sOutcome, model.Outcome(o).Valid(), "served, abandoned, no_show, redirected, overflow, transferred, deflected"))
	out.AskedAgent = c.flag(sAskedAgent)
	arrived := c.time(sArrivedAt, true)
	answered := c.time(sAnsweredAt, false)
	ended := c.time(sEndedAt, false)
	if arrived != nil {
		out.ArrivedAt = *arrived
		if answered != nil && answered.Before(*arrived) {
			c.fail("answered_at", "%s is before arrived_at %s", answered.Format(time.RFC3339), arrived.Format(time.RFC3339))
		}
		if ended != nil && ended.Before(*arrived) {
			c.fail("ended_at", "%s is before arrived_at %s", ended.Format(time.RFC3339), arrived.Format(time.RFC3339))
		}
	}
	if answered != nil && ended != nil && ended.Before(*answered) {
		c.fail("ended_at", "%s is before answered_at %s", ended.Format(time.RFC3339), answered.Format(time.RFC3339))
	}
	if out.Outcome.Answered() && answered == nil && c.get(sAnsweredAt) == "" {
		c.fail("answered_at", "required when outcome is %s", out.Outcome)
	}
	out.AnsweredAt, out.EndedAt = answered, ended
	if c.loc != nil {
		out.ArrivedDate = model.LocalDate(out.ArrivedAt, c.loc)
	}
	return out, c.errs
}

// Case validates a case record.
func (v *Validator) Case(raw RawRecord, defaultSource string) (model.Case, []FieldError) {
	c := v.start(KindCases, raw, defaultSource)
	out := model.Case{
		Source:  c.source,
		ID:      c.get(sID),
		Site:    c.get(sSite),
		Kind:    model.CaseKind(c.oneOf(sKind, v.Ref.CaseKinds, "case kind")),
		Channel: model.Channel(c.oneOf(sChannel, v.Ref.Channels, "channel")),
		UserRef: v.Pseudo.Ref(c.get(sUserRef)),

		OriginContactID: c.get(sOriginContactID),
		Segment:         c.segment(v.Ref.Segments),
	}
	st := c.get(sStatus)
	out.Status = model.CaseStatus(c.closed(sStatus, model.CaseStatus(st).Valid(), "open, completed, cancelled"))
	received := c.time(sReceivedAt, true)
	completed := c.time(sCompletedAt, false)
	updated := c.time(sUpdatedAt, true)
	if received != nil {
		out.ReceivedAt = *received
		if completed != nil && completed.Before(*received) {
			c.fail("completed_at", "%s is before received_at %s", completed.Format(time.RFC3339), received.Format(time.RFC3339))
		}
		if updated != nil && updated.Before(*received) {
			c.fail("updated_at", "%s is before received_at %s", updated.Format(time.RFC3339), received.Format(time.RFC3339))
		}
	}
	switch out.Status {
	case model.CaseCompleted:
		if completed == nil && c.get(sCompletedAt) == "" {
			c.fail("completed_at", "required when status is completed")
		}
	case model.CaseOpen:
		if completed != nil {
			c.fail("completed_at", "must be empty while status is open")
		}
	}
	out.CompletedAt = completed
	ack := c.time(sAcknowledgedAt, false)
	if ack != nil && received != nil && ack.Before(*received) {
		c.fail("acknowledged_at", "%s is before received_at %s", ack.Format(time.RFC3339), received.Format(time.RFC3339))
	}
	out.AcknowledgedAt = ack
	if n, ok := c.wholeNumber(sAnnouncedDays, maxAnnouncedDays); ok {
		days := uint32(n)
		out.AnnouncedDays = &days
	}
	if n, ok := c.wholeNumber(sPausedSeconds, math.MaxUint32); ok {
		out.PausedSeconds = uint32(n)
		// Paused time is part of the case's elapsed time: up to its
		// completion, or its latest version while it is not completed.
		end := updated
		if completed != nil {
			end = completed
		}
		if received != nil && end != nil && !end.Before(*received) {
			if elapsed := int64(end.Sub(*received) / time.Second); int64(n) > elapsed {
				c.fail("paused_seconds", "%d is more than the case's elapsed time (%d s from received_at to %s)", n, elapsed, map[bool]string{true: "completed_at", false: "updated_at"}[completed != nil])
			}
		}
	}
	if updated != nil {
		skew := v.MaxClockSkew
		if skew <= 0 {
			skew = DefaultMaxClockSkew
		}
		if now := v.latest().Add(-futureSkew); updated.After(now.Add(skew)) {
			c.fail("updated_at", "%s is more than %s ahead of the server's clock (ingest.max_clock_skew): a version from the future would mask the versions sent after it", updated.Format(time.RFC3339), skew)
		}
		out.UpdatedAt = *updated
	}
	if c.loc != nil {
		out.ReceivedDate = model.LocalDate(out.ReceivedAt, c.loc)
		if completed != nil {
			d := model.LocalDate(*completed, c.loc)
			out.CompletedDate = &d
		}
		if ack != nil {
			d := model.LocalDate(*ack, c.loc)
			out.AcknowledgedDate = &d
		}
	}
	return out, c.errs
}

// maxAnnouncedDays bounds an announced delay: ten years is a typing error.
const maxAnnouncedDays = 3650

// wholeNumber reads an optional whole number between 0 and limit: digits,
// or a JSON number with no fraction (7.0); false when absent or refused.
func (c *recordCheck) wholeNumber(s slot, limit uint64) (uint64, bool) {
	v := c.get(s)
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(v, 64); ferr == nil && f >= 0 && f <= float64(limit) && f == math.Trunc(f) {
			n, err = uint64(f), nil
		}
	}
	switch {
	case err != nil:
		c.fail(slotNames[s], "%q is not a whole number of 0 or more", v)
		return 0, false
	case n > limit:
		c.fail(slotNames[s], "%d is more than %d", n, limit)
		return 0, false
	}
	return n, true
}

// maxComment bounds a survey comment, in bytes.
const maxComment = 4000
