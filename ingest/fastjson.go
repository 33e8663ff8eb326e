package ingest

import (
	"encoding/json"
	"errors"
	"strings"
)

// parseFlatObject reads one JSON object of scalar members (and one level of
// nesting for "scores") into string fields, without reflection: it is the
// collectors' hot path. Anything it does not handle simply (escapes, odd
// number forms) falls back to encoding/json for that value, so the result
// is the same as jsonFields'.
func parseFlatObject(b []byte) (map[string]string, *FieldError) {
	return parseFlatObjectInto(b, make(map[string]string, 12))
}

// parseFlatObjectInto is parseFlatObject filling (after clearing) fields,
// so that a decoder can reuse one map for every record.
func parseFlatObjectInto(b []byte, fields map[string]string) (map[string]string, *FieldError) {
	clear(fields)
	p := &flatParser{b: b}
	if err := p.object(fields, ""); err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.b) {
		return nil, &FieldError{Reason: "more than one JSON value on the line"}
	}
	return fields, nil
}

type flatParser struct {
	b []byte
	i int
}

var errSyntax = errors.New("syntax")

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

func (p *flatParser) object(fields map[string]string, prefix string) *FieldError {
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
		key, err := p.str()
		if err != nil {
			return p.fail(prefix)
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
		if prefix == "" && key == "scores" && p.b[p.i] != '{' && p.b[p.i] != '[' && p.b[p.i] != 'n' {
			return &FieldError{Field: "scores", Reason: `must be an object such as {"overall": 4}`}
		}
		switch c := p.b[p.i]; {
		case c == '"':
			v, err := p.str()
			if err != nil {
				return p.fail(prefix)
			}
			fields[prefix+key] = v
		case c == '{':
			if prefix != "" || key != "scores" {
				return &FieldError{Field: prefix + key, Reason: "must be a string or a number, not an object or array"}
			}
			if err := p.object(fields, "score_"); err != nil {
				return err
			}
		case c == '[':
			if key == "scores" && prefix == "" {
				return &FieldError{Field: "scores", Reason: `must be an object such as {"overall": 4}`}
			}
			return &FieldError{Field: prefix + key, Reason: "must be a string or a number, not an object or array"}
		default:
			start := p.i
			for p.i < len(p.b) && !strings.ContainsRune(",} \t\r\n", rune(p.b[p.i])) {
				p.i++
			}
			lit := string(p.b[start:p.i])
			switch {
			case lit == "null":
				if prefix == "" && key == "scores" {
					break
				}
				fields[prefix+key] = ""
			case lit == "true" || lit == "false":
				fields[prefix+key] = lit
			default:
				var n json.Number
				if json.Unmarshal([]byte(lit), &n) != nil {
					return p.fail(prefix)
				}
				fields[prefix+key] = lit
			}
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

// str reads a JSON string at p.i.
func (p *flatParser) str() (string, error) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", errSyntax
	}
	start := p.i
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
				return string(p.b[start+1 : p.i-1]), nil
			}
			var s string
			if err := json.Unmarshal(p.b[start:p.i], &s); err != nil {
				return "", err
			}
			return s, nil
		case c < 0x20:
			return "", errSyntax
		}
		p.i++
	}
	return "", errSyntax
}

func (p *flatParser) fail(prefix string) *FieldError {
	// Let encoding/json word the error, as before.
	var v map[string]json.RawMessage
	err := json.Unmarshal(p.b, &v)
	if err == nil {
		if prefix != "" {
			return &FieldError{Field: "scores", Reason: `must be an object such as {"overall": 4}`}
		}
		return &FieldError{Reason: "not a JSON object"}
	}
	return &FieldError{Reason: "not a JSON object: " + err.Error()}
}
