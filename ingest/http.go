package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"globaloffice/auth"
	"globaloffice/model"
	"globaloffice/problem"
	"globaloffice/store"
)

// HTTPOptions bound what one request may send.
type HTTPOptions struct {
	MaxBodyBytes int64         // default 64 MiB
	BodyTimeout  time.Duration // to read the whole body (default 2 min): a slow or endless body is cut
}

// Routes are the collector endpoints, one route per kind so that a router
// registers, and measures, each under its own path:
//
//	POST /api/v1/ingest/{contacts|cases|surveys}[?source=NAME&mapping=NAME]
//	GET  /api/v1/ingest/rejects[?kind=&source=&since=RFC3339&limit=N] (raw text: admins only)
func Routes(s *Service, opts HTTPOptions) []problem.Route {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 20
	}
	if opts.BodyTimeout <= 0 {
		opts.BodyTimeout = 2 * time.Minute
	}
	var routes []problem.Route
	for _, k := range Kinds {
		routes = append(routes, problem.Route{Method: http.MethodPost, Path: "/api/v1/ingest/" + string(k),
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.post(w, r, k, opts) })})
	}
	return append(routes, problem.Route{Method: http.MethodGet, Path: "/api/v1/ingest/rejects", Handler: http.HandlerFunc(s.listRejects)})
}

// Handler serves the Routes on net/http's mux, without the rest of the
// server; any other request under /api/v1/ingest/ answers 404 naming them.
func Handler(s *Service, opts HTTPOptions) http.Handler {
	routes := Routes(s, opts)
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+rt.Path, rt.Handler)
	}
	mux.HandleFunc("/api/v1/ingest/", func(w http.ResponseWriter, _ *http.Request) {
		problem.NotFound(w, "no such collector", routes)
	})
	return mux
}

// readsRaw tells whether the caller may read rejects' raw text: admins,
// and callers without a principal (the command line, tests).
func readsRaw(r *http.Request) bool {
	p, ok := auth.FromContext(r.Context())
	return !ok || p.ReadsRawRejects()
}

// caller is what the collectors need to know of who makes a request, from
// the principal the API's authentication put in its context: its id, which
// starts the origin of its rejects; what it may not send; and whether it
// reads only its own rejects (collector tokens). Without a principal (the
// command line, tests), anything goes.
func caller(r *http.Request) (id string, permit func(source, site string) string, ownRejects bool) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		return "", nil, false
	}
	if p.Role == model.RoleCollector {
		return p.TokenID, p.Refuses, true
	}
	return p.TokenID, nil, false
}

func (s *Service) post(w http.ResponseWriter, r *http.Request, kind Kind, opts HTTPOptions) {
	var mapping *Mapping
	if name := r.URL.Query().Get("mapping"); name != "" {
		var err error
		mapping, err = s.mappings.Get(name)
		if err != nil {
			problem.Write(w, http.StatusBadRequest, "unknown mapping", err.Error())
			return
		}
		if mapping.Kind != kind {
			problem.Write(w, http.StatusBadRequest, "wrong mapping", fmt.Sprintf("mapping %s is for %s, not %s", mapping.Name, mapping.Kind, kind))
			return
		}
	}
	ct := r.Header.Get("Content-Type")
	format, ok := FormatFromContentType(ct)
	if !ok && mapping != nil && mapping.Decoder != "" && strings.HasPrefix(strings.ToLower(ct), "text/plain") {
		format, ok = Format(mapping.Decoder), true
	}
	if !ok {
		problem.Write(w, http.StatusUnsupportedMediaType, "unsupported content type",
			fmt.Sprintf("Content-Type %q: send application/json, application/x-ndjson or text/csv", ct))
		return
	}
	if r.ContentLength > opts.MaxBodyBytes {
		problem.Write(w, http.StatusRequestEntityTooLarge, "body too large", fmt.Sprintf("the body is %d bytes; the limit is %d: split it", r.ContentLength, opts.MaxBodyBytes))
		return
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(opts.BodyTimeout))
	body := http.MaxBytesReader(w, r.Body, opts.MaxBodyBytes)
	id, permit, _ := caller(r)
	origin := "http:" + r.RemoteAddr + ":" + time.Now().UTC().Format("20060102T150405.000000000")
	if id != "" {
		origin = id + " " + origin
	}
	res, err := s.Ingest(r.Context(), kind, format, body, Options{Source: r.URL.Query().Get("source"), Origin: origin, Mapping: mapping, Permit: permit, BodyBytes: r.ContentLength})
	if err != nil {
		var mbe *http.MaxBytesError
		var be *BodyError
		switch {
		case errors.As(err, &mbe):
			problem.Write(w, http.StatusRequestEntityTooLarge, "body too large", fmt.Sprintf("the limit is %d bytes: split the body; nothing was stored", opts.MaxBodyBytes))
		case errors.Is(err, os.ErrDeadlineExceeded):
			problem.Write(w, http.StatusRequestTimeout, "body too slow", fmt.Sprintf("the body was not received within %s; nothing was stored", opts.BodyTimeout))
		case errors.As(err, &be):
			ext := map[string]any{}
			if be.Line > 0 {
				ext["line"] = be.Line
			}
			title := "body refused"
			if be.Status == http.StatusRequestEntityTooLarge {
				title = "body too large"
			}
			problem.WriteWith(w, be.Status, title, be.Error()+"; nothing was stored", ext)
		default:
			// A body larger than one insert is stored in several: the
			// answer says exactly what of it was kept before the failure.
			// The cause is logged, not sent: internal error text (paths,
			// addresses) never reaches a client.
			s.writer.log.Error("store records", "origin", origin, "err", err)
			cause := "neither ClickHouse nor the local spool could take the records"
			switch {
			case errors.Is(err, ErrSpoolFull):
				cause = "ClickHouse is away and the local spool is full"
			case errors.Is(err, ErrPendingAway):
				cause = "ClickHouse is away, and this body holds calls split across exports, which are kept there only"
			}
			detail := cause + "; nothing of this body was stored"
			if kept := res.Accepted + res.Duplicates + res.RejectsStored; kept > 0 {
				detail = fmt.Sprintf("%s; of this body, %d records were stored or spooled (accepted), %d were duplicates and %d rejects were stored before the failure, the rest not: send the body again (what was stored counts as duplicates)",
					cause, res.Accepted, res.Duplicates, res.RejectsStored)
			}
			w.Header().Set("Retry-After", "10")
			problem.WriteWith(w, http.StatusServiceUnavailable, "cannot store records", detail, map[string]any{
				"received": res.Received, "accepted": res.Accepted, "duplicates": res.Duplicates,
				"spooled": res.Spooled, "rejects_stored": res.RejectsStored,
			})
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

func (s *Service) listRejects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.RejectFilter{Kind: q.Get("kind"), Source: q.Get("source")}
	if id, _, own := caller(r); own {
		f.OriginPrefix = id + " "
	}
	if f.Kind != "" {
		if _, err := ParseKind(f.Kind); err != nil {
			problem.Write(w, http.StatusBadRequest, "bad kind", err.Error())
			return
		}
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			problem.Write(w, http.StatusBadRequest, "bad since", fmt.Sprintf("since=%q: want RFC 3339, e.g. 2026-05-01T00:00:00Z", v))
			return
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			problem.Write(w, http.StatusBadRequest, "bad limit", fmt.Sprintf("limit=%q: want 1 to 10000", v))
			return
		}
		f.Limit = n
	}
	rejects, err := s.db.ListRejects(r.Context(), f)
	if err != nil {
		s.writer.log.Error("list rejects", "err", err)
		problem.Write(w, http.StatusServiceUnavailable, "cannot read rejects", "the rejects cannot be read right now; try again")
		return
	}
	type item struct {
		RejectedAt time.Time `json:"rejected_at"`
		Kind       string    `json:"kind"`
		Source     string    `json:"source"`
		Origin     string    `json:"origin"`
		Line       uint32    `json:"line"`
		Field      string    `json:"field"`
		Reason     string    `json:"reason"`
		Raw        string    `json:"raw,omitempty"`
	}
	raw := readsRaw(r)
	out := make([]item, 0, len(rejects))
	for _, rj := range rejects {
		if !raw {
			rj.Raw = "" // it may hold raw identifiers: admins only
		}
		out = append(out, item{rj.RejectedAt, rj.Kind, rj.Source, rj.Origin, rj.Line, rj.Field, rj.Reason, rj.Raw})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"rejects": out})
}
