package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// Format is the encoding of a body or file.
type Format string

// The formats the collectors take.
const (
	FormatJSON   Format = "json"   // one object or an array of objects
	FormatNDJSON Format = "ndjson" // one object per line
	FormatCSV    Format = "csv"    // header row, one record per row

	formatAsterisk Format = "asterisk_queue_log" // a mapping's decoder
)

// FormatFromContentType maps a Content-Type header to a format.
func FormatFromContentType(ct string) (Format, bool) {
	mt, _, _ := strings.Cut(ct, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "application/json":
		return FormatJSON, true
	case "application/x-ndjson", "application/ndjson", "application/jsonlines", "application/x-jsonlines":
		return FormatNDJSON, true
	case "text/csv":
		return FormatCSV, true
	}
	return "", false
}

// RawRecord is one record as sent, before validation: its fields as
// strings, where it was, and its raw text (kept with rejects). Decoders
// reuse their field values from one record to the next: a callback that
// keeps the fields must copy them (Map).
type RawRecord struct {
	Line  int // 1-based line of the record's start (CSV, NDJSON); 0 for JSON
	Index int // 0-based position among the records of the body
	// Fields are the fields of a record built by hand (or renamed by a
	// mapping); decoders leave it nil and fill vals: read fields with Get
	// or Map.
	Fields map[string]string
	vals   *fieldValues
	Raw    string
	// cols is the CSV header, for building Raw only when a record is
	// refused (it is not needed otherwise, and costs on the hot path).
	cols []string
	// rawBytes is an NDJSON line, valid only during the callback: copied
	// into a string only for a refused record.
	rawBytes []byte
	// Err is set when the record could not even be read (bad JSON line,
	// wrong field count); Fields is then empty.
	Err *FieldError
	// partial is a queue_log call split across exports, neither accepted
	// nor refused yet (no Fields, no Err): see pending.go.
	partial *partialCall
	// pseudonymised: user_ref is already a pseudonym (a pending call's
	// caller id, stored so), not to be pseudonymised again.
	pseudonymised bool
}

// Limits bound what one body may hold.
type Limits struct {
	MaxLineBytes int  // longest CSV or NDJSON line
	MaxRecords   int  // records per body
	Comma        rune // CSV separator; 0 means ','
}

// DefaultLimits are the limits of the collector endpoints.
var DefaultLimits = Limits{MaxLineBytes: 1 << 20, MaxRecords: 100_000}

// BodyError refuses a whole body: nothing of it is stored.
type BodyError struct {
	Status int // HTTP status: 400 or 413
	Line   int // where, when known
	Msg    string
}

func (e *BodyError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func badBody(line int, format string, args ...any) *BodyError {
	return &BodyError{Status: 400, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Decode reads records of the given format from r and calls fn for each.
// Errors that make the body unreadable as a whole (bad header, truncated
// JSON array, binary data, too long a line, too many records) end decoding
// with a *BodyError; a record that is bad on its own is passed to fn with Err
// set, so that the records around it can still be stored.
func Decode(r io.Reader, format Format, lim Limits, fn func(RawRecord) error) error {
	if lim.MaxLineBytes <= 0 {
		lim.MaxLineBytes = DefaultLimits.MaxLineBytes
	}
	if lim.MaxRecords <= 0 {
		lim.MaxRecords = DefaultLimits.MaxRecords
	}
	br := readers.Get().(*bufio.Reader)
	br.Reset(r)
	// Nothing decoded keeps a slice of the buffer (values are copied), so
	// it goes back once the body is read.
	defer func() { br.Reset(nil); readers.Put(br) }()
	first, err := br.Peek(1)
	if errors.Is(err, io.EOF) || len(first) == 0 {
		return badBody(0, "empty body: no records")
	}
	if err != nil {
		return readError(err)
	}
	switch format {
	case FormatJSON:
		return decodeJSON(br, lim, fn)
	case FormatNDJSON:
		return decodeNDJSON(br, lim, fn)
	case FormatCSV:
		return decodeCSV(br, lim, fn)
	case formatAsterisk:
		return decodeAsteriskQueueLog(br, lim, fn)
	}
	return badBody(0, "unknown format %q (want json, ndjson or csv)", format)
}

// readers are the decoders' read buffers, reused from one body to the
// next: a collector sending many small bodies would otherwise allocate and
// clear 64 KiB for each.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// readError passes a *BodyError (from a limited reader) through.
func readError(err error) error {
	var be *BodyError
	if errors.As(err, &be) {
		return be
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// The client stopped before the end it announced: its fault, not ours.
		return badBody(0, "truncated body: it ended before its announced length (%v)", err)
	}
	return fmt.Errorf("reading body: %w", err)
}

func checkText(b []byte, line int) *BodyError {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return badBody(line, "binary data (NUL byte at offset %d): the body must be UTF-8 text", i)
	}
	return nil
}

// readLine reads one line without its end, refusing lines over max.
// The line is only valid until the next read (it may be the reader's own
// buffer).
func readLine(br *bufio.Reader, max int, line int) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if buf == nil && !errors.Is(err, bufio.ErrBufferFull) {
			// The whole line is in the reader's buffer: no copy.
			if len(chunk) > max+2 {
				return nil, &BodyError{Status: 400, Line: line, Msg: fmt.Sprintf("line longer than %d bytes", max)}
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, readError(err)
			}
			if len(chunk) == 0 && errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return bytes.TrimRight(chunk, "\r\n"), nil
		}
		buf = append(buf, chunk...)
		if len(buf) > max+2 {
			return nil, &BodyError{Status: 400, Line: line, Msg: fmt.Sprintf("line longer than %d bytes", max)}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, readError(err)
		}
		if len(buf) == 0 && errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return bytes.TrimRight(buf, "\r\n"), nil
	}
}

func decodeNDJSON(br *bufio.Reader, lim Limits, fn func(RawRecord) error) error {
	n := 0
	reuse := &fieldValues{}
	intern := getInterner()
	defer putInterner(intern)
	for line := 1; ; line++ {
		b, err := readLine(br, lim.MaxLineBytes, line)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if be := checkText(b, line); be != nil {
			return be
		}
		if n >= lim.MaxRecords {
			return &BodyError{Status: 413, Line: line, Msg: fmt.Sprintf("more than %d records in one body: split it", lim.MaxRecords)}
		}
		rec := RawRecord{Line: line, Index: n, rawBytes: b}
		if !utf8.Valid(b) {
			rec.Err = &FieldError{Line: line, Reason: "not valid UTF-8"}
		} else if ferr := parseFlatObjectInto(b, reuse, intern); ferr != nil {
			ferr.Line = line
			rec.Err = ferr
		} else {
			rec.vals = reuse
		}
		n++
		if err := fn(rec); err != nil {
			return err
		}
	}
	if n == 0 {
		return badBody(0, "empty body: no records")
	}
	return nil
}

func decodeJSON(br *bufio.Reader, lim Limits, fn func(RawRecord) error) error {
	first, err := firstNonSpace(br)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	reuse := &fieldValues{}
	intern := getInterner()
	defer putInterner(intern)
	emit := func(i int, raw json.RawMessage) error {
		if len(raw) > lim.MaxLineBytes {
			// As an NDJSON line: one record is never that large.
			return badBody(0, "record %d is longer than %d bytes", i+1, lim.MaxLineBytes)
		}
		rec := RawRecord{Index: i, Raw: string(raw)}
		if !utf8.Valid(raw) {
			rec.Err = &FieldError{Reason: "not valid UTF-8"}
		} else if ferr := parseFlatObjectInto(raw, reuse, intern); ferr != nil {
			rec.Err = ferr
		} else {
			rec.vals = reuse
		}
		return fn(rec)
	}
	switch first {
	case '{':
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return jsonBodyError(err, dec)
		}
		if err := trailing(dec); err != nil {
			return err
		}
		return emit(0, raw)
	case '[':
		if _, err := dec.Token(); err != nil {
			return jsonBodyError(err, dec)
		}
		i := 0
		for dec.More() {
			if i >= lim.MaxRecords {
				return &BodyError{Status: 413, Msg: fmt.Sprintf("more than %d records in one body: split it", lim.MaxRecords)}
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return jsonBodyError(err, dec)
			}
			if err := emit(i, raw); err != nil {
				return err
			}
			i++
		}
		if _, err := dec.Token(); err != nil {
			return jsonBodyError(err, dec)
		}
		if err := trailing(dec); err != nil {
			return err
		}
		if i == 0 {
			return badBody(0, "empty array: no records")
		}
		return nil
	}
	if first == 0 {
		return badBody(0, "binary data: the body must be UTF-8 text")
	}
	return badBody(0, "JSON body must be an object or an array of objects, not %q…", string(first))
}

// firstNonSpace peeks at the first byte that is not white space.
func firstNonSpace(br *bufio.Reader) (byte, error) {
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if len(b) < i {
			if err == nil || errors.Is(err, io.EOF) {
				return 0, badBody(0, "empty body: no records")
			}
			return 0, readError(err)
		}
		switch c := b[i-1]; c {
		case ' ', '\t', '\r', '\n':
			if i > 4096 {
				return 0, badBody(0, "empty body: only white space")
			}
		case 0xEF: // UTF-8 BOM
			if i == 1 {
				if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
					_, _ = br.Discard(3)
					i = 0
					continue
				}
			}
			return c, nil
		default:
			return c, nil
		}
	}
}

func trailing(dec *json.Decoder) error {
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badBody(0, "unexpected data after the JSON value (at byte %d); send NDJSON for one object per line", dec.InputOffset())
	}
	return nil
}

func jsonBodyError(err error, dec *json.Decoder) error {
	var be *BodyError
	if errors.As(err, &be) {
		return be
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return badBody(0, "truncated JSON: the body ends at byte %d inside a value", dec.InputOffset())
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badBody(0, "malformed JSON at byte %d: %v", se.Offset, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return badBody(0, "malformed JSON at byte %d: %v", dec.InputOffset(), err)
	}
	return readError(err) // the body could not be read (too large, too slow)
}

// RawText is the record as sent: the line or JSON text, or for CSV the row
// re-encoded in its header's column order.
func (r RawRecord) RawText() string {
	if r.Raw != "" {
		return r.Raw
	}
	if r.rawBytes != nil {
		return string(r.rawBytes)
	}
	if r.cols == nil {
		return r.Raw
	}
	vals := make([]string, len(r.cols))
	for i, c := range r.cols {
		vals[i] = r.Get(c)
	}
	return csvLine(vals)
}
