package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
)

// A nativeBlock builds the columns of one insert in ClickHouse's native
// format and loads them into the batch's columns with their Decode, as
// clickhouse-go reads a block from the server; Send then encodes them back
// unchanged (a decoded LowCardinality column keeps its dictionary and
// keys; the tests compare the stored rows with Append's). This is for the
// client's CPU: clickhouse-go's Append boxes every value, LowCardinality's
// through reflection and then as the key of a map[any]int, and String's
// grows its buffer a quarter at a time. Strings of LowCardinality columns
// are dictionary-encoded here, so the server still gets dictionaries
// (plain strings would cost it more).
type nativeBlock struct {
	target []column.Interface
	cols   []nativeCol
	segs   []io.Reader
	rds    []bytes.Reader
}

// colKind is what a column takes: the Go value appended and the ClickHouse
// types that store it (checkKind).
type colKind uint8

const (
	kindStr          colKind = iota // String or LowCardinality(String)
	kindDateTime                    // DateTime, any time zone
	kindDate                        // Date
	kindNullDateTime                // Nullable(DateTime)
	kindNullDate                    // Nullable(Date)
	kindEnum8                       // Enum8, appended by name
	kindStrArray                    // Array(String)
	kindUInt8Array                  // Array(UInt8)
	kindUInt64                      // UInt64
	kindUInt8                       // UInt8 (a flag: 0 or 1)
	kindUInt32                      // UInt32
	kindNullUInt32                  // Nullable(UInt32)
	kindEnum8Array                  // Array(Enum8), appended by name
)

// nativeCol is one column's data. LowCardinality strings and Enum8 names
// go into a dictionary and a key per row.
type nativeCol struct {
	kind  colKind
	lc    bool   // LowCardinality(String)
	data  []byte // values in the native format
	nulls []byte // Nullable: 1 for NULL
	offs  []byte // Array: cumulative UInt64 offsets
	head  []byte // LowCardinality: header and dictionary
	nelem uint64 // Array: elements so far
	n     int    // String: rows so far

	vals    []string          // dictionary, by key
	dict    map[string]uint32 // vals' keys, once too many to scan
	keys    []uint32
	last    string // the previous value and its key
	lastKey uint32
}

// Blocks and their buffers are reused: concurrent inserts each get their
// own from the pool.
var nativeBlocks = sync.Pool{New: func() any { return new(nativeBlock) }}

// newNativeBlock returns an empty block for target, the batch's columns,
// after checking that their types take the kinds the caller appends.
func newNativeBlock(target []column.Interface, kinds []colKind) (*nativeBlock, error) {
	if len(target) != len(kinds) {
		return nil, fmt.Errorf("%d columns, want %d", len(target), len(kinds))
	}
	nb := nativeBlocks.Get().(*nativeBlock)
	nb.target = target
	if cap(nb.cols) < len(kinds) {
		nb.cols = make([]nativeCol, len(kinds))
	}
	nb.cols = nb.cols[:len(kinds)]
	for i, k := range kinds {
		lc, err := checkKind(target[i].Type(), k)
		if err != nil {
			nb.release()
			return nil, fmt.Errorf("column %s: %w", target[i].Name(), err)
		}
		nb.cols[i].reset(k, lc)
	}
	return nb, nil
}

// checkKind reports whether a column of type t takes kind k, and whether
// it is LowCardinality(String). String columns take either: the server
// sends String for LowCardinality where low_cardinality_allow_in_native_format
// is 0 for the session (per query, 18.16 ignores it).
func checkKind(t column.Type, k colKind) (lc bool, err error) {
	s := string(t)
	isDateTime := func(s string) bool { return s == "DateTime" || strings.HasPrefix(s, "DateTime(") }
	ok := false
	switch k {
	case kindStr:
		lc = s == "LowCardinality(String)"
		ok = lc || s == "String"
	case kindDateTime:
		ok = isDateTime(s)
	case kindDate:
		ok = s == "Date"
	case kindNullDateTime:
		inner, found := strings.CutPrefix(s, "Nullable(")
		ok = found && isDateTime(strings.TrimSuffix(inner, ")"))
	case kindNullDate:
		ok = s == "Nullable(Date)"
	case kindEnum8:
		ok = strings.HasPrefix(s, "Enum8(")
	case kindStrArray:
		ok = s == "Array(String)"
	case kindUInt8Array:
		ok = s == "Array(UInt8)"
	case kindUInt64:
		ok = s == "UInt64"
	case kindUInt8:
		ok = s == "UInt8"
	case kindUInt32:
		ok = s == "UInt32"
	case kindNullUInt32:
		ok = s == "Nullable(UInt32)"
	case kindEnum8Array:
		ok = strings.HasPrefix(s, "Array(Enum8(")
	}
	if !ok {
		return false, fmt.Errorf("unexpected type %s", s)
	}
	return lc, nil
}

// release returns the block to the pool, keeping its buffers but no
// reference to the rows' strings.
func (nb *nativeBlock) release() {
	nb.target = nil
	clear(nb.segs)
	nb.segs = nb.segs[:0]
	for i := range nb.rds {
		nb.rds[i].Reset(nil)
	}
	for i := range nb.cols {
		nb.cols[i].reset(nb.cols[i].kind, false)
	}
	nativeBlocks.Put(nb)
}

func (c *nativeCol) reset(k colKind, lc bool) {
	c.kind, c.lc = k, lc
	c.data, c.nulls, c.offs, c.head = c.data[:0], c.nulls[:0], c.offs[:0], c.head[:0]
	c.nelem, c.n = 0, 0
	clear(c.vals)
	clear(c.dict)
	c.vals, c.keys = c.vals[:0], c.keys[:0]
	c.last, c.lastKey = "", 0
	if lc {
		// Key 0 is the type's default, as clickhouse-go and the server do.
		c.vals = append(c.vals, "")
	}
}

func (c *nativeCol) str(s string) {
	if c.lc {
		c.keys = append(c.keys, c.key(s))
		return
	}
	c.data = appendStr(c.data, s)
	c.n++
}

func appendStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// enum appends an Enum8 by name; load turns names into values.
func (c *nativeCol) enum(s string) { c.keys = append(c.keys, c.key(s)) }

// scanMax is the size up to which a dictionary is scanned rather than
// hashed: comparing a few short strings is cheaper.
const scanMax = 16

// key returns the dictionary key of s, adding s if new.
func (c *nativeCol) key(s string) uint32 {
	if len(c.vals) > 0 && s == c.last {
		return c.lastKey
	}
	k, ok := uint32(0), false
	if len(c.vals) <= scanMax {
		for i, v := range c.vals {
			if v == s {
				k, ok = uint32(i), true
				break
			}
		}
	} else {
		k, ok = c.dict[s]
	}
	if !ok {
		k = uint32(len(c.vals))
		c.vals = append(c.vals, s)
		switch {
		case len(c.vals) == scanMax+1:
			if c.dict == nil {
				c.dict = make(map[string]uint32)
			}
			for i, v := range c.vals {
				c.dict[v] = uint32(i)
			}
		case len(c.vals) > scanMax+1:
			c.dict[s] = k
		}
	}
	c.last, c.lastKey = s, k
	return k
}

// dateTime and date convert as clickhouse-go's Append does.
func (c *nativeCol) dateTime(t time.Time) {
	c.data = binary.LittleEndian.AppendUint32(c.data, uint32(chproto.ToDateTime(t)))
}

func (c *nativeCol) uint64(v uint64) { c.data = binary.LittleEndian.AppendUint64(c.data, v) }

func (c *nativeCol) flag(v bool) {
	var b byte
	if v {
		b = 1
	}
	c.data = append(c.data, b)
}

func (c *nativeCol) uint32(v uint32) { c.data = binary.LittleEndian.AppendUint32(c.data, v) }

func (c *nativeCol) nullUint32(v *uint32) {
	if v == nil {
		c.nulls = append(c.nulls, 1)
		c.data = binary.LittleEndian.AppendUint32(c.data, 0)
		return
	}
	c.nulls = append(c.nulls, 0)
	c.uint32(*v)
}

func (c *nativeCol) date(t time.Time) {
	c.data = binary.LittleEndian.AppendUint16(c.data, uint16(chproto.ToDate(t)))
}

func (c *nativeCol) nullDateTime(t *time.Time) {
	if t == nil {
		c.nulls = append(c.nulls, 1)
		c.data = binary.LittleEndian.AppendUint32(c.data, 0)
		return
	}
	c.nulls = append(c.nulls, 0)
	c.dateTime(*t)
}

func (c *nativeCol) nullDate(t *time.Time) {
	if t == nil {
		c.nulls = append(c.nulls, 1)
		c.data = binary.LittleEndian.AppendUint16(c.data, 0)
		return
	}
	c.nulls = append(c.nulls, 0)
	c.date(*t)
}

func (c *nativeCol) strs(v []string) {
	for _, s := range v {
		c.data = appendStr(c.data, s)
	}
	c.nelem += uint64(len(v))
	c.offs = binary.LittleEndian.AppendUint64(c.offs, c.nelem)
}

func (c *nativeCol) uint8s(v []uint8) {
	c.data = append(c.data, v...)
	c.nelem += uint64(len(v))
	c.offs = binary.LittleEndian.AppendUint64(c.offs, c.nelem)
}

// enums appends an Array(Enum8) by names; load turns names into values.
func (c *nativeCol) enums(v []string) {
	for _, s := range v {
		c.keys = append(c.keys, c.key(s))
	}
	c.nelem += uint64(len(v))
	c.offs = binary.LittleEndian.AppendUint64(c.offs, c.nelem)
}

func (c *nativeCol) rows() int {
	switch {
	case c.kind == kindEnum8Array:
		return len(c.offs) / 8
	case c.lc || c.kind == kindEnum8:
		return len(c.keys)
	case c.kind == kindStr:
		return c.n
	case c.kind == kindDateTime:
		return len(c.data) / 4
	case c.kind == kindDate:
		return len(c.data) / 2
	case c.kind == kindUInt64:
		return len(c.data) / 8
	case c.kind == kindUInt8:
		return len(c.data)
	case c.kind == kindUInt32:
		return len(c.data) / 4
	case c.kind == kindNullDateTime || c.kind == kindNullDate || c.kind == kindNullUInt32:
		return len(c.nulls)
	}
	return len(c.offs) / 8
}

// LowCardinality keys are 1, 2 or 4 bytes, and each block carries its
// dictionary ("additional keys").
const (
	lcKeyUInt8, lcKeyUInt16, lcKeyUInt32 = 0, 1, 2
	lcHasAdditionalKeys                  = 1 << 9
)

// finish completes the column's data for target and appends it to segs.
func (c *nativeCol) finish(target column.Interface, segs []io.Reader, rd func([]byte) io.Reader) ([]io.Reader, error) {
	switch {
	case c.kind == kindEnum8 || c.kind == kindEnum8Array:
		t := target.Type()
		if c.kind == kindEnum8Array {
			t = column.Type(strings.TrimSuffix(strings.TrimPrefix(string(t), "Array("), ")"))
			segs = append(segs, rd(c.offs))
		}
		codes, err := enumCodes(t, c.vals)
		if err != nil {
			return nil, err
		}
		for _, k := range c.keys {
			c.data = append(c.data, codes[k])
		}
	case c.lc:
		width := lcKeyUInt8
		switch {
		case len(c.vals) > 1<<16:
			width = lcKeyUInt32
		case len(c.vals) > 1<<8:
			width = lcKeyUInt16
		}
		h := binary.LittleEndian.AppendUint64(c.head, lcHasAdditionalKeys|uint64(width))
		h = binary.LittleEndian.AppendUint64(h, uint64(len(c.vals)))
		for _, v := range c.vals {
			h = appendStr(h, v)
		}
		c.head = binary.LittleEndian.AppendUint64(h, uint64(len(c.keys)))
		segs = append(segs, rd(c.head))
		switch width {
		case lcKeyUInt8:
			for _, k := range c.keys {
				c.data = append(c.data, byte(k))
			}
		case lcKeyUInt16:
			for _, k := range c.keys {
				c.data = binary.LittleEndian.AppendUint16(c.data, uint16(k))
			}
		default:
			for _, k := range c.keys {
				c.data = binary.LittleEndian.AppendUint32(c.data, k)
			}
		}
	case c.kind == kindNullDateTime || c.kind == kindNullDate || c.kind == kindNullUInt32:
		segs = append(segs, rd(c.nulls))
	case c.kind == kindStrArray || c.kind == kindUInt8Array:
		segs = append(segs, rd(c.offs))
	}
	return append(segs, rd(c.data)), nil
}

// enumCodes returns the values of names in an Enum8 of type t, as
// clickhouse-go maps them (and with its error for an unknown name).
func enumCodes(t column.Type, names []string) ([]byte, error) {
	col, err := t.Column("", nil)
	if err != nil {
		return nil, err
	}
	for _, s := range names {
		if err := col.AppendRow(s); err != nil {
			return nil, err
		}
	}
	var buf chproto.Buffer
	col.Encode(&buf)
	if len(buf.Buf) != len(names) {
		return nil, fmt.Errorf("%s: %d bytes for %d values", t, len(buf.Buf), len(names))
	}
	return buf.Buf, nil
}

// load decodes the built columns, of rows rows each, into the batch's
// columns (which copy the data) and returns the block to the pool.
func (nb *nativeBlock) load(rows int) error {
	defer nb.release()
	if cap(nb.rds) < 2*len(nb.cols) {
		nb.rds = make([]bytes.Reader, 2*len(nb.cols))
	}
	used := 0
	rd := func(b []byte) io.Reader {
		r := &nb.rds[used]
		used++
		r.Reset(b)
		return r
	}
	for i := range nb.cols {
		// A column short of rows would make the next one decode its data.
		if n := nb.cols[i].rows(); n != rows {
			return fmt.Errorf("column %s: %d rows, want %d", nb.target[i].Name(), n, rows)
		}
		var err error
		if nb.segs, err = nb.cols[i].finish(nb.target[i], nb.segs, rd); err != nil {
			return fmt.Errorf("column %s: %w", nb.target[i].Name(), err)
		}
	}
	r := chproto.NewReader(io.MultiReader(nb.segs...))
	for _, col := range nb.target {
		if err := col.Decode(r, rows); err != nil {
			return fmt.Errorf("column %s: %w", col.Name(), err)
		}
	}
	return nil
}
