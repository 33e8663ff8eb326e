package ingest

import (
	"sort"
	"strings"
)

// slot is the place of a known field name in fieldValues. Decoders put each
// field in its slot as they read it, and validation reads slots by index:
// no map is built or hashed per record (that cost more than parsing).
type slot uint8

// The known field names of every kind.
const (
	sID slot = iota
	sSource
	sSite
	sChannel
	sArrivedAt
	sAnsweredAt
	sEndedAt
	sOutcome
	sMotive
	sUserRef
	sTeam
	sKind
	sReceivedAt
	sCompletedAt
	sStatus
	sUpdatedAt
	sSurvey
	sMode
	sContactID
	sScale
	sComment
	sAskedAgent
	sAcknowledgedAt
	sAnnouncedDays
	sPausedSeconds
	sCaseID
	sOriginContactID
	sSegment
	nSlots
)

var slotNames = [nSlots]string{
	"id", "source", "site", "channel", "arrived_at", "answered_at", "ended_at", "outcome", "motive", "user_ref", "team",
	"kind", "received_at", "completed_at", "status", "updated_at", "survey", "mode", "contact_id", "scale", "comment",
	"asked_agent",
	"acknowledged_at", "announced_days", "paused_seconds",
	"case_id", "origin_contact_id", "segment",
}

var slotOf = func() map[string]slot {
	m := make(map[string]slot, nSlots)
	for i, n := range slotNames {
		m[n] = slot(i)
	}
	return m
}()

// slotFor is slotOf[string(b)] as a switch: the compiler turns it into
// comparisons by length and content, cheaper than hashing the key.
func slotFor(b []byte) (slot, bool) {
	switch string(b) {
	case "id":
		return sID, true
	case "source":
		return sSource, true
	case "site":
		return sSite, true
	case "channel":
		return sChannel, true
	case "arrived_at":
		return sArrivedAt, true
	case "answered_at":
		return sAnsweredAt, true
	case "ended_at":
		return sEndedAt, true
	case "outcome":
		return sOutcome, true
	case "motive":
		return sMotive, true
	case "user_ref":
		return sUserRef, true
	case "team":
		return sTeam, true
	case "kind":
		return sKind, true
	case "received_at":
		return sReceivedAt, true
	case "completed_at":
		return sCompletedAt, true
	case "status":
		return sStatus, true
	case "updated_at":
		return sUpdatedAt, true
	case "survey":
		return sSurvey, true
	case "mode":
		return sMode, true
	case "contact_id":
		return sContactID, true
	case "scale":
		return sScale, true
	case "comment":
		return sComment, true
	case "asked_agent":
		return sAskedAgent, true
	case "acknowledged_at":
		return sAcknowledgedAt, true
	case "announced_days":
		return sAnnouncedDays, true
	case "paused_seconds":
		return sPausedSeconds, true
	case "case_id":
		return sCaseID, true
	case "origin_contact_id":
		return sOriginContactID, true
	case "segment":
		return sSegment, true
	}
	return 0, false
}

// interned are the slots whose values repeat from record to record (sites,
// channels, outcomes…): the NDJSON decoder shares one string per value
// instead of allocating one per record.
const interned = 1<<sSource | 1<<sSite | 1<<sChannel | 1<<sOutcome | 1<<sMotive | 1<<sTeam |
	1<<sKind | 1<<sStatus | 1<<sSurvey | 1<<sMode | 1<<sScale | 1<<sSegment

// fieldValues are one record's fields as sent: known names in their slot,
// other names (score_<dimension>, unknown fields) in the order met.
type fieldValues struct {
	v     [nSlots]string
	has   uint32 // bit s set when slot s was sent
	extra []namedValue
}

type namedValue struct{ name, value string }

// reset empties the values for the next record (slots are overwritten, not
// cleared: has says which are set).
func (f *fieldValues) reset() {
	f.has = 0
	f.extra = f.extra[:0]
}

func (f *fieldValues) setSlot(s slot, value string) {
	f.v[s] = value
	f.has |= 1 << s
}

// set sets a field by name; a name sent twice keeps its last value.
func (f *fieldValues) set(name, value string) {
	if s, ok := slotOf[name]; ok {
		f.setSlot(s, value)
		return
	}
	for i := range f.extra {
		if f.extra[i].name == name {
			f.extra[i].value = value
			return
		}
	}
	f.extra = append(f.extra, namedValue{name, value})
}

// get returns a known field ("" when not sent).
func (f *fieldValues) get(s slot) string {
	if f.has&(1<<s) == 0 {
		return ""
	}
	return f.v[s]
}

// lookup returns a field by name.
func (f *fieldValues) lookup(name string) (string, bool) {
	if s, ok := slotOf[name]; ok {
		return f.v[s], f.has&(1<<s) != 0
	}
	for _, e := range f.extra {
		if e.name == name {
			return e.value, true
		}
	}
	return "", false
}

// count is the number of fields sent.
func (f *fieldValues) count() int {
	n := len(f.extra)
	for h := f.has; h != 0; h &= h - 1 {
		n++
	}
	return n
}

// toMap returns the fields by name.
func (f *fieldValues) toMap() map[string]string {
	m := make(map[string]string, f.count())
	for s := slot(0); s < nSlots; s++ {
		if f.has&(1<<s) != 0 {
			m[slotNames[s]] = f.v[s]
		}
	}
	for _, e := range f.extra {
		m[e.name] = e.value
	}
	return m
}

func valuesFromMap(m map[string]string) *fieldValues {
	f := &fieldValues{}
	// Extras in name order, as the order of a map is not the order sent.
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		f.set(k, m[k])
	}
	return f
}

// unknown lists the fields sent that kind does not have, sorted by name.
func (f *fieldValues) unknown(kind Kind) []string {
	var out []string
	for h := f.has &^ allowedSlots[kind]; h != 0; h &= h - 1 {
		out = append(out, slotNames[trailingSlot(h)])
	}
	for _, e := range f.extra {
		if !(kind == KindSurveys && scoreField(e.name)) {
			out = append(out, e.name)
		}
	}
	sort.Strings(out)
	return out
}

// scoreField tells whether a survey field is a score (score_<dimension>)
// or a score's own scale (scale_<dimension>): fields named by the
// configured dimensions, checked by validation.
func scoreField(name string) bool {
	return strings.HasPrefix(name, "score_") || strings.HasPrefix(name, "scale_")
}

func trailingSlot(h uint32) slot {
	s := slot(0)
	for h&1 == 0 {
		h >>= 1
		s++
	}
	return s
}

// allowedSlots are the slots of each kind's fields.
var allowedSlots = func() map[Kind]uint32 {
	m := map[Kind]uint32{}
	for k, names := range fieldsOf {
		for _, n := range names {
			m[k] |= 1 << slotOf[n]
		}
	}
	return m
}()

// Get returns one field of the record as sent ("" when absent).
func (r RawRecord) Get(name string) string {
	if f := r.values(); f != nil {
		v, _ := f.lookup(name)
		return v
	}
	return ""
}

// getSlot returns a known field without looking its name up.
func (r RawRecord) getSlot(s slot) string {
	if r.vals != nil {
		return r.vals.get(s)
	}
	return r.Fields[slotNames[s]]
}

// Map returns the record's fields by name (a copy: decoders reuse their
// values from one record to the next).
func (r RawRecord) Map() map[string]string {
	if r.vals != nil {
		return r.vals.toMap()
	}
	if r.Fields == nil {
		return nil
	}
	m := make(map[string]string, len(r.Fields))
	for k, v := range r.Fields {
		m[k] = v
	}
	return m
}

// values are the record's fields: the decoder's, or Fields when the record
// was built by hand or renamed by a mapping.
func (r RawRecord) values() *fieldValues {
	if r.vals != nil {
		return r.vals
	}
	if r.Fields != nil {
		return valuesFromMap(r.Fields)
	}
	return nil
}
