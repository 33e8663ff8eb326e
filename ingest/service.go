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

	mappings       MappingSet
	sitesCache     string
	clockSkew      time.Duration
	pendingTimeout time.Duration

	mu       sync.Mutex
	ref      *Reference
	loadedAt time.Time
	failedAt time.Time // last failed reload: not retried for refRetryMiss
}

// Lists are the configured vocabularies: an unknown value is a reject.
type Lists struct {
	Channels, CaseKinds, Dimensions []string
	Segments                        []string // user segments (issue 16)
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
	ref, err := NewReference(sites, s.lists)
	if err != nil {
		return nil, err
	}
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
	// BodyBytes is the body's length when known (HTTP's Content-Length),
	// to size the first buffers of its records; 0: unknown.
	BodyBytes int64
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
	// Pending counts the calls of a queue_log split across exports that
	// wait for their other part (pending.go): received = accepted +
	// duplicates + rejected + incomplete + pending.
	Pending int `json:"pending"`
	// Closed are the pending calls of the body's source that waited
	// longer than the timeout and were closed by this request, as not
	// answered: not records of this body, so outside received.
	Closed []ClosedCall `json:"closed,omitempty"`
}

// Ingest reads records of kind in format from r and stores them. A
// *BodyError means the body as a whole was refused; with Chunk 0 nothing of
// it was stored then.
func (s *Service) Ingest(ctx context.Context, kind Kind, format Format, r io.Reader, opt Options) (Result, error) {
	res := Result{Kind: kind, Origin: opt.Origin, Rejects: []RejectInfo{}}
	if opt.Mapping != nil && opt.Mapping.Decoder == string(formatAsterisk) || opt.Mapping == nil && format == formatAsterisk {
		// The calls of this source that waited too long are closed first,
		// so that the answer tells it (see ClosePending); before this
		// body counts as being read, so that an idle writer inserts them
		// at once.
		closed, err := s.ClosePending(ctx, pendingSource(opt))
		if err != nil {
			// Retried by the next body and the server's sweep: this body
			// does not depend on it.
			s.writer.log.Warn("close pending calls", "source", pendingSource(opt), "err", err)
		}
		res.Closed = closed
	}
	defer s.writer.Producing()()
	ref, err := s.reference(ctx, false)
	if err != nil {
		return res, err
	}
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
	run := s.newRun(ctx, kind, opt, &res, ref)
	var partials []RawRecord
	decodeErr := Decode(r, format, lim, func(raw RawRecord) error {
		res.Received++
		if raw.partial != nil {
			partials = append(partials, raw)
			return nil
		}
		return run.handle(raw)
	})
	for col := range run.ignored {
		res.IgnoredColumns = append(res.IgnoredColumns, col)
	}
	sort.Strings(res.IgnoredColumns)
	if decodeErr != nil && opt.Chunk == 0 {
		return res, decodeErr // the body is refused whole: nothing stored
	}
	var settled []store.PendingPart
	if len(partials) > 0 && decodeErr == nil {
		// Before the flush: parts that cannot be kept fail the body as
		// ClickHouse being away does (nothing of it acknowledged).
		if settled, err = s.joinPending(ctx, run, partials); err != nil {
			return res, err
		}
	}
	if err := run.flush(); err != nil {
		return res, err
	}
	if err := s.db.InsertPendingParts(ctx, settled); err != nil {
		// The contacts are stored: the parts, still open, are resolved
		// again by the next body or the closing (a duplicate then).
		s.writer.log.Warn("mark pending calls resolved", "origin", opt.Origin, "err", err)
	}
	return res, decodeErr
}
