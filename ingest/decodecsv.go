package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

func decodeCSV(br *bufio.Reader, lim Limits, fn func(RawRecord) error) error {
	// Lines are checked for length and binary data before the CSV reader
	// sees them, so that neither can make it buffer without bound.
	lr := &lineLimiter{br: br, max: lim.MaxLineBytes}
	cr := csv.NewReader(lr)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if lim.Comma != 0 {
		cr.Comma = lim.Comma
	}
	header, err := cr.Read()
	if err != nil {
		if be := lr.err; be != nil {
			return be
		}
		if errors.Is(err, io.EOF) {
			return badBody(1, "empty body: no header")
		}
		return badBody(1, "malformed CSV header: %v", err)
	}
	if len(header) == 1 && cr.Comma != ';' && strings.Count(header[0], ";") > 0 {
		// Every row would be refused one by one, answered 200.
		return badBody(1, "the header is one column holding ';': a semicolon-separated file needs a mapping whose delimiter is ';' (?mapping=NAME on HTTP, --mapping on the command line; see globaloffice mappings)")
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" {
			return badBody(1, "column %d of the header has no name", i+1)
		}
		if seen[h] {
			return badBody(1, "column %q appears twice in the header", h)
		}
		seen[h] = true
		cols[i] = h
	}
	// Each column's slot, found once per body.
	slots := make([]int, len(cols))
	for i, c := range cols {
		slots[i] = -1
		if s, ok := slotOf[c]; ok {
			slots[i] = int(s)
		}
	}
	n := 0
	reuse := &fieldValues{}
	intern := getInterner()
	defer putInterner(intern)
	for {
		rec, err := cr.Read()
		if be := lr.err; be != nil {
			return be
		}
		if errors.Is(err, io.EOF) {
			break
		}
		line := lr.line // a parse error leaves FieldPos undefined
		if err == nil {
			line, _ = cr.FieldPos(0)
		}
		if n >= lim.MaxRecords {
			return &BodyError{Status: 413, Line: line, Msg: fmt.Sprintf("more than %d records in one body: split it", lim.MaxRecords)}
		}
		raw := RawRecord{Line: line, Index: n}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			raw.Line = pe.StartLine
			raw.Err = &FieldError{Line: pe.StartLine, Reason: "malformed CSV: " + pe.Err.Error()}
			raw.Raw = lr.lastLine()
		case err != nil:
			return readError(err)
		case len(rec) != len(cols):
			raw.Err = &FieldError{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), len(cols))}
			raw.Raw = csvLine(rec)
		default:
			reuse.reset()
			raw.vals = reuse
			raw.cols = cols
			valid := true
			for i, c := range cols {
				if s := slots[i]; s >= 0 {
					// The reader makes one string of the whole row: the
					// values that records keep are copied out of it (shared
					// when they repeat), so the row does not stay in memory
					// until the insert.
					v := rec[i]
					switch {
					case interned&(1<<s) != 0:
						v = intern.str(v)
					case slot(s) == sID || slot(s) == sContactID || slot(s) == sComment:
						v = strings.Clone(v)
					}
					reuse.setSlot(slot(s), v)
				} else {
					reuse.extra = append(reuse.extra, namedValue{c, rec[i]})
				}
				valid = valid && utf8.ValidString(rec[i])
			}
			if !valid {
				raw.Raw = csvLine(rec)
				raw.vals, raw.Err = nil, &FieldError{Line: line, Reason: "not valid UTF-8"}
			}
		}
		n++
		if err := fn(raw); err != nil {
			return err
		}
	}
	if n == 0 {
		return badBody(2, "no records after the header")
	}
	return nil
}

func csvLine(rec []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(rec)
	w.Flush()
	return strings.TrimRight(b.String(), "\n")
}

// lineLimiter passes the body to the CSV reader in the chunks it comes in,
// refusing over-long lines and binary data on the way (neither may make the
// reader buffer without bound), and keeping the last complete line for the
// raw text of a malformed record.
type lineLimiter struct {
	br     *bufio.Reader
	max    int
	line   int // complete lines seen
	curLen int // bytes of the line being read
	cur    []byte
	last   []byte
	err    *BodyError
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.br.Read(p)
	chunk := p[:n]
	if i := bytes.IndexByte(chunk, 0); i >= 0 {
		l.err = badBody(l.line+1+bytes.Count(chunk[:i], []byte{'\n'}), "binary data (NUL byte): the body must be UTF-8 text")
		return 0, l.err
	}
	for len(chunk) > 0 {
		j := bytes.IndexByte(chunk, '\n')
		seg := chunk
		if j >= 0 {
			seg = chunk[:j]
		}
		if l.curLen+len(seg) > l.max {
			l.err = &BodyError{Status: 400, Line: l.line + 1, Msg: fmt.Sprintf("line longer than %d bytes", l.max)}
			return 0, l.err
		}
		l.curLen += len(seg)
		l.cur = append(l.cur, seg...)
		if j < 0 {
			break
		}
		l.line++
		l.last, l.cur = l.cur, l.last[:0]
		l.curLen = 0
		chunk = chunk[j+1:]
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, readError(err)
	}
	return n, err
}

func (l *lineLimiter) lastLine() string {
	if len(l.cur) > 0 {
		return strings.TrimRight(string(l.cur), "\r")
	}
	return strings.TrimRight(string(l.last), "\r")
}
