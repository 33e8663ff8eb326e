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
// skipped; a call without an end event by the end of the file is refused (it
// will be complete in the next export).
func decodeAsteriskQueueLog(br *bufio.Reader, lim Limits, fn func(RawRecord) error) error {
	type call struct {
		line   int
		fields map[string]string
		raw    []string
	}
	open := map[string]*call{}
	var order []string // callids in order of ENTERQUEUE, for the leftovers
	n := 0
	emit := func(c *call, ferr *FieldError) error {
		if n >= lim.MaxRecords {
			return &BodyError{Status: 413, Line: c.line, Msg: fmt.Sprintf("more than %d records in one body: split it", lim.MaxRecords)}
		}
		rec := RawRecord{Line: c.line, Index: n, Raw: strings.Join(c.raw, "\n")}
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
			c = &call{line: line, raw: []string{s}, fields: map[string]string{
				"id": callid, "site": queue, "team": queue, "arrived_at": at,
			}}
			if len(data) > 1 {
				c.fields["user_ref"] = data[1]
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
		if c == nil {
			if err := emit(&call{line: line, raw: []string{s}}, &FieldError{Field: "callid", Reason: fmt.Sprintf("%s for call %s that has no ENTERQUEUE in this file", event, callid)}); err != nil {
				return err
			}
			continue
		}
		c.raw = append(c.raw, s)
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
		if err := emit(c, nil); err != nil {
			return err
		}
	}
	for _, id := range order {
		if c, ok := open[id]; ok {
			delete(open, id) // a requeued call is listed in order once per ENTERQUEUE
			if err := emit(c, &FieldError{Field: "callid", Reason: fmt.Sprintf("call %s has no end event in this file (still in progress when exported?)", id)}); err != nil {
				return err
			}
		}
	}
	if lines == 0 {
		return badBody(0, "empty body: no queue_log lines")
	}
	return nil
}
