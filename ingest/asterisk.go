package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// decodeAsteriskQueueLog assembles one contact per call from an Asterisk
// queue_log (time|callid|queue|agent|event|data…): ENTERQUEUE gives the
// arrival and the caller id, CONNECT the answer, and the first end event
// the outcome: COMPLETECALLER and COMPLETEAGENT are served, TRANSFER
// transferred (answered, then transferred), ABANDON abandoned, EXITWITHTIMEOUT and EXITEMPTY overflow, EXITWITHKEY
// redirected. The queue name is given as site and team, for the mapping to
// turn into a site id. Queue-level lines (callid NONE) and other events are
// skipped. A call without both its ENTERQUEUE and an end event in the file
// (split across two exports) is passed on at the end as a partial record
// (RawRecord.partial, neither fields nor Err), with its lines, for the
// pending calls (pending.go) to join with its other part.
func decodeAsteriskQueueLog(br *bufio.Reader, lim Limits, fn func(RawRecord) error) error {
	return decodeQueueLog(br, lim, false, fn)
}

// pseudonymMark starts a caller id already pseudonymised: the lines of a
// pending call are stored so (the raw identifier is never stored), and
// only lines read back from the store (stored) are trusted with it.
const pseudonymMark = "pseudonym:"

func decodeQueueLog(br *bufio.Reader, lim Limits, stored bool, fn func(RawRecord) error) error {
	type call struct {
		line   int
		fields map[string]string // nil for a call whose ENTERQUEUE is not in the file
		raw    []string
		// refDone: the caller id is a stored pseudonym
		refDone bool
	}
	open := map[string]*call{}
	ended := map[string]bool{} // calls whose end was in the file: later lines of theirs are ignored
	var order []string         // callids in order of their first line, for the leftovers
	n := 0
	emit := func(c *call, ferr *FieldError) error {
		if n >= lim.MaxRecords {
			return &BodyError{Status: 413, Line: c.line, Msg: fmt.Sprintf("more than %d records in one body: split it", lim.MaxRecords)}
		}
		rec := RawRecord{Line: c.line, Index: n, Raw: strings.Join(c.raw, "\n"), pseudonymised: c.refDone}
		if ferr != nil {
			ferr.Line = c.line
			rec.Err = ferr
		} else {
			rec.Fields = c.fields
		}
		n++
		return fn(rec)
	}
	lines := 0
	for line := 1; ; line++ {
		b, err := readLine(br, lim.MaxLineBytes, line)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if be := checkText(b, line); be != nil {
			return be
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			continue
		}
		lines++
		parts := strings.Split(s, "|")
		if len(parts) < 5 {
			if err := emit(&call{line: line, raw: []string{s}}, &FieldError{Reason: fmt.Sprintf("not a queue_log line (time|callid|queue|agent|event|data…): %d fields", len(parts))}); err != nil {
				return err
			}
			continue
		}
		callid, queue, event := parts[1], parts[2], parts[4]
		if callid == "NONE" || callid == "" {
			continue
		}
		sec, perr := strconv.ParseFloat(parts[0], 64)
		if perr != nil || sec <= 0 {
			if err := emit(&call{line: line, raw: []string{s}}, &FieldError{Field: "time", Reason: fmt.Sprintf("%q is not a unix time", parts[0])}); err != nil {
				return err
			}
			continue
		}
		at := time.Unix(int64(sec), 0).UTC().Format(time.RFC3339)
		data := parts[5:]
		c := open[callid]
		switch event {
		case "ENTERQUEUE":
			if c != nil {
				c.raw = append(c.raw, s)
				continue // entered again while waiting: keep the first arrival
			}
			delete(ended, callid) // requeued after an end: a new call
			c = &call{line: line, raw: []string{s}, fields: map[string]string{
				"id": callid, "site": queue, "team": queue, "arrived_at": at,
			}}
			if len(data) > 1 {
				ref := data[1]
				if stored && strings.HasPrefix(ref, pseudonymMark) {
					ref, c.refDone = strings.TrimPrefix(ref, pseudonymMark), true
				}
				c.fields["user_ref"] = ref
			}
			open[callid] = c
			order = append(order, callid)
			continue
		case "CONNECT", "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "COMPLETECALLER", "COMPLETEAGENT", "TRANSFER":
		default:
			if c != nil {
				c.raw = append(c.raw, s)
			}
			continue // RINGNOANSWER, AGENTLOGIN, …: nothing to record
		}
		if c == nil && ended[callid] {
			continue // after its end: nothing more to record
		}
		if c == nil {
			// The rest of a call that entered the queue in an earlier
			// export: kept whole until the end of the file.
			c = &call{line: line}
			open[callid] = c
			order = append(order, callid)
		}
		c.raw = append(c.raw, s)
		if c.fields == nil {
			continue
		}
		if event == "CONNECT" {
			c.fields["answered_at"] = at
			continue
		}
		c.fields["ended_at"] = at
		switch event {
		case "COMPLETECALLER", "COMPLETEAGENT":
			c.fields["outcome"] = "served"
		case "TRANSFER":
			// Answered, then transferred: counts as answered.
			c.fields["outcome"] = "transferred"
		case "ABANDON":
			c.fields["outcome"] = "abandoned"
		case "EXITWITHTIMEOUT", "EXITEMPTY":
			c.fields["outcome"] = "overflow"
		case "EXITWITHKEY":
			c.fields["outcome"] = "redirected"
		}
		delete(open, callid)
		ended[callid] = true
		if err := emit(c, nil); err != nil {
			return err
		}
	}
	for _, id := range order {
		if c, ok := open[id]; ok {
			delete(open, id) // a requeued call is listed in order once per ENTERQUEUE
			if n >= lim.MaxRecords {
				return &BodyError{Status: 413, Line: c.line, Msg: fmt.Sprintf("more than %d records in one body: split it", lim.MaxRecords)}
			}
			rec := RawRecord{Line: c.line, Index: n, Raw: strings.Join(c.raw, "\n"), pseudonymised: c.refDone,
				partial: &partialCall{callID: id, lines: c.raw, fields: c.fields}}
			n++
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
	if lines == 0 {
		return badBody(0, "empty body: no queue_log lines")
	}
	return nil
}
