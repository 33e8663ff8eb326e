package ingest

import (
	"encoding/json"
	"time"
	"unicode/utf8"

	"globaloffice/model"
)

// appendRecordJSON appends one spool line: r as encoding/json encodes it.
// Contacts, most of what passes through the spool under load, are written
// without reflection, with the same keys and values (a test decodes both
// ways and compares).
func appendRecordJSON(b []byte, r Record) ([]byte, error) {
	if c := r.Contact; c != nil && contactIsPlain(c) {
		b = append(b, `{"contact":{"Source":`...)
		b = appendJSONString(b, c.Source)
		b = append(b, `,"ID":`...)
		b = appendJSONString(b, c.ID)
		b = append(b, `,"Site":`...)
		b = appendJSONString(b, c.Site)
		b = append(b, `,"Channel":`...)
		b = appendJSONString(b, string(c.Channel))
		b = append(b, `,"ArrivedAt":`...)
		b = appendJSONTime(b, &c.ArrivedAt)
		b = append(b, `,"ArrivedDate":`...)
		b = appendJSONTime(b, &c.ArrivedDate)
		b = append(b, `,"AnsweredAt":`...)
		b = appendJSONTime(b, c.AnsweredAt)
		b = append(b, `,"EndedAt":`...)
		b = appendJSONTime(b, c.EndedAt)
		b = append(b, `,"Outcome":`...)
		b = appendJSONString(b, string(c.Outcome))
		b = append(b, `,"Motive":`...)
		b = appendJSONString(b, c.Motive)
		b = append(b, `,"UserRef":`...)
		b = appendJSONString(b, c.UserRef)
		b = append(b, `,"Team":`...)
		b = appendJSONString(b, c.Team)
		switch {
		case c.AskedAgent == nil:
			b = append(b, `,"AskedAgent":null`...)
		case *c.AskedAgent:
			b = append(b, `,"AskedAgent":true`...)
		default:
			b = append(b, `,"AskedAgent":false`...)
		}
		b = append(b, `,"CaseID":`...)
		b = appendJSONString(b, c.CaseID)
		b = append(b, `,"Segment":`...)
		b = appendJSONString(b, c.Segment)
		return append(b, "}}\n"...), nil
	}
	j, err := json.Marshal(r)
	if err != nil {
		return b, err
	}
	return append(append(b, j...), '\n'), nil
}

// contactIsPlain is true when the fast encoding gives what encoding/json
// would: times RFC 3339 can write.
func contactIsPlain(c *model.Contact) bool {
	return plainYear(&c.ArrivedAt) && plainYear(&c.ArrivedDate) && plainYear(c.AnsweredAt) && plainYear(c.EndedAt)
}

// plainYear reports whether t (when set) falls in the years 0 to 9999,
// which RFC 3339 can write: for a UTC time, what validated records hold,
// by its seconds, without working out its date.
func plainYear(t *time.Time) bool {
	if t == nil {
		return true
	}
	if t.Location() == time.UTC {
		s := t.Unix()
		return s >= year0 && s < year10000
	}
	y := t.Year()
	return y >= 0 && y <= 9999
}

// year0 and year10000 are the Unix seconds of 0000-01-01 and 10000-01-01
// UTC.
var year0, year10000 = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// appendJSONString quotes s as encoding/json does, up to equivalent
// escapes: invalid UTF-8 bytes become U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			if r, size := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\\ufffd"...)
				start = i + 1
			} else {
				i += size - 1
			}
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendJSONTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	if t.Nanosecond() == 0 && t.Location() == time.UTC {
		// What validated records hold: UTC, whole seconds. RFC 3339 by
		// hand, several times cheaper than AppendFormat.
		y, mo, d := t.Date()
		h, mi, s := t.Clock()
		if y >= 0 && y <= 9999 {
			b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
				byte('0'+int(mo)/10), byte('0'+int(mo)%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
				byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10), 'Z', '"')
			return b
		}
	}
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}
