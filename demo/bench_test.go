package demo

import (
	"context"
	"testing"
)

// BenchmarkGenerate generates one month (January 2026) at Scale 1 over the
// 42 sample sites per iteration, writing the files, and reports records
// and contacts per second.
func BenchmarkGenerate(b *testing.B) {
	dir := b.TempDir()
	opts := Options{Seed: 1, From: date(2026, 1, 1), To: date(2026, 2, 1), Scale: 1}
	var records, contacts int64
	for b.Loop() {
		sum, err := Generate(context.Background(), dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		records += sum.Records()
		contacts += sum.Contacts
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(records)/s, "records/s")
	b.ReportMetric(float64(contacts)/s, "contacts/s")
}
