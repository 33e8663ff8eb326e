package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Inserts go through PrepareBatch with an explicit column list: the only
// insert path that works on 18.16 and current servers alike. Each call is
// one INSERT; callers keep it to at most 100 partitions (months). The
// columns are built in the native format (see nativeBlock).

// A table's columns are given once, by its spec: a function that writes
// one row column by column, each with its name, its kind and its value:
// w.str("source").put(r.Source), w.dateTime("arrived_at").put(r.ArrivedAt).
// Run once on an empty row, the spec describes the table: the INSERT
// statement and the kinds checked against the server's column types. Run
// per row, it appends the values to the native columns. The kind is the
// writer's method and put takes only that kind's Go type, so a column
// cannot be declared one kind and written as another; and every call
// inlines to the nativeCol append, as fast as a hand-written row would be.

// A rowWriter is what a spec writes a row into.
type rowWriter struct {
	cols []nativeCol // the insert's columns
	i    int         // the next column

	describing bool
	names      []string // the columns met while describing
	kinds      []colKind
	discard    nativeCol // takes the values written while describing
}

// col returns the column to append the next value to.
func (w *rowWriter) col(name string, k colKind) *nativeCol {
	if w.describing {
		w.names = append(w.names, name)
		w.kinds = append(w.kinds, k)
		return &w.discard
	}
	c := &w.cols[w.i]
	w.i++
	return c
}

// A column of each kind, with put taking its Go type.
type (
	strCol          nativeCol
	dateTimeCol     nativeCol
	dateCol         nativeCol
	nullDateTimeCol nativeCol
	nullDateCol     nativeCol
	enumCol         nativeCol // Enum8, put by name
	strArrayCol     nativeCol
	uint8ArrayCol   nativeCol
	uint64Col       nativeCol
	flagCol         nativeCol
	uint32Col       nativeCol
	nullUint32Col   nativeCol
	enumArrayCol    nativeCol // Array(Enum8), put by names
)

func (w *rowWriter) str(name string) *strCol { return (*strCol)(w.col(name, kindStr)) }
func (w *rowWriter) dateTime(name string) *dateTimeCol {
	return (*dateTimeCol)(w.col(name, kindDateTime))
}
func (w *rowWriter) date(name string) *dateCol { return (*dateCol)(w.col(name, kindDate)) }
func (w *rowWriter) nullDateTime(name string) *nullDateTimeCol {
	return (*nullDateTimeCol)(w.col(name, kindNullDateTime))
}
func (w *rowWriter) nullDate(name string) *nullDateCol {
	return (*nullDateCol)(w.col(name, kindNullDate))
}
func (w *rowWriter) enum(name string) *enumCol { return (*enumCol)(w.col(name, kindEnum8)) }
func (w *rowWriter) strArray(name string) *strArrayCol {
	return (*strArrayCol)(w.col(name, kindStrArray))
}
func (w *rowWriter) uint64(name string) *uint64Col { return (*uint64Col)(w.col(name, kindUInt64)) }
func (w *rowWriter) flag(name string) *flagCol     { return (*flagCol)(w.col(name, kindUInt8)) }
func (w *rowWriter) uint32(name string) *uint32Col { return (*uint32Col)(w.col(name, kindUInt32)) }
func (w *rowWriter) nullUint32(name string) *nullUint32Col {
	return (*nullUint32Col)(w.col(name, kindNullUInt32))
}
func (w *rowWriter) enumArray(name string) *enumArrayCol {
	return (*enumArrayCol)(w.col(name, kindEnum8Array))
}
func (w *rowWriter) uint8Array(name string) *uint8ArrayCol {
	return (*uint8ArrayCol)(w.col(name, kindUInt8Array))
}

func (c *strCol) put(v string)              { (*nativeCol)(c).str(v) }
func (c *dateTimeCol) put(v time.Time)      { (*nativeCol)(c).dateTime(v) }
func (c *dateCol) put(v time.Time)          { (*nativeCol)(c).date(v) }
func (c *nullDateTimeCol) put(v *time.Time) { (*nativeCol)(c).nullDateTime(v) }
func (c *nullDateCol) put(v *time.Time)     { (*nativeCol)(c).nullDate(v) }
func (c *enumCol) put(v string)             { (*nativeCol)(c).enum(v) }
func (c *strArrayCol) put(v []string)       { (*nativeCol)(c).strs(v) }
func (c *uint8ArrayCol) put(v []uint8)      { (*nativeCol)(c).uint8s(v) }
func (c *uint64Col) put(v uint64)           { (*nativeCol)(c).uint64(v) }
func (c *flagCol) put(v bool)               { (*nativeCol)(c).flag(v) }
func (c *uint32Col) put(v uint32)           { (*nativeCol)(c).uint32(v) }
func (c *nullUint32Col) put(v *uint32)      { (*nativeCol)(c).nullUint32(v) }
func (c *enumArrayCol) put(v []string)      { (*nativeCol)(c).enums(v) }

// A table is what an insert needs of a table, derived from its spec.
type table struct {
	what  string // for errors: "insert contacts"
	query string // INSERT INTO name (names…)
	names []string
	kinds []colKind
}

// newTable describes table name from its spec, which writes an empty row
// for it.
func newTable(name, what string, spec func(*rowWriter)) *table {
	w := rowWriter{describing: true}
	spec(&w)
	return &table{what: what, query: "INSERT INTO " + name + " (" + strings.Join(w.names, ", ") + ")", names: w.names, kinds: w.kinds}
}

// An insert is one INSERT into a table, its rows encoded into a nativeBlock
// as the table's spec writes them. It holds a connection until send or
// abort.
type insert struct {
	t    *table
	b    driver.Batch
	nb   *nativeBlock
	w    rowWriter
	rows int
}

func newInsert(ctx context.Context, db *DB, t *table) (*insert, error) {
	b, err := db.conn.PrepareBatch(ctx, t.query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.what, err)
	}
	nb, err := newNativeBlock(b.Columns(), t.kinds)
	if err != nil {
		_ = b.Abort()
		return nil, fmt.Errorf("%s: %w", t.what, err)
	}
	return &insert{t: t, b: b, nb: nb, w: rowWriter{cols: nb.cols}}, nil
}

// row returns the writer of one more row.
func (in *insert) row() *rowWriter {
	in.w.i = 0
	in.rows++
	return &in.w
}

// send writes the insert (nothing when it has no row).
func (in *insert) send() error {
	if in.rows == 0 {
		in.abort()
		return nil
	}
	if err := in.nb.load(in.rows); err != nil { // load releases the block
		_ = in.b.Abort()
		return fmt.Errorf("%s: %w", in.t.what, err)
	}
	if err := in.b.Send(); err != nil {
		return fmt.Errorf("%s: %w", in.t.what, err)
	}
	return nil
}

func (in *insert) abort() {
	in.nb.release()
	_ = in.b.Abort()
}
