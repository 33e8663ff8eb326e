package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"globaloffice/ingest"
)

// BenchmarkServiceIngest measures decode, validation, dedupe and insert of
// 10,000-contact NDJSON and CSV bodies into ClickHouse, without HTTP.
func BenchmarkServiceIngest(b *testing.B) {
	for _, format := range []ingest.Format{ingest.FormatNDJSON, ingest.FormatCSV} {
		b.Run(string(format), func(b *testing.B) {
			e := newEnv(b, ingest.NewTestDB(b), b.TempDir(), ingest.DefaultLimits)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				body := benchBody(format, i, 10_000)
				res, err := e.svc.Ingest(context.Background(), ingest.KindContacts, format, bytes.NewReader(body), ingest.Options{})
				if err != nil || res.Accepted != 10_000 {
					b.Fatalf("%+v %v", res, err)
				}
			}
			b.ReportMetric(float64(b.N*10_000)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkServiceIngestSmall measures the same in 50-contact NDJSON bodies
// from 64 requests at once, as many sites' collectors send: the writer
// groups them, answers from the spool and inserts in large batches.
func BenchmarkServiceIngestSmall(b *testing.B) {
	e := newEnv(b, ingest.NewTestDB(b), b.TempDir(), ingest.DefaultLimits)
	var round atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := benchBody(ingest.FormatNDJSON, int(round.Add(1)), 50)
			res, err := e.svc.Ingest(context.Background(), ingest.KindContacts, ingest.FormatNDJSON, bytes.NewReader(body), ingest.Options{BodyBytes: int64(len(body))}) // as over HTTP
			if err != nil || res.Accepted != 50 {
				b.Errorf("%+v %v", res, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*50)/b.Elapsed().Seconds(), "records/s")
}

func benchBody(format ingest.Format, round, n int) []byte {
	var buf bytes.Buffer
	if format == ingest.FormatCSV {
		buf.WriteString(contactHeader)
	}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("B%d-%06d", round, i)
		day := 1 + i%28
		if format == ingest.FormatCSV {
			fmt.Fprintf(&buf, "%s,qms,PAR-11,reception,2026-05-%02dT09:%02d:12,2026-05-%02dT09:%02d:40,2026-05-%02dT09:59:00,served,inscription,U%07d,accueil-1\n", id, day, i%50, day, i%50+5, day, i%5000)
		} else {
			fmt.Fprintf(&buf, `{"id":"%s","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-%02dT09:%02d:12Z","answered_at":"2026-05-%02dT09:%02d:40Z","ended_at":"2026-05-%02dT09:59:00Z","outcome":"served","motive":"inscription","user_ref":"U%07d","team":"plateau-A"}`+"\n", id, day, i%50, day, i%50+5, day, i%5000)
		}
	}
	return buf.Bytes()
}

// BenchmarkDecodeValidate measures what a request handler does per record
// before the writer: decoding and validating 10,000-contact bodies.
func BenchmarkDecodeValidate(b *testing.B) {
	ref, err := ingest.NewReference(testSites, ingest.Lists{Channels: []string{"reception", "phone"}})
	if err != nil {
		b.Fatal(err)
	}
	for _, format := range []ingest.Format{ingest.FormatNDJSON, ingest.FormatCSV} {
		b.Run(string(format), func(b *testing.B) {
			body := benchBody(format, 0, 10_000)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				v := &ingest.Validator{Ref: ref, Pseudo: ingest.NewPseudonymizer([]byte("k"))}
				n := 0
				err := ingest.Decode(bytes.NewReader(body), format, ingest.DefaultLimits, func(raw ingest.RawRecord) error {
					if _, errs := v.Contact(raw, ""); len(errs) > 0 {
						return fmt.Errorf("%v", errs)
					}
					n++
					return nil
				})
				if err != nil || n != 10_000 {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(b.N*10_000)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
