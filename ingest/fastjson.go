package ingest

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
)

// parseFlatObject reads one JSON object of scalar members (and one level of
// nesting for "scores" and "scales") into string fields, without reflection: it is the
// collectors' hot path. Anything it does not handle simply (escapes, odd
// number forms) falls back to encoding/json for that value, so the result
// is the same as jsonFields'.
func parseFlatObject(b []byte) (map[string]string, *FieldError) {
	var f fieldValues
	if err := parseFlatObjectInto(b, &f, nil); err != nil {
		return nil, err
	}
	return f.toMap(), nil
}

// parseFlatObjectInto is parseFlatObject filling (after resetting) f, so
// that a decoder can reuse one fieldValues for every record. With intern,
// values of the interned slots are shared strings.
func parseFlatObjectInto(b []byte, f *fieldValues, intern *interner) *FieldError {
	f.reset()
	p := &flatParser{b: b, intern: intern}
	if err := p.object(f, ""); err != nil {
		return err
	}
	p.space()
	if p.i != len(p.b) {
		return &FieldError{Reason: "more than one JSON value on the line"}
	}
	return nil
}

// interner shares the strings of repeated values. It is bounded: past max
// distinct values (bodies of random values) it starts again. Decoders take
// one from a pool for a body and give it back after: the values of one
// collector's small bodies repeat from body to body, not only within one.
type interner struct {
	m   map[string]string
	max int
	// recent caches the last value seen at each of its places (picked by
	// a cheap hash of the bytes): most values are found there by one
	// comparison, without hashing them for the map.
	recent [256]string
}

func newInterner(max int) *interner { return &interner{m: make(map[string]string, 64), max: max} }

// interners are the decoders' interners, reused from one body to the next.
var interners = sync.Pool{New: func() any { return newInterner(4096) }}

// getInterner takes an interner for one body; putInterner gives it back.
func getInterner() *interner { return interners.Get().(*interner) }

func putInterner(in *interner) {
	if len(in.m) >= in.max {
		clear(in.m)
		in.recent = [256]string{}
	}
	interners.Put(in)
}

// place is where a value is cached in recent: its length and three of its
// bytes, enough to tell apart the few values a field takes.
func place[T string | []byte](b T) int {
	n := len(b)
	if n == 0 {
		return 0
	}
	return int(uint(n)*37+uint(b[0])*7+uint(b[n-1])*131+uint(b[n/2])*17) & 255
}

// str is get for a string: the shared copy, or a copy of its own, so that
// the result never points into a larger string (a CSV row) to keep it alive.
func (in *interner) str(v string) string {
	i := place(v)
	if s := in.recent[i]; s == v {
		return s
	}
	s, ok := in.m[v]
	if !ok {
		s = strings.Clone(v)
	}
	in.add(i, s)
	return s
}

func (in *interner) get(b []byte) string {
	i := place(b)
	if s := in.recent[i]; s == string(b) { // no allocation for the comparison
		return s
	}
	s, ok := in.m[string(b)] // nor for the lookup
	if !ok {
		s = string(b)
	}
	in.add(i, s)
	return s
}

// add keeps s in the map and the cache, if it is short: a long value is
// rarely repeated, and a pooled interner would keep it alive.
func (in *interner) add(i int, s string) {
	if len(s) > 64 {
		return
	}
	if len(in.m) < in.max {
		in.m[s] = s
	}
	in.recent[i] = s
}

type flatParser struct {
	b      []byte
	i      int
	intern *interner
}

var (
	errSyntax = errors.New("syntax")
	errNUL    = errors.New("NUL character")
)

func (p *flatParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *flatParser) object(f *fieldValues, prefix string) *FieldError {
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return p.fail(prefix)
	}
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return nil
	}
	for {
		p.space()
		keyBytes, keyStr, err := p.bytes()
		if err == errNUL {
			return &FieldError{Reason: `a field name holds a NUL character (\u0000)`}
		}
		if err != nil {
			return p.fail(prefix)
		}
		// The field's slot, found without allocating the key; other
		// names are kept as strings.
		sl, known := slot(0), false
		if prefix == "" && keyStr == "" {
			sl, known = slotFor(keyBytes)
		}
		name := func() string {
			if keyStr == "" {
				keyStr = string(keyBytes)
			}
			return prefix + keyStr
		}
		// A name sent twice would keep its last value silently: the
		// record is refused instead.
		var dup *FieldError
		setVal := func(v string) {
			if known {
				if f.has&(1<<sl) != 0 {
					dup = &FieldError{Field: slotNames[sl], Reason: "sent twice in the record"}
				}
				f.setSlot(sl, v)
				return
			}
			n := name()
			if _, ok := f.lookup(n); ok {
				dup = &FieldError{Field: trimName(n), Reason: "sent twice in the record"}
			}
			f.set(n, v)
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.fail(prefix)
		}
		p.i++
		p.space()
		if p.i >= len(p.b) {
			return p.fail(prefix)
		}
		// "scores" and "scales" are objects by dimension, read as
		// score_<dimension> and scale_<dimension> fields (the CSV columns).
		nested := ""
		if prefix == "" && !known {
			nested = nestedPrefix[name()]
		}
		isScores := nested != ""
		if isScores && p.b[p.i] != '{' && p.b[p.i] != '[' && p.b[p.i] != 'n' {
			return nestedError(nested)
		}
		switch c := p.b[p.i]; {
		case c == '"':
			vb, vs, err := p.bytes()
			if err == errNUL {
				return &FieldError{Field: trimName(name()), Reason: `holds a NUL character (\u0000)`}
			}
			if err != nil {
				return p.fail(prefix)
			}
			switch {
			case vs != "":
				setVal(vs)
			case known && interned&(1<<sl) != 0 && p.intern != nil:
				setVal(p.intern.get(vb))
			default:
				setVal(string(vb))
			}
		case c == '{':
			if !isScores {
				return &FieldError{Field: name(), Reason: "must be a string or a number, not an object or array"}
			}
			if err := p.object(f, nested); err != nil {
				return err
			}
		case c == '[':
			if isScores {
				return nestedError(nested)
			}
			return &FieldError{Field: name(), Reason: "must be a string or a number, not an object or array"}
		default:
			start := p.i
			for p.i < len(p.b) && !strings.ContainsRune(",} \t\r\n", rune(p.b[p.i])) {
				p.i++
			}
			lit := string(p.b[start:p.i])
			switch {
			case lit == "null":
				if isScores {
					break
				}
				setVal("")
			case lit == "true" || lit == "false":
				setVal(lit)
			default:
				var n json.Number
				if json.Unmarshal([]byte(lit), &n) != nil {
					return p.fail(prefix)
				}
				setVal(lit)
			}
		}
		if dup != nil {
			return dup
		}
		p.space()
		if p.i >= len(p.b) {
			return p.fail(prefix)
		}
		if p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.b[p.i] == '}' {
			p.i++
			return nil
		}
		return p.fail(prefix)
	}
}

// bytes reads a JSON string at p.i: its bytes (valid until the next read)
// when it has no escape, else its decoded value as a string.
func (p *flatParser) bytes() ([]byte, string, error) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, "", errSyntax
	}
	start := p.i
	// Most strings are short and have no escape: one pass finds the
	// closing quote, stopping early at a backslash or a control character
	// (then read below).
	j := start + 1
	for j < len(p.b) && !stringStop[p.b[j]] {
		j++
	}
	if j < len(p.b) && p.b[j] == '"' {
		p.i = j + 1
		return p.b[start+1 : j], "", nil
	}
	p.i++
	escaped := false
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '\\':
			escaped = true
			p.i += 2
			continue
		case c == '"':
			p.i++
			if !escaped {
				return p.b[start+1 : p.i-1], "", nil
			}
			var s string
			if err := json.Unmarshal(p.b[start:p.i], &s); err != nil {
				return nil, "", err
			}
			if strings.IndexByte(s, 0) >= 0 {
				return nil, "", errNUL // raw NUL bytes are refused with the body; \u0000 here
			}
			if s == "" {
				return []byte{}, "", nil
			}
			return nil, s, nil
		case c < 0x20:
			return nil, "", errSyntax
		}
		p.i++
	}
	return nil, "", errSyntax
}

// stringStop are the bytes that end the plain run of a JSON string: its
// closing quote, an escape, a control character (refused unescaped).
var stringStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

func (p *flatParser) fail(prefix string) *FieldError {
	// Let encoding/json word the error, as before.
	var v map[string]json.RawMessage
	err := json.Unmarshal(p.b, &v)
	if err == nil {
		if prefix != "" {
			return nestedError(prefix)
		}
		return &FieldError{Reason: "not a JSON object"}
	}
	return &FieldError{Reason: "not a JSON object: " + err.Error()}
}

// nestedPrefix gives the field prefix of each object member a survey may
// nest by dimension.
var nestedPrefix = map[string]string{"scores": "score_", "scales": "scale_"}

// nestedError refuses a "scores" or "scales" member that is no object.
func nestedError(prefix string) *FieldError {
	if prefix == "scale_" {
		return &FieldError{Field: "scales", Reason: `must be an object such as {"recommend": "0-10"}`}
	}
	return &FieldError{Field: "scores", Reason: `must be an object such as {"overall": 4}`}
}
