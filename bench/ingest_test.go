package bench

import (
	"fmt"
	"testing"
)

// TestSplitLines: NDJSON bodies are cut into bodies of at most n lines, in
// order, every line once; a body's last piece may be shorter, and a last
// line without its newline is kept.
func TestSplitLines(t *testing.T) {
	f := func(bodies []string, n int, want string) {
		t.Helper()
		var in [][]byte
		for _, b := range bodies {
			in = append(in, []byte(b))
		}
		var got []string
		for _, b := range splitLines(in, n) {
			got = append(got, string(b))
		}
		if s := fmt.Sprintf("%q", got); s != want {
			t.Errorf("%q by %d: %s, want %s", bodies, n, s, want)
		}
	}
	f([]string{"a\nb\nc\nd\n"}, 2, `["a\nb\n" "c\nd\n"]`)
	f([]string{"a\nb\nc\n", "d\ne\n"}, 2, `["a\nb\n" "c\n" "d\ne\n"]`)
	f([]string{"a\nb\nc"}, 2, `["a\nb\n" "c"]`)
	f([]string{"a\nb\n"}, 5, `["a\nb\n"]`)
	f([]string{"a\nb\nc\n"}, 1, `["a\n" "b\n" "c\n"]`)
}

// TestMetricValue: a series' value is read from Prometheus' text format,
// not another series that starts alike; 0 when absent.
func TestMetricValue(t *testing.T) {
	text := []byte(`# HELP globaloffice_ingest_batch_records Records per ClickHouse insert.
globaloffice_ingest_batch_records_bucket{kind="contacts",le="+Inf"} 12
globaloffice_ingest_batch_records_sum{kind="contacts"} 1.2e+06
globaloffice_ingest_batch_records_count{kind="contacts"} 12
globaloffice_ingest_batch_records_count{kind="rejects"} 3
`)
	f := func(series string, want float64) {
		t.Helper()
		if got := metricValue(text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	f(`globaloffice_ingest_batch_records_sum{kind="contacts"}`, 1_200_000)
	f(`globaloffice_ingest_batch_records_count{kind="contacts"}`, 12)
	f(`globaloffice_ingest_batch_records_count{kind="cases"}`, 0)
	f(`globaloffice_ingest_batch_records_count`, 0)
}
