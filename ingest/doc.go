// Package ingest holds the collectors: what takes the records other systems
// send (contacts, cases, survey responses, and the sites reference file),
// checks them and stores them in ClickHouse, once each, without losing one
// that was acknowledged.
//
// A record's way in:
//
//   - Decoding (decode.go, decodecsv.go, fastjson.go, fields.go): CSV,
//     NDJSON and JSON bodies, streamed, each record's fields put in fixed
//     slots; whole-body faults (binary data, truncated JSON, too long a
//     line, too many records) are a *BodyError and store nothing. The
//     Asterisk queue_log decoder (asterisk.go) folds a call's events into
//     one contact.
//   - Calls split across exports (pending.go): a queue_log call whose
//     ENTERQUEUE or end is in another file is kept, part by part, in
//     ClickHouse's pending_calls and joined with its other part when a
//     later body brings it; ClosePending closes the calls that waited
//     longer than the timeout as not answered, with a reason.
//   - Mappings (mapping.go, mappings/): YAML files that adapt a foreign
//     export (renamed columns, constants, value codes, time layout).
//   - Validation (validate.go, validatesurvey.go, times.go, pseudonym.go): required fields,
//     configured vocabularies, each survey score on its own scale
//     (scale_<dimension>, or the dimension's configured one, else the
//     response's), the rules between times, times without offset read in
//     the site's zone, a case's optional acknowledgement (not before
//     receipt), announced delay and paused time (whole numbers; the pause
//     within the case's elapsed time), the optional segment of contacts
//     and cases (from the configured list), user references replaced by a
//     keyed HMAC; a refused record becomes a reject, stored with its raw
//     text.
//     ReadSites (sites.go) checks a sites reference file.
//   - Service (service.go, run.go) runs a body or file through these and
//     hands records and rejects to the Writer; Handler (http.go) serves it over
//     HTTP, with RFC 9457 problem details for whole-body refusals.
//
// The Writer (writer.go) stores records:
//
//   - Identity and dedupe (record.go, dedupe.go, keyset.go): the key is
//     (source, id), and a case version is new only when newer than every
//     stored one. The loop (loop.go) groups concurrent submissions into
//     units (unit.go) and dedupes them in order, against each other and
//     against the units in flight; the keys that may be stored are looked
//     up in ClickHouse by the lane that inserts the unit.
//   - The key filter (keyfilter.go, blockbloom.go): a split-block Bloom
//     filter per table, loaded from ClickHouse at start, that says which
//     keys are certainly not stored, so that only the others are looked up.
//   - Inserts: an idle writer inserts a unit in a lane and answers once it
//     is stored (insert.go); a busy one answers once the unit is in the
//     spool, and the flusher (flusher.go, spooled.go) encodes the spooled
//     units into one large insert. No insert spans more than MaxPartitions
//     months.
//   - The spool (spool.go, spoolenc.go): segments of JSON lines written
//     atomically and fsynced, in a folder of each process's own, locked for
//     its life, so that processes sharing a home never touch each other's
//     segments; the segments of a process that is gone are adopted. When
//     ClickHouse fails, accepted records go there (up to a size cap), and
//     the drain (drain.go) stores them again, through the same dedupe, once
//     ClickHouse answers, going past a segment it refuses and retrying it
//     with backoff. Segments that cannot be decoded, or that ClickHouse keeps
//     refusing as bad data, are quarantined (quarantine.go: counted, listed,
//     put back by an operator).
//   - The pseudonymisation key (pseudonym.go): at least MinKeyBytes, read
//     from its file or created once, never replaced.
//   - What the writer needs of ClickHouse is the small interface of db.go:
//     *store.DB in production, an in-memory store in the writer's tests.
//
// Metrics (metrics.go) are the collectors' Prometheus series, with bounded
// labels.
package ingest
