package demo

import (
	"math/bits"
	"strconv"
	"unicode/utf8"

	"globaloffice/calendar"
)

// The writers below append straight into the output buffers: with millions
// of records, encoding/csv, encoding/json and time.Format would dominate the
// run time.

// appendClock appends the civil time of sec (seconds since 1970-01-01
// 00:00:00 of some clock) as 2006-01-02T15:04:05, then Z when utc is true.
// Passing local wall-clock seconds and utc=false writes a local time without
// offset, as the queue-management exports do.
func appendClock(b []byte, sec int64, utc bool) []byte {
	days := sec / 86400
	rem := sec - days*86400
	if rem < 0 {
		rem += 86400
		days--
	}
	var y, m, d int64
	if i := days - dateTableStart; i >= 0 && i < int64(len(dateTable)) {
		e := dateTable[i]
		y, m, d = int64(e>>9), int64(e>>5&15), int64(e&31)
	} else {
		y, m, d = civil(days)
	}
	hh, mm, ss := rem/3600, rem/60%60, rem%60
	b = append(b,
		byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-',
		byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+hh/10), byte('0'+hh%10), ':',
		byte('0'+mm/10), byte('0'+mm%10), ':',
		byte('0'+ss/10), byte('0'+ss%10))
	if utc {
		b = append(b, 'Z')
	}
	return b
}

// dateTable caches the civil date of every day from 1970 to 2199, packed
// as year<<9 | month<<5 | day: appendClock is the hottest function.
var dateTable = func() []uint32 {
	n := daysBefore2200 - dateTableStart
	t := make([]uint32, n)
	for i := range t {
		y, m, d := civil(dateTableStart + int64(i))
		t[i] = uint32(y<<9 | m<<5 | d)
	}
	return t
}()

const (
	dateTableStart = 0      // 1970-01-01
	daysBefore2200 = 84_006 // 2200-01-01
)

// civil converts days since 1970-01-01 to a date.
func civil(z int64) (y, m, d int64) {
	yy, mm, dd := calendar.Date(z).Civil()
	return int64(yy), int64(mm), int64(dd)
}

// appendID appends a source record id: prefix and 12 zero-padded digits.
func appendID(b []byte, prefix string, n int64) []byte {
	b = append(b, prefix...)
	var tmp [12]byte
	for i := 11; i >= 0; i-- {
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, tmp[:]...)
}

// userModulus and userMultiplier scramble user numbers into raw user
// references: multiplication by a number prime to 10^10 is a bijection
// modulo 10^10, so distinct users keep distinct references.
const (
	userModulus    = 10_000_000_000
	userMultiplier = 3_141_592_653
)

// appendUser appends the raw user reference of user number u (U and 10
// digits); a negative u means no user and appends nothing.
func appendUser(b []byte, u int64) []byte {
	if u < 0 {
		return b
	}
	hi, lo := bits.Mul64(uint64(u), userMultiplier)
	n := bits.Rem64(hi, lo, userModulus)
	b = append(b, 'U')
	var tmp [10]byte
	for i := 9; i >= 0; i-- {
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, tmp[:]...)
}

// appendCSV appends one CSV field, quoted when it must be (RFC 4180).
func appendCSV(b []byte, s string) []byte {
	needs := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			needs = true
		}
	}
	if len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		needs = true
	}
	if !needs {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }
