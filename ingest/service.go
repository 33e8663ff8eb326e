package ingest

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"

	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"globaloffice/model"

	"globaloffice/store"
)

// Service is the collectors' front: it decodes a body or file, validates
// each record against the reference data, pseudonymises user references,
// and hands accepted records and rejects to the Writer.
type Service struct {
	db      *store.DB
	writer  *Writer
	pseudo  *Pseudonymizer
	lists   Lists
	limits  Limits
	metrics *Metrics
	now     func() time.Time

	mappings   MappingSet
	sitesCache string
	clockSkew  time.Duration

	mu       sync.Mutex
	ref      *Reference
	loadedAt time.Time
	failedAt time.Time // last failed reload: not retried for refRetryMiss
}

// Lists are the configured vocabularies: an unknown value is a reject.
type Lists struct {
	Channels, CaseKinds, Dimensions []string
	// Scales fix some dimensions' scale (Reference.Scales).
	Scales map[string]model.Scale
}

// NewService wires a Service.
func NewService(db *store.DB, w *Writer, pseudo *Pseudonymizer, lists Lists, limits Limits, m *Metrics) *Service {
	return &Service{db: db, writer: w, pseudo: pseudo, lists: lists, limits: limits, metrics: m, now: time.Now}
}

// SetSitesCache names a file where the sites are saved on every load, read
// back when the collector starts while ClickHouse is away.
func (s *Service) SetSitesCache(path string) { s.sitesCache = path }

func (s *Service) readSitesCache() ([]model.Site, error) {
	if s.sitesCache == "" {
		return nil, errors.New("none configured")
	}
	b, err := os.ReadFile(s.sitesCache)
	if err != nil {
		return nil, err
	}
	var sites []model.Site
	if err := json.Unmarshal(b, &sites); err != nil {
		return nil, fmt.Errorf("%s: %w", s.sitesCache, err)
	}
	if len(sites) == 0 {
		return nil, fmt.Errorf("%s: no sites", s.sitesCache)
	}
	return sites, nil
}

// writeSitesCache saves the sites atomically (temporary file, rename); a
// failure only costs the cache.
func (s *Service) writeSitesCache(sites []model.Site) {
	if s.sitesCache == "" || len(sites) == 0 {
		return
	}
	b, err := json.Marshal(sites)
	if err != nil {
		return
	}
	// A temporary name of its own: several processes may share the cache.
	f, err := os.CreateTemp(filepath.Dir(s.sitesCache), ".sites-*.tmp")
	if err != nil {
		return
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil && cerr == nil {
		err = os.Rename(f.Name(), s.sitesCache)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
}

// SetMaxClockSkew bounds how far ahead of the server's clock a case's
// updated_at may be (ingest.max_clock_skew; default DefaultMaxClockSkew).
func (s *Service) SetMaxClockSkew(d time.Duration) { s.clockSkew = d }

// SetMappings makes mappings available to the HTTP endpoints (?mapping=).
func (s *Service) SetMappings(m MappingSet) { s.mappings = m }

// refAge is how long the sites are cached; a record naming an unknown site
// makes a reload sooner, so a freshly imported site is known within seconds.
const (
	refAge       = 5 * time.Minute
	refRetryMiss = 5 * time.Second
)

func (s *Service) reference(ctx context.Context, missed bool) (*Reference, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	age := time.Since(s.loadedAt)
	if s.ref != nil && age < refAge && !(missed && age > refRetryMiss) {
		return s.ref, nil
	}
	if s.ref != nil && time.Since(s.failedAt) < refRetryMiss {
		return s.ref, nil // ClickHouse away: each try may wait for the dial timeout
	}
	sites, err := s.db.Sites(ctx)
	if err != nil {
		if s.ref != nil {
			s.failedAt = time.Now()
			return s.ref, nil // ClickHouse away: keep validating with what we know
		}
		// Started while ClickHouse is away: the sites saved by an earlier
		// run let the collector validate and spool.
		cached, cerr := s.readSitesCache()
		if cerr != nil {
			return nil, fmt.Errorf("loading sites: %w (and no usable sites cache: %v)", err, cerr)
		}
		sites = cached
		s.failedAt = time.Now()
	} else {
		s.writeSitesCache(sites)
	}
	ref, err := NewReference(sites, s.lists.Channels, s.lists.CaseKinds, s.lists.Dimensions)
	if err != nil {
		return nil, err
	}
	ref.Scales = s.lists.Scales
	s.ref, s.loadedAt = ref, time.Now()
	return ref, nil
}

// Options of one ingest call.
type Options struct {
	Source   string   // default source for records without one
	Origin   string   // file name or request id, kept with rejects
	Chunk    int      // records per submission, with no limit on records; 0: the whole body at once, at most Limits.MaxRecords
	Mapping  *Mapping // adapts a foreign export; nil for our own format
	Progress func(records int)
	// Permit, when set, names the field ("source" or "site") for which a
	// valid record is not allowed, or "" to let it through: a record it
	// refuses is a reject, reason "not allowed for this token".
	Permit func(source, site string) string
}

// ReasonNotAllowed is the reason of a record refused by Options.Permit.
const ReasonNotAllowed = "not allowed for this token"

// RejectInfo says why one record was refused.
type RejectInfo struct {
	Line   int    `json:"line,omitempty"`
	Index  int    `json:"index"`
	ID     string `json:"id,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// maxListedRejects bounds the rejects listed in one answer; all are stored.
const maxListedRejects = 1000

// Result counts what happened to the records of one body or file.
type Result struct {
	Kind       Kind         `json:"kind"`
	Origin     string       `json:"origin,omitempty"`
	Received   int          `json:"received"`
	Accepted   int          `json:"accepted"`
	Duplicates int          `json:"duplicates"`
	Rejected   int          `json:"rejected"`
	Spooled    int          `json:"spooled"`
	Rejects    []RejectInfo `json:"rejects"`
	// RejectsStored counts the rejects stored (or spooled): all of them
	// in a 200, told in a 503's problem when a body failed half-way.
	RejectsStored  int `json:"-"`
	RejectsOmitted int `json:"rejects_omitted,omitempty"`
	// Incomplete counts the records a mapping skips as incomplete
	// (skip_when_empty): received = accepted + duplicates + rejected +
	// incomplete.
	Incomplete int `json:"incomplete,omitempty"`
	// IgnoredColumns are the source columns a mapping dropped as unmapped
	// (ignore_unmapped), once for the body.
	IgnoredColumns []string `json:"ignored_columns,omitempty"`
}

// Ingest reads records of kind in format from r and stores them. A
// *BodyError means the body as a whole was refused; with Chunk 0 nothing of
// it was stored then.
func (s *Service) Ingest(ctx context.Context, kind Kind, format Format, r io.Reader, opt Options) (Result, error) {
	res := Result{Kind: kind, Origin: opt.Origin, Rejects: []RejectInfo{}}
	defer s.writer.Producing()()
	ref, err := s.reference(ctx, false)
	if err != nil {
		return res, err
	}
	var pending []Record
	// Reject metrics are counted once the rejects are stored: a body
	// refused whole stores none.
	var rejectMetrics [][2]string
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		o := s.writer.Submit(ctx, pending)
		if o.Err == nil {
			for _, m := range rejectMetrics {
				s.metrics.reject(kind, m[0], m[1])
			}
			rejectMetrics = rejectMetrics[:0]
		}
		res.Accepted += o.Accepted
		res.Duplicates += o.Duplicates
		res.Spooled += o.Spooled
		res.RejectsStored += o.Rejects
		pending = pending[:0]
		if opt.Progress != nil {
			opt.Progress(res.Received)
		}
		return o.Err
	}
	rejectedAt := s.now().UTC().Truncate(time.Second)
	// sent is the record as decoded, before a mapping renamed its fields:
	// its raw text is what is kept with a reject.
	reject := func(raw, sent RawRecord, source string, errs []FieldError) {
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
		rejectMetrics = append(rejectMetrics, [2]string{source, field})
		pending = append(pending, Record{Reject: &store.Reject{
			RejectedAt: rejectedAt, Kind: string(kind), Source: source, Origin: opt.Origin,
			Line: uint32(line), Field: field, Reason: strings.Join(reasons, "; "), Raw: sent.RawText(),
		}})
	}
	v := &Validator{Ref: ref, Pseudo: s.pseudo, Now: s.now, MaxClockSkew: s.clockSkew}
	lim := s.limits
	if opt.Chunk > 0 {
		// A file streamed in chunks is never held whole: the body limits
		// are for HTTP, where a body is one answer.
		lim.MaxRecords = math.MaxInt
	}
	if m := opt.Mapping; m != nil {
		if m.Kind != kind {
			return res, fmt.Errorf("mapping %s is for %s, not %s", m.Name, m.Kind, kind)
		}
		if m.Decoder != "" {
			format = Format(m.Decoder)
		}
		if m.Delimiter != "" {
			lim.Comma = []rune(m.Delimiter)[0]
		}
	}
	var contacts []model.Contact
	var ignored map[string]bool
	if opt.Mapping != nil && opt.Mapping.IgnoreUnmapped {
		ignored = map[string]bool{}
	}
	decodeErr := Decode(r, format, lim, func(raw RawRecord) error {
		res.Received++
		sent := raw
		if opt.Mapping != nil && raw.Err == nil {
			in := raw.Map()
			if be := opt.Mapping.collision(in, raw.Line); be != nil {
				return be
			}
			if opt.Mapping.Incomplete(in) {
				res.Incomplete++
				return nil
			}
			fields, ferr := opt.Mapping.Apply(in, opt.Source, ignored)
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
			reject(raw, sent, source, []FieldError{*raw.Err})
		} else {
			if site := strings.TrimSpace(raw.getSlot(sSite)); site != "" && v.Ref.Sites[site] == nil {
				if fresh, err := s.reference(ctx, true); err == nil {
					v.Ref = fresh
				}
			}
			var rec Record
			var errs []FieldError
			switch kind {
			case KindContacts:
				c, e := v.Contact(raw, opt.Source)
				if len(e) == 0 {
					// From slabs: one allocation per 512 contacts, the
					// first ones smaller so that a small body does not
					// allocate (and clear) room for 512.
					if len(contacts) == cap(contacts) {
						contacts = make([]model.Contact, 0, min(512, max(16, 2*cap(contacts))))
					}
					contacts = append(contacts, c)
					rec = Record{Contact: &contacts[len(contacts)-1]}
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
				reject(raw, sent, source, errs)
			} else {
				pending = append(pending, rec)
			}
		}
		if opt.Chunk > 0 && len(pending) >= opt.Chunk {
			return flush()
		}
		return nil
	})
	for col := range ignored {
		res.IgnoredColumns = append(res.IgnoredColumns, col)
	}
	sort.Strings(res.IgnoredColumns)
	if decodeErr != nil && opt.Chunk == 0 {
		return res, decodeErr // the body is refused whole: nothing stored
	}
	if err := flush(); err != nil {
		return res, err
	}
	return res, decodeErr
}
