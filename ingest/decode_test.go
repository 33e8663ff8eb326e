package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzDecode(f *testing.F) {
	f.Add("id,source,site\nA,s,P\n\"bad\n", uint8(0))
	f.Add(`{"id":"A","scores":{"overall":4}}`+"\n{bad\n", uint8(1))
	f.Add(`[{"id":"A"},{"id":2,"x":null}]`, uint8(2))
	f.Add(`{"id":"A","scores":[1]}`, uint8(2))
	f.Add("\x00\x01", uint8(1))
	f.Add("1778745700|c1|q|NONE|ENTERQUEUE||06|1\n1778745742|c1|q|a|CONNECT|42\n1778745790|c1|q|a|COMPLETECALLER|42|48|1\n", uint8(3))
	formats := []Format{FormatCSV, FormatNDJSON, FormatJSON, formatAsterisk}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		format := formats[int(which)%len(formats)]
		n := 0
		err := Decode(strings.NewReader(body), format, Limits{MaxLineBytes: 512, MaxRecords: 100}, func(r RawRecord) error {
			if r.partial != nil {
				if r.Err != nil || r.Map() != nil || len(r.partial.lines) == 0 {
					t.Fatalf("record %d: a partial call has lines, and neither fields nor Err: %+v", n, r)
				}
			} else if (r.Err == nil) == (r.Map() == nil) {
				t.Fatalf("record %d: exactly one of fields and Err must be set: %+v", n, r)
			}
			if r.Index != n {
				t.Fatalf("record index %d, want %d", r.Index, n)
			}
			n++
			return nil
		})
		var be *BodyError
		if err != nil && !errors.As(err, &be) {
			t.Fatalf("error %v is not a BodyError", err)
		}
		if err == nil && n == 0 && format != formatAsterisk { // a queue_log may hold only queue-level lines
			t.Fatal("no error and no record")
		}
	})
}

func TestDecodeJSONScoresFlattened(t *testing.T) {
	var got map[string]string
	err := Decode(strings.NewReader(`{"id":"A","scores":{"overall":4,"courtesy":"5"},"contact_id":null,"n":1.5}`), FormatJSON, Limits{}, func(r RawRecord) error {
		got = r.Map()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"id": "A", "score_overall": "4", "score_courtesy": "5", "contact_id": "", "n": "1.5"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// jsonFields is the reference for parseFlatObject: it flattens one JSON object into string fields. Numbers keep their
// literal text; null is empty; a "scores" object becomes score_<dimension>
// fields, the same names as the CSV columns.
func jsonFields(b []byte) (map[string]string, *FieldError) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, &FieldError{Reason: "not a JSON object: " + err.Error()}
	}
	// Anything but spaces after the value (dec.More is false before a
	// stray '}' or ']': `{}}`).
	if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		return nil, &FieldError{Reason: "more than one JSON value on the line"}
	}
	if obj == nil {
		return nil, &FieldError{Reason: "not a JSON object"}
	}
	fields := make(map[string]string, len(obj))
	for k, v := range obj {
		if k == "scores" || k == "scales" {
			var scores map[string]json.RawMessage
			if err := json.Unmarshal(v, &scores); err != nil || (scores == nil && string(v) != "null") {
				return nil, nestedError(nestedPrefix[k])
			}
			for dim, sv := range scores {
				s, err := scalar(sv)
				if err != nil {
					return nil, &FieldError{Field: k + "." + dim, Reason: err.Error()}
				}
				fields[nestedPrefix[k]+dim] = s
			}
			continue
		}
		s, err := scalar(v)
		if err != nil {
			return nil, &FieldError{Field: k, Reason: err.Error()}
		}
		fields[k] = s
	}
	return fields, nil
}

// dupOrNUL walks a JSON object's tokens (and its scores object) and says
// "sent twice" when a field name repeats (a top-level score_x and
// scores.x are the same field), "NUL" when a string holds \u0000, else "".
func dupOrNUL(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	seen := map[string]bool{}
	dup, nul := false, false
	depth := 0
	var key, prefix string
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				depth++
				if depth == 2 && (key == "scores" || key == "scales") {
					prefix = nestedPrefix[key]
				}
				expectKey = true
				continue
			case '}':
				depth--
				prefix = ""
			case '[':
				depth++
			case ']':
				depth--
			}
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				nul = true
			}
			if expectKey && depth <= 2 {
				key = v
				if depth == 1 || prefix != "" {
					name := prefix + v
					if depth == 1 && (v == "scores" || v == "scales") {
						name = v
					}
					if seen[name] {
						dup = true
					}
					seen[name] = true
				}
				expectKey = false
				continue
			}
		}
		expectKey = depth >= 1 && depth <= 2
	}
	switch {
	case nul:
		return "NUL"
	case dup:
		return "sent twice"
	}
	return ""
}

func scalar(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return "", nil
	}
	switch v[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return s, nil
	case '{', '[':
		return "", errors.New("must be a string or a number, not an object or array")
	}
	return string(v), nil // number, true, false
}

func FuzzFlatObjectMatchesEncodingJSON(f *testing.F) {
	f.Add(`{"id":"A","scores":{"overall":4,"courtesy":"5"},"contact_id":null,"n":1.5,"t":true}`)
	f.Add(`{"id":"\u00e9t\u00e9 \"x\"","a":-1e3}`)
	f.Add(`{"scores":"x"}`)
	f.Add(`{"scales":{"recommend":"0-10"},"scores":{"recommend":9},"scale_recommend":"0-10"}`)
	f.Add(`{"scales":[1]}`)
	f.Add(`{"a":[1]}`)
	f.Add(`{"a":01}`)
	f.Add(`null`)
	f.Add(`{"":{},"":""}`)
	f.Fuzz(func(t *testing.T, in string) {
		if !utf8.ValidString(in) {
			return // NDJSON lines are checked for UTF-8 before parsing
		}
		want, werr := jsonFields([]byte(in))
		got, gerr := parseFlatObject([]byte(in))
		// Names sent twice and \u0000 are refused by the fast parser
		// alone (encoding/json keeps the last value, and the NUL).
		if refused := dupOrNUL([]byte(in)); werr == nil && refused != "" {
			// The fast parser may meet another fault first: a value that
			// encoding/json's last-wins hid (`{"":{},"":""}`).
			if gerr == nil || !strings.Contains(gerr.Reason, refused) && !strings.Contains(gerr.Reason, "not an object or array") {
				t.Fatalf("%q: %s, fast parser error %v", in, refused, gerr)
			}
			return
		}
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: encoding/json error %v, fast parser error %v", in, werr, gerr)
		}
		if werr == nil && !reflect.DeepEqual(want, got) {
			t.Fatalf("%q: encoding/json %v, fast parser %v", in, want, got)
		}
	})
}

// TestCivilSeconds checks the civil-date arithmetic and month lengths
// against time.Date every day from 1970 to 2100 and around year 0.
func TestCivilSeconds(t *testing.T) {
	for d := time.Date(-1, 1, 1, 13, 4, 5, 0, time.UTC); d.Year() < 2101; d = d.AddDate(0, 0, 1) {
		if d.Year() == 2 {
			d = time.Date(1970, 1, 1, 13, 4, 5, 0, time.UTC)
		}
		if got := civilSeconds(d.Year(), int(d.Month()), d.Day(), 13, 4, 5); got != d.Unix() {
			t.Fatalf("%s: %d, want %d", d.Format("2006-01-02"), got, d.Unix())
		}
		if got, want := daysIn(d.Month(), d.Year()), time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day(); got != want {
			t.Fatalf("%s: %d days in the month, want %d", d.Format("2006-01"), got, want)
		}
	}
}

func FuzzParseTimeFastMatchesSlow(f *testing.F) {
	for _, s := range []string{"2026-05-14T09:03:12Z", "2026-05-14 09:03:12", "2026-03-29T02:30:00", "2026-10-25T02:30:00", "2026-05-14T09:03:12.123+02:00", "2026-02-29T10:00:00Z", "2026-05-14T09:03", "2026-05-14T24:00:00Z", "2026-05-14T09:03:12-03:30"} {
		f.Add(s)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, local, ok := parseTimeFast(s)
		if !ok {
			return
		}
		// The slow path alone: the layouts, as before the fast path.
		var slow time.Time
		var serr error = errors.New("no layout")
		for _, l := range offsetLayouts {
			if tt, err := time.Parse(l, s); err == nil {
				slow, serr = tt.UTC().Truncate(time.Second), nil
				break
			}
		}
		if serr != nil {
			for _, l := range localLayouts {
				if tt, err := time.Parse(l, s); err == nil {
					slow, serr = localTimeReference(tt, paris, s)
					break
				}
			}
		}
		if local {
			fast, err = localTime(fast, paris, s)
		} else {
			err = nil
		}
		if serr != nil && err == nil && !(len(s) >= 17 && s[16] == ':') {
			return // hh:mm with an offset: only the fast path reads it
		}
		if (err == nil) != (serr == nil) || (err == nil && !fast.Equal(slow)) {
			t.Fatalf("%q: fast %v %v, slow %v %v", s, fast, err, slow, serr)
		}
	})
}

// TestAsteriskRequeuedCallStillWaiting: a call that leaves a queue and
// enters one again (same callid) and is still waiting at the end of the file
// is one partial call, not one per ENTERQUEUE line seen; the end of a call
// that entered in an earlier export is one partial call with all its lines,
// and lines of a call after its end are ignored.
func TestAsteriskRequeuedCallStillWaiting(t *testing.T) {
	tests := []struct {
		name, log string
		want      []string // per record: "ok" or the reject's field
	}{
		{"requeued, still waiting", "1778745720|c1|support-lyon|NONE|ENTERQUEUE||0700000000|1\n" +
			"1778745900|c1|support-lyon|NONE|EXITWITHTIMEOUT|1|1|180\n" +
			"1778745901|c1|support-paris|NONE|ENTERQUEUE||0700000000|1\n", []string{"ok", "partial c1 head 1"}},
		{"two calls still waiting", "1778745720|c1|q|NONE|ENTERQUEUE||07|1\n1778745721|c2|q|NONE|ENTERQUEUE||07|1\n", []string{"partial c1 head 1", "partial c2 head 1"}},
		{"the end of an earlier call", "1778745720|c1|q|a|CONNECT|5|x|1\n1778745721|c2|q|NONE|ENTERQUEUE||07|1\n" +
			"1778745730|c1|q|a|COMPLETECALLER|5|10|1\n1778745731|c2|q|NONE|ABANDON|1|1|10\n1778745732|c2|q|NONE|RINGNOANSWER|0\n",
			[]string{"ok", "partial c1 tail 2"}},
	}
	for _, tt := range tests {
		var got []string
		err := Decode(strings.NewReader(tt.log), formatAsterisk, Limits{}, func(r RawRecord) error {
			if r.partial != nil {
				part := "tail"
				if r.partial.fields != nil {
					part = "head"
				}
				got = append(got, fmt.Sprintf("partial %s %s %d", r.partial.callID, part, len(r.partial.lines)))
			} else if r.Err != nil {
				got = append(got, r.Err.Field)
			} else {
				got = append(got, "ok")
			}
			return nil
		})
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: records %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

// localTimeReference is localTime without its fast path: the three
// candidates, always.
func localTimeReference(wall time.Time, loc *time.Location, s string) (time.Time, error) {
	y, mo, d := wall.Date()
	h, mi, sec := wall.Clock()
	t := time.Date(y, mo, d, h, mi, sec, 0, loc)
	for _, cand := range []time.Time{t.Add(-time.Hour), t, t.Add(time.Hour)} {
		lt := cand.In(loc)
		ly, lmo, ld := lt.Date()
		lh, lmi, ls := lt.Clock()
		if ly == y && lmo == mo && ld == d && lh == h && lmi == mi && ls == sec {
			return cand.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q does not exist", s)
}

// TestLocalTimeMatchesReference compares localTime with the three-candidate
// reference every 10 minutes of 2026 in zones with and without daylight
// saving time.
func TestLocalTimeMatchesReference(t *testing.T) {
	for _, name := range []string{"Europe/Paris", "America/Cayenne", "Indian/Reunion", "America/Guadeloupe", "Indian/Mayotte"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		var zc zoneCache
		for wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); wall.Year() == 2026; wall = wall.Add(10 * time.Minute) {
			got, gerr := localTime(wall, loc, "x")
			want, werr := localTimeReference(wall, loc, "x")
			if (gerr == nil) != (werr == nil) || !got.Equal(want) {
				t.Fatalf("%s %s: %v %v, reference %v %v", name, wall.Format("2006-01-02 15:04"), got, gerr, want, werr)
			}
			// The cache, walked in order and jumping back and forth
			// across the year (a hit must never come from a stale span).
			other := wall.AddDate(0, 6, 0)
			if other.Year() != 2026 {
				other = other.AddDate(-1, 0, 0)
			}
			for _, w := range []time.Time{wall, other} {
				got, gerr := zc.localTime(w, loc, "x")
				want, werr := localTimeReference(w, loc, "x")
				if (gerr == nil) != (werr == nil) || !got.Equal(want) {
					t.Fatalf("%s %s cached: %v %v, reference %v %v", name, w.Format("2006-01-02 15:04"), got, gerr, want, werr)
				}
			}
		}
	}
}

// TestDecodeReusesBuffersSafely: decoders share read buffers from one body
// to the next (many small bodies would otherwise allocate 64 KiB each):
// bodies decoded at once, in every format, each get their own records, and
// a record kept after its body ends keeps its values.
func TestDecodeReusesBuffersSafely(t *testing.T) {
	bodies := map[Format]func(g, i int) string{
		FormatNDJSON: func(g, i int) string { return fmt.Sprintf(`{"id":"g%d-%d","site":"S%d"}`+"\n", g, i, g) },
		FormatCSV: func(g, i int) string {
			if i == 0 {
				return fmt.Sprintf("id,site\ng%d-0,S%d\n", g, g)
			}
			return fmt.Sprintf("g%d-%d,S%d\n", g, i, g)
		},
		FormatJSON: func(g, i int) string {
			s := fmt.Sprintf(`{"id":"g%d-%d","site":"S%d"}`, g, i, g)
			switch i {
			case 0:
				return "[" + s + ","
			case 49:
				return s + "]"
			}
			return s + ","
		},
	}
	for format, line := range bodies {
		var wg sync.WaitGroup
		kept := make([][]map[string]string, 8)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := range 20 {
					var b strings.Builder
					for i := range 50 {
						b.WriteString(line(g, i))
					}
					var got []map[string]string
					err := Decode(strings.NewReader(b.String()), format, Limits{}, func(r RawRecord) error {
						got = append(got, r.Map())
						return nil
					})
					if err != nil || len(got) != 50 {
						t.Errorf("%s body %d round %d: %d records, %v", format, g, round, len(got), err)
						return
					}
					kept[g] = got
				}
			}()
		}
		wg.Wait()
		for g, recs := range kept {
			for i, r := range recs {
				if want := fmt.Sprintf("g%d-%d", g, i); r["id"] != want || r["site"] != fmt.Sprintf("S%d", g) {
					t.Errorf("%s body %d record %d: %v, want id %s", format, g, i, r, want)
				}
			}
		}
	}
}
