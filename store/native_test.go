package store

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/column"

	"globaloffice/model"
)

// These tests need no server: they check the native encoding byte by byte,
// and that clickhouse-go's own Decode reads it back. The tests against
// ClickHouse (tables_test.go) check that the server stores what Append
// would.

func TestCheckKind(t *testing.T) {
	f := func(typ string, k colKind, wantLC, wantOK bool) {
		t.Helper()
		lc, err := checkKind(column.Type(typ), k)
		if wantOK && (err != nil || lc != wantLC) {
			t.Errorf("checkKind(%s, %d) = %v, %v; want %v, nil", typ, k, lc, err, wantLC)
		}
		if !wantOK && (err == nil || err.Error() != "unexpected type "+typ) {
			t.Errorf("checkKind(%s, %d) = %v, %v; want the error unexpected type %s", typ, k, lc, err, typ)
		}
	}
	f("String", kindStr, false, true)
	f("LowCardinality(String)", kindStr, true, true)
	f("LowCardinality(Nullable(String))", kindStr, false, false)
	f("FixedString(3)", kindStr, false, false)
	f("DateTime", kindDateTime, false, true)
	f("DateTime('Europe/Paris')", kindDateTime, false, true)
	f("DateTime64(3)", kindDateTime, false, false)
	f("Date", kindDateTime, false, false)
	f("Date", kindDate, false, true)
	f("Date32", kindDate, false, false)
	f("Nullable(DateTime)", kindNullDateTime, false, true)
	f("Nullable(DateTime('UTC'))", kindNullDateTime, false, true)
	f("Nullable(Date)", kindNullDateTime, false, false)
	f("DateTime('UTC')", kindNullDateTime, false, false)
	f("Nullable(Date)", kindNullDate, false, true)
	f("Date", kindNullDate, false, false)
	f("Enum8('a' = 1, 'b' = 2)", kindEnum8, false, true)
	f("Enum16('a' = 1)", kindEnum8, false, false)
	f("String", kindEnum8, false, false)
	f("Array(String)", kindStrArray, false, true)
	f("Array(LowCardinality(String))", kindStrArray, false, false)
	f("Array(UInt8)", kindUInt8Array, false, true)
	f("Array(UInt16)", kindUInt8Array, false, false)
	f("UInt32", kindUInt32, false, true)
	f("UInt64", kindUInt32, false, false)
	f("Nullable(UInt32)", kindNullUInt32, false, true)
	f("UInt32", kindNullUInt32, false, false)
	f("Nullable(UInt16)", kindNullUInt32, false, false)
	f("Array(Enum8('1-4' = 1, '1-5' = 2, '0-10' = 3))", kindEnum8Array, false, true)
	f("Array(String)", kindEnum8Array, false, false)
	f("Enum8('a' = 1)", kindEnum8Array, false, false)
}

// target returns a clickhouse-go column of type typ, as a batch has.
func target(t testing.TB, name, typ string) column.Interface {
	t.Helper()
	col, err := column.Type(typ).Column(name, &column.ServerContext{Timezone: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return col
}

// le64 is v as 8 little-endian bytes.
func le64(v uint64) []byte {
	return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24), byte(v >> 32), byte(v >> 40), byte(v >> 48), byte(v >> 56)}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestNativeColEncoding(t *testing.T) {
	// 2025-01-06 00:00:00 UTC is 1736121600 s = 0x677B1D00, day 20094 = 0x4E7E.
	day := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	f := func(typ string, k colKind, write func(c *nativeCol), want []byte) {
		t.Helper()
		tc := target(t, "c", typ)
		lc, err := checkKind(tc.Type(), k)
		if err != nil {
			t.Fatal(err)
		}
		var c nativeCol
		c.reset(k, lc)
		write(&c)
		segs, err := c.finish(tc, nil, func(b []byte) io.Reader { return bytes.NewReader(b) })
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		got, _ := io.ReadAll(io.MultiReader(segs...))
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got % x\nwant % x", typ, got, want)
		}
	}
	// String: a varint length, then the bytes (é is 2 bytes).
	f("String", kindStr, func(c *nativeCol) { c.str("a"); c.str(""); c.str("é") },
		[]byte{1, 'a', 0, 2, 0xc3, 0xa9})
	// LowCardinality: flags (additional keys, 1-byte keys), the dictionary
	// ("" is key 0), the row count, then a key per row.
	f("LowCardinality(String)", kindStr, func(c *nativeCol) { c.str("b"); c.str("a"); c.str("b"); c.str("") },
		cat(le64(1<<9), le64(3), []byte{0, 1, 'b', 1, 'a'}, le64(4), []byte{1, 2, 1, 0}))
	f("DateTime('UTC')", kindDateTime, func(c *nativeCol) { c.dateTime(day); c.dateTime(day.Add(time.Second)) },
		[]byte{0x00, 0x1d, 0x7b, 0x67, 0x01, 0x1d, 0x7b, 0x67})
	f("Date", kindDate, func(c *nativeCol) { c.date(day) }, []byte{0x7e, 0x4e})
	// Nullable: the NULL map, then the values (0 under a NULL).
	f("Nullable(DateTime('UTC'))", kindNullDateTime, func(c *nativeCol) { c.nullDateTime(nil); c.nullDateTime(&day) },
		[]byte{1, 0, 0, 0, 0, 0, 0x00, 0x1d, 0x7b, 0x67})
	f("Nullable(Date)", kindNullDate, func(c *nativeCol) { c.nullDate(&day); c.nullDate(nil) },
		[]byte{0, 1, 0x7e, 0x4e, 0, 0})
	// UInt32 little-endian; Nullable(UInt32) its NULL map first.
	seven := uint32(7)
	f("UInt32", kindUInt32, func(c *nativeCol) { c.uint32(0x01020304); c.uint32(0) },
		[]byte{4, 3, 2, 1, 0, 0, 0, 0})
	f("Nullable(UInt32)", kindNullUInt32, func(c *nativeCol) { c.nullUint32(nil); c.nullUint32(&seven) },
		[]byte{1, 0, 0, 0, 0, 0, 7, 0, 0, 0})
	// Enum8: each name's value, -3 as a byte.
	f("Enum8('a' = 1, 'b' = -3)", kindEnum8, func(c *nativeCol) { c.enum("b"); c.enum("a"); c.enum("b") },
		[]byte{0xfd, 1, 0xfd})
	// Arrays: the cumulative end offsets, then the elements.
	f("Array(String)", kindStrArray, func(c *nativeCol) { c.strs([]string{"x", "yz"}); c.strs(nil) },
		cat(le64(2), le64(2), []byte{1, 'x', 2, 'y', 'z'}))
	f("Array(UInt8)", kindUInt8Array, func(c *nativeCol) { c.uint8s([]uint8{5, 4}); c.uint8s([]uint8{3}) },
		cat(le64(2), le64(3), []byte{5, 4, 3}))
	// Array(Enum8): the offsets, then each name's value.
	f("Array(Enum8('1-4' = 1, '1-5' = 2, '0-10' = 3))", kindEnum8Array, func(c *nativeCol) {
		c.enums([]string{"1-5", "0-10"})
		c.enums(nil)
		c.enums([]string{"1-4"})
	}, cat(le64(2), le64(2), le64(3), []byte{2, 3, 1}))
	// 300 values and "": 2-byte keys.
	var dict []byte
	for i := range 300 {
		dict = append(dict, 4, 'v', byte('0'+i/100), byte('0'+i/10%10), byte('0'+i%10))
	}
	f("LowCardinality(String)", kindStr, func(c *nativeCol) {
		for i := range 300 {
			c.str(fmt.Sprintf("v%03d", i))
		}
		c.str("v001")
	}, cat(le64(1<<9|1), le64(301), []byte{0}, dict, le64(301), func() []byte {
		var keys []byte
		for i := 1; i <= 300; i++ {
			keys = append(keys, byte(i), byte(i>>8))
		}
		return append(keys, 2, 0)
	}()))
}

func TestNativeColKeys(t *testing.T) {
	var c nativeCol
	c.reset(kindStr, true)
	in := []string{"a", "b", "a", "", "b"}
	want := []uint32{1, 2, 1, 0, 2}
	// 20 more values: past scanMax (16) the dictionary is a map.
	for i := range 20 {
		in = append(in, fmt.Sprint("v", i))
		want = append(want, uint32(3+i))
	}
	in = append(in, "b", "v5", "v19", "", "v19")
	want = append(want, 2, 8, 22, 0, 22)
	for _, s := range in {
		c.str(s)
	}
	if !reflect.DeepEqual(c.keys, want) {
		t.Errorf("keys %v\nwant %v", c.keys, want)
	}
	if len(c.vals) != 23 || c.vals[0] != "" || c.vals[22] != "v19" {
		t.Errorf("dictionary %q", c.vals)
	}
	for k, v := range c.vals {
		if got := c.dict[v]; got != uint32(k) {
			t.Errorf("map[%q] = %d, want %d", v, got, k)
		}
	}
}

func TestEnumCodes(t *testing.T) {
	got, err := enumCodes("Enum8('a' = 1, 'b' = -3)", []string{"b", "a"})
	if err != nil || !bytes.Equal(got, []byte{0xfd, 1}) {
		t.Errorf("enumCodes = % x, %v; want fd 01", got, err)
	}
	if _, err := enumCodes("Enum8('a' = 1)", []string{"a", "c"}); err == nil || !strings.Contains(err.Error(), `"c"`) {
		t.Errorf("unknown name: %v; want an error naming it", err)
	}
}

// contactTypes are the contacts table's column types.
var contactTypes = []string{"LowCardinality(String)", "String", "LowCardinality(String)", "LowCardinality(String)", "DateTime('UTC')", "Date",
	"Nullable(DateTime('UTC'))", "Nullable(DateTime('UTC'))", "Enum8('served' = 1, 'abandoned' = 2, 'no_show' = 3, 'redirected' = 4, 'overflow' = 5, 'transferred' = 6, 'deflected' = 7)",
	"LowCardinality(String)", "String", "LowCardinality(String)", "DateTime('UTC')", "UInt8", "String", "LowCardinality(String)"}

func contactTargets(t testing.TB) []column.Interface {
	out := make([]column.Interface, len(contactTypes))
	for i, typ := range contactTypes {
		out[i] = target(t, contactsTable.names[i], typ)
	}
	return out
}

// TestLoadDecodes loads two contacts into clickhouse-go's columns and reads
// them back.
func TestLoadDecodes(t *testing.T) {
	tgt := contactTargets(t)
	nb, err := newNativeBlock(tgt, contactsTable.kinds)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 1, 6, 9, 30, 0, 0, time.UTC)
	end := at.Add(5 * time.Minute)
	now := at.Add(time.Hour)
	rows := []model.Contact{
		{Source: "acd", ID: "A-1", Site: "PAR-11", Channel: "phone", ArrivedAt: at, ArrivedDate: at.Truncate(24 * time.Hour), EndedAt: &end, Outcome: model.OutcomeAbandoned, Motive: "paiement"},
		{Source: "acd", ID: "A-2", Site: "LYO-69", Channel: "visit", ArrivedAt: at, ArrivedDate: at.Truncate(24 * time.Hour), AnsweredAt: &at, EndedAt: &end, Outcome: model.OutcomeServed, UserRef: "u1", Team: "t", CaseID: "C-9", Segment: "assisted"},
	}
	w := rowWriter{cols: nb.cols}
	for i := range rows {
		w.i = 0
		contactColumns(&w, &rows[i], now)
	}
	if err := nb.load(len(rows)); err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		// asked_agent not sent: 1 on the phone, 0 elsewhere.
		{"acd", "A-1", "PAR-11", "phone", at, at.Truncate(24 * time.Hour), nil, &end, "abandoned", "paiement", "", "", now, uint8(1), "", ""},
		{"acd", "A-2", "LYO-69", "visit", at, at.Truncate(24 * time.Hour), &at, &end, "served", "", "u1", "t", now, uint8(0), "C-9", "assisted"},
	}
	// Times compare as UTC instants; a nullable one is a pointer or nil.
	norm := func(v any) any {
		if p, ok := v.(*time.Time); ok && p != nil {
			v = *p
		}
		if tm, ok := v.(time.Time); ok {
			return tm.UTC()
		}
		return v
	}
	for r := range want {
		for i, col := range tgt {
			if got := norm(col.Row(r, false)); got != norm(want[r][i]) {
				t.Errorf("row %d column %s = %v, want %v", r, col.Name(), got, want[r][i])
			}
		}
	}
}

func TestLoadRefusesShortColumn(t *testing.T) {
	tgt := []column.Interface{target(t, "a", "String"), target(t, "b", "Date")}
	nb, err := newNativeBlock(tgt, []colKind{kindStr, kindDate})
	if err != nil {
		t.Fatal(err)
	}
	nb.cols[0].str("x")
	nb.cols[0].str("y")
	nb.cols[1].date(time.Unix(0, 0))
	if err := nb.load(2); err == nil || err.Error() != "column b: 1 rows, want 2" {
		t.Errorf("load = %v; want column b: 1 rows, want 2", err)
	}
}

func TestNewNativeBlockChecksColumns(t *testing.T) {
	tgt := []column.Interface{target(t, "a", "String"), target(t, "b", "Date")}
	if _, err := newNativeBlock(tgt, []colKind{kindStr}); err == nil || err.Error() != "2 columns, want 1" {
		t.Errorf("too many columns: %v", err)
	}
	if _, err := newNativeBlock(tgt, []colKind{kindStr, kindDateTime}); err == nil || err.Error() != "column b: unexpected type Date" {
		t.Errorf("wrong type: %v", err)
	}
}

// BenchmarkEncodeContacts is the client's share of a contacts insert
// without a server: appending 40,000 rows into the native columns and
// loading them into clickhouse-go's.
func BenchmarkEncodeContacts(b *testing.B) {
	tgt := contactTargets(b)
	day := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	rows := make([]model.Contact, 40_000)
	for i := range rows {
		at := day.Add(time.Duration(i) * 37 * time.Second)
		ans := at.Add(time.Minute)
		rows[i] = model.Contact{Source: "acd", ID: fmt.Sprintf("A-%012d", i), Site: fmt.Sprintf("S-%03d", i%300), Channel: "phone",
			ArrivedAt: at, ArrivedDate: at.Truncate(24 * time.Hour), AnsweredAt: &ans, EndedAt: &ans, Outcome: model.Outcomes[i%len(model.Outcomes)],
			Motive: fmt.Sprint("m", i%20), UserRef: fmt.Sprintf("%032x", i), Team: "t"}
	}
	now := day.AddDate(0, 1, 0)
	for b.Loop() {
		nb, err := newNativeBlock(tgt, contactsTable.kinds)
		if err != nil {
			b.Fatal(err)
		}
		w := rowWriter{cols: nb.cols}
		for i := range rows {
			w.i = 0
			contactColumns(&w, &rows[i], now)
		}
		if err := nb.load(len(rows)); err != nil {
			b.Fatal(err)
		}
		for _, c := range tgt {
			c.Reset()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}
