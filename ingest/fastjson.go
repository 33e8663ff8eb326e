package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
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
// distinct values (a body of random values) it stops adding.
type interner struct {
	m   map[string]string
	max int
}

func newInterner(max int) *interner { return &interner{m: make(map[string]string, 64), max: max} }

// str is get for a string: the shared copy, or a copy of its own, so that
// the result never points into a larger string (a CSV row) to keep it alive.
func (in *interner) str(v string) string {
	if s, ok := in.m[v]; ok {
		return s
	}
	s := strings.Clone(v)
	if len(in.m) < in.max && len(v) <= 64 {
		in.m[s] = s
	}
	return s
}

func (in *interner) get(b []byte) string {
	if s, ok := in.m[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	if len(in.m) < in.max && len(b) <= 64 {
		in.m[s] = s
	}
	return s
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
	// Most strings have no escape: find the closing quote with IndexByte
	// and check the run for backslashes and control characters.
	if j := bytes.IndexByte(p.b[start+1:], '"'); j >= 0 {
		run := p.b[start+1 : start+1+j]
		plain := bytes.IndexByte(run, '\\') < 0
		for _, c := range run {
			if c < 0x20 {
				plain = false
				break
			}
		}
		if plain {
			p.i = start + 2 + j
			return run, "", nil
		}
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
