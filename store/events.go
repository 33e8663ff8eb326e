package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"globaloffice/model"
)

// Inserts go through PrepareBatch with an explicit column list: the only
// insert path that works on 18.16 and current servers alike. Each call is
// one INSERT; callers keep it to at most 100 partitions (months). The
// columns are built in the native format (see nativeBlock).

// contactColumns are the kinds of the contacts insert's columns, in order.
var contactColumns = []colKind{kindStr, kindStr, kindStr, kindStr, kindDateTime, kindDate, kindNullDateTime, kindNullDateTime, kindEnum8, kindStr, kindStr, kindStr, kindDateTime}

// InsertContacts writes contacts as one insert.
func (db *DB) InsertContacts(ctx context.Context, rows []model.Contact, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	cb, err := db.NewContactBatch(ctx, ingestedAt)
	if err != nil {
		return err
	}
	for i := range rows {
		cb.Append(&rows[i])
	}
	return cb.Send()
}

// nativeInsert is one insert whose columns are built in a nativeBlock.
type nativeInsert struct {
	what string // for errors: "insert contacts"
	b    driver.Batch
	nb   *nativeBlock
	rows int
}

func (db *DB) prepareNative(ctx context.Context, what, query string, kinds []colKind) (*nativeInsert, error) {
	b, err := db.conn.PrepareBatch(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	nb, err := newNativeBlock(b.Columns(), kinds)
	if err != nil {
		_ = b.Abort()
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &nativeInsert{what: what, b: b, nb: nb}, nil
}

// send writes the insert (nothing when it has no row).
func (n *nativeInsert) send() error {
	if n.rows == 0 {
		n.abort()
		return nil
	}
	if err := n.nb.load(n.rows); err != nil { // load releases the block
		_ = n.b.Abort()
		return fmt.Errorf("%s: %w", n.what, err)
	}
	if err := n.b.Send(); err != nil {
		return fmt.Errorf("%s: %w", n.what, err)
	}
	return nil
}

func (n *nativeInsert) abort() {
	n.nb.release()
	_ = n.b.Abort()
}

// ContactBatch is one insert of contacts filled over time. Rows are encoded
// into the native columns as they are appended (some 70 bytes a row), so a
// caller gathering a large insert need not keep the rows themselves. It
// holds a connection until Send or Abort.
type ContactBatch struct {
	ins        *nativeInsert
	ingestedAt time.Time
}

// NewContactBatch starts an insert of contacts; ctx bounds it until Send.
func (db *DB) NewContactBatch(ctx context.Context, ingestedAt time.Time) (*ContactBatch, error) {
	ins, err := db.prepareNative(ctx, "insert contacts", `INSERT INTO contacts (source, id, site, channel, arrived_at, arrived_date, answered_at, ended_at, outcome, motive, user_ref, team, ingested_at)`, contactColumns)
	if err != nil {
		return nil, err
	}
	return &ContactBatch{ins: ins, ingestedAt: ingestedAt}, nil
}

// Append adds one contact.
func (cb *ContactBatch) Append(r *model.Contact) {
	c := cb.ins.nb.cols
	c[0].str(r.Source)
	c[1].str(r.ID)
	c[2].str(r.Site)
	c[3].str(string(r.Channel))
	c[4].dateTime(r.ArrivedAt)
	c[5].date(r.ArrivedDate)
	c[6].nullDateTime(r.AnsweredAt)
	c[7].nullDateTime(r.EndedAt)
	c[8].enum(string(r.Outcome))
	c[9].str(r.Motive)
	c[10].str(r.UserRef)
	c[11].str(r.Team)
	c[12].dateTime(cb.ingestedAt)
	cb.ins.rows++
}

// Rows is the number of contacts appended.
func (cb *ContactBatch) Rows() int { return cb.ins.rows }

// Send writes the insert (nothing when no row was appended).
func (cb *ContactBatch) Send() error { return cb.ins.send() }

// Abort gives the insert up.
func (cb *ContactBatch) Abort() { cb.ins.abort() }

var caseColumns = []colKind{kindStr, kindStr, kindStr, kindStr, kindStr, kindDateTime, kindDate, kindNullDateTime, kindNullDate, kindEnum8, kindStr, kindDateTime, kindDateTime}

// InsertCases writes case versions as one insert.
func (db *DB) InsertCases(ctx context.Context, rows []model.Case, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	ins, err := db.prepareNative(ctx, "insert cases", `INSERT INTO cases (source, id, site, kind, channel, received_at, received_date, completed_at, completed_date, status, user_ref, updated_at, ingested_at)`, caseColumns)
	if err != nil {
		return err
	}
	c := ins.nb.cols
	for i := range rows {
		r := &rows[i]
		c[0].str(r.Source)
		c[1].str(r.ID)
		c[2].str(r.Site)
		c[3].str(string(r.Kind))
		c[4].str(string(r.Channel))
		c[5].dateTime(r.ReceivedAt)
		c[6].date(r.ReceivedDate)
		c[7].nullDateTime(r.CompletedAt)
		c[8].nullDate(r.CompletedDate)
		c[9].enum(string(r.Status))
		c[10].str(r.UserRef)
		c[11].dateTime(r.UpdatedAt)
		c[12].dateTime(ingestedAt)
	}
	ins.rows = len(rows)
	return ins.send()
}

var surveyColumns = []colKind{kindStr, kindStr, kindStr, kindStr, kindStr, kindEnum8, kindDateTime, kindDate, kindStr, kindEnum8, kindStrArray, kindUInt8Array, kindStr, kindDateTime}

// InsertSurveys writes survey responses as one insert, each response's
// scores as dimensions in name order and their values.
func (db *DB) InsertSurveys(ctx context.Context, rows []model.SurveyResponse, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	ins, err := db.prepareNative(ctx, "insert surveys", `INSERT INTO survey_responses (source, id, site, channel, survey, mode, answered_at, answered_date, contact_id, scale, dimensions, scores, comment, ingested_at)`, surveyColumns)
	if err != nil {
		return err
	}
	c := ins.nb.cols
	var dims []string
	var scores []uint8
	for i := range rows {
		r := &rows[i]
		dims = dims[:0]
		for d := range r.Scores {
			dims = append(dims, d)
		}
		sort.Strings(dims)
		scores = scores[:0]
		for _, d := range dims {
			scores = append(scores, uint8(r.Scores[d]))
		}
		c[0].str(r.Source)
		c[1].str(r.ID)
		c[2].str(r.Site)
		c[3].str(string(r.Channel))
		c[4].str(r.Survey)
		c[5].enum(string(r.Mode))
		c[6].dateTime(r.AnsweredAt)
		c[7].date(r.AnsweredDate)
		c[8].str(r.ContactID)
		c[9].enum(string(r.Scale))
		c[10].strs(dims)
		c[11].uint8s(scores)
		c[12].str(r.Comment)
		c[13].dateTime(ingestedAt)
	}
	ins.rows = len(rows)
	return ins.send()
}

// A nativeBlock builds the columns of one insert in ClickHouse's native
// format and loads them into the batch's columns with their Decode, as
// clickhouse-go reads a block from the server; Send then encodes them back
// unchanged (a decoded LowCardinality column keeps its dictionary and
// keys; the tests compare the stored rows with Append's). Append would cost about 1 µs of CPU a contact: it boxes every
// value, LowCardinality's through reflection and then as the key of a
// map[any]int, and String's grows its buffer a quarter at a time. Strings
// of LowCardinality columns are dictionary-encoded here, so the server
// still gets dictionaries (plain strings would cost it more).
type nativeBlock struct {
	target []column.Interface
	cols   []nativeCol
	segs   []io.Reader
	rds    []bytes.Reader
}

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

func (c *nativeCol) rows() int {
	switch {
	case c.lc || c.kind == kindEnum8:
		return len(c.keys)
	case c.kind == kindStr:
		return c.n
	case c.kind == kindDateTime:
		return len(c.data) / 4
	case c.kind == kindDate:
		return len(c.data) / 2
	case c.kind == kindNullDateTime || c.kind == kindNullDate:
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
	case c.kind == kindEnum8:
		codes, err := enumCodes(target.Type(), c.vals)
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
	case c.kind == kindNullDateTime || c.kind == kindNullDate:
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

// Reject is a refused record kept for operators.
type Reject struct {
	RejectedAt time.Time
	Kind       string // contacts, cases, surveys
	Source     string
	Origin     string // file name or request id
	Line       uint32 // line, or 1-based position in a JSON array
	Field      string
	Reason     string
	Raw        string
}

// InsertRejects writes rejects as one insert.
func (db *DB) InsertRejects(ctx context.Context, rows []Reject) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := db.conn.PrepareBatch(ctx, `INSERT INTO ingest_rejects (rejected_at, kind, source, origin, line, field, reason, raw)`)
	if err != nil {
		return fmt.Errorf("insert rejects: %w", err)
	}
	for _, r := range rows {
		if err := b.Append(r.RejectedAt, r.Kind, r.Source, r.Origin, r.Line, r.Field, r.Reason, r.Raw); err != nil {
			_ = b.Abort()
			return fmt.Errorf("insert rejects: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert rejects: %w", err)
	}
	return nil
}

// RejectFilter narrows ListRejects.
type RejectFilter struct {
	Kind   string
	Source string
	Since  time.Time
	Limit  int
}

// ListRejects returns the newest rejects first.
func (db *DB) ListRejects(ctx context.Context, f RejectFilter) ([]Reject, error) {
	q := `SELECT rejected_at, toString(kind), source, origin, line, field, reason, raw FROM ingest_rejects WHERE rejected_at >= ?`
	args := []any{f.Since.UTC()}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.Source != "" {
		q += ` AND source = ?`
		args = append(args, f.Source)
	}
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 100
	}
	q += fmt.Sprintf(` ORDER BY rejected_at DESC, origin, line LIMIT %d`, f.Limit)
	rows, err := db.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list rejects: %w", err)
	}
	defer rows.Close()
	var out []Reject
	for rows.Next() {
		var r Reject
		if err := rows.Scan(&r.RejectedAt, &r.Kind, &r.Source, &r.Origin, &r.Line, &r.Field, &r.Reason, &r.Raw); err != nil {
			return nil, fmt.Errorf("list rejects: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// lookupChunk bounds the ids in one IN list, and lookupBytes their quoted
// size, so that the query stays under max_query_size (256 KiB): long ids
// (4,000 of 64 characters) would exceed it.
const (
	lookupChunk = 4000
	lookupBytes = 200_000
)

// ExistingKeys returns, for the given ids of one source, the ones already
// stored in table (contacts or survey_responses) mapped to their newest
// version (updated_at for cases, zero time otherwise).
func (db *DB) ExistingKeys(ctx context.Context, table, source string, ids []string) (map[string]time.Time, error) {
	var version string
	switch table {
	case "contacts", "survey_responses":
		version = "toDateTime(0, 'UTC')"
	case "cases":
		version = "max(updated_at)"
	default:
		return nil, fmt.Errorf("existing keys: unknown table %q", table)
	}
	out := make(map[string]time.Time)
	for start, end := 0, 0; start < len(ids); start = end {
		// Quoting escapes at most every byte: 2 bytes each, quotes and ", ".
		for size := 0; end < len(ids) && end-start < lookupChunk; end++ {
			size += 2*len(ids[end]) + 4
			if size > lookupBytes && end > start {
				break
			}
		}
		set := make([]any, 0, end-start)
		for _, id := range ids[start:end] {
			set = append(set, id)
		}
		rows, err := db.conn.Query(ctx, fmt.Sprintf(`SELECT id, %s FROM %s WHERE source = ? AND id IN ? GROUP BY id`, version, table), source, clickhouse.GroupSet{Value: set})
		if err != nil {
			return nil, fmt.Errorf("existing %s keys: %w", table, err)
		}
		for rows.Next() {
			var id string
			var v time.Time
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return nil, fmt.Errorf("existing %s keys: %w", table, err)
			}
			out[id] = v
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("existing %s keys: %w", table, err)
		}
	}
	return out, nil
}

// KeyHashes streams cityHash64(source || 0x00 || id) of every row of table
// (contacts, cases or survey_responses) and returns how many there were.
func (db *DB) KeyHashes(ctx context.Context, table string, fn func(uint64)) (int, error) {
	switch table {
	case "contacts", "cases", "survey_responses":
	default:
		return 0, fmt.Errorf("key hashes: unknown table %q", table)
	}
	rows, err := db.conn.Query(ctx, fmt.Sprintf(`SELECT cityHash64(concat(toString(source), '\0', id)) FROM %s`, table))
	if err != nil {
		return 0, fmt.Errorf("key hashes of %s: %w", table, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var h uint64
		if err := rows.Scan(&h); err != nil {
			return n, fmt.Errorf("key hashes of %s: %w", table, err)
		}
		fn(h)
		n++
	}
	return n, rows.Err()
}

// RowCount is the number of rows of a table (before merges collapse
// replaced versions).
func (db *DB) RowCount(ctx context.Context, table string) (uint64, error) {
	var n uint64
	if !ValidIdentifier(table) {
		return 0, fmt.Errorf("row count: bad table name %q", table)
	}
	if err := db.conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("row count of %s: %w", table, err)
	}
	return n, nil
}

// TableRows counts the rows of the main tables (FINAL: one per record).
func (db *DB) TableRows(ctx context.Context) (map[string]uint64, error) {
	out := map[string]uint64{}
	for _, q := range []struct{ name, sql string }{
		{"sites", "SELECT count() FROM sites FINAL"},
		{"contacts", "SELECT count() FROM contacts FINAL"},
		{"cases", "SELECT count() FROM cases FINAL"},
		{"survey_responses", "SELECT count() FROM survey_responses FINAL"},
		{"targets", "SELECT count() FROM targets"},
		{"ingest_rejects", "SELECT count() FROM ingest_rejects"},
	} {
		var n uint64
		if err := db.conn.QueryRow(ctx, q.sql).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", q.name, err)
		}
		out[q.name] = n
	}
	return out, nil
}
