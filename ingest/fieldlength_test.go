package ingest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// TestFieldLengthsAreBounded: every field is at most 256 bytes (a comment
// 4,000): a 1 MiB id used to be accepted, and its key lookup, when the
// record was sent again, exceeded ClickHouse's max_query_size.
func TestFieldLengthsAreBounded(t *testing.T) {
	ref, err := NewReference(nil, Lists{Channels: []string{"phone"}, CaseKinds: []string{"claim"}, Dimensions: []string{"overall"}})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 257)
	f := func(kind Kind, field, value string, wantField string) {
		t.Helper()
		fv := &fieldValues{}
		fv.set(field, value)
		raw := RawRecord{vals: fv}
		v := &Validator{Ref: ref, Pseudo: NewPseudonymizer([]byte(strings.Repeat("k", 32)))}
		var errs []FieldError
		switch kind {
		case KindContacts:
			_, errs = v.Contact(raw, "s")
		case KindCases:
			_, errs = v.Case(raw, "s")
		case KindSurveys:
			_, errs = v.Survey(raw, "s")
		}
		for _, e := range errs {
			if e.Field == wantField && strings.HasPrefix(e.Reason, "longer than") {
				return
			}
		}
		if wantField != "" {
			t.Errorf("%s %s of %d bytes: errors %v, want %s longer than…", kind, field, len(value), errs, wantField)
		}
	}
	f(KindContacts, "id", long, "id")
	f(KindContacts, "id", strings.Repeat("x", 1<<20), "id")
	f(KindContacts, "source", long, "source")
	f(KindContacts, "user_ref", long, "user_ref")
	f(KindContacts, "team", long, "team")
	f(KindContacts, "motive", long, "motive")
	f(KindContacts, "site", long, "site")
	f(KindCases, "id", long, "id")
	f(KindCases, "user_ref", long, "user_ref")
	f(KindSurveys, "contact_id", long, "contact_id")
	f(KindSurveys, "survey", long, "survey")
	f(KindSurveys, "comment", strings.Repeat("c", 4001), "comment")
	f(KindSurveys, "score_overall", long, "score_overall")
	// At the bound: no length error.
	f(KindContacts, "id", long[:256], "")
	f(KindSurveys, "comment", strings.Repeat("c", 4000), "")
}

// TestDrainGoesPastRefusedSegment: the drain stopped at the first segment
// ClickHouse refused with an error it does not give up on (here the
// max_query_size of a key lookup), so no later segment was ever drained. It
// now goes on with the others, and tries the refused one again after a
// backoff (the loop) or when asked (Drain).
func TestDrainGoesPastRefusedSegment(t *testing.T) {
	tooLarge := &clickhouse.Exception{Code: 62, Name: "DB::Exception", Message: "Syntax error: Max query size exceeded"}
	ts := memTestStore(t)
	ts.mem.inject(opInsert("contacts"), 1, fault{err: tooLarge})
	w, sp := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour})
	afterFirstDrain(t, w)
	for _, prefix := range []string{"A", "B", "C"} {
		if err := sp.WriteAs(sp.NextName(), testContacts("past", prefix, 5)); err != nil {
			t.Fatal(err)
		}
	}
	if d := w.drain(t.Context(), false); d != 2 {
		t.Fatalf("drained %d segments, want 2 (the two after the refused one)", d)
	}
	if n := ts.rows(t, "contacts"); n != 10 {
		t.Errorf("%d rows, want 10", n)
	}
	if n := w.FailingSegments(); n != 1 {
		t.Errorf("%d failing segments reported, want 1", n)
	}
	// The loop waits for the backoff; an operator's Drain does not.
	if d := w.drain(t.Context(), false); d != 0 {
		t.Errorf("the loop retried at once: %d drained", d)
	}
	if d := w.Drain(t.Context()); d != 1 {
		t.Errorf("Drain: %d drained, want the refused segment", d)
	}
	if n, q := ts.rows(t, "contacts"), quarantined(t, sp); n != 15 || q != 0 || w.FailingSegments() != 0 {
		t.Errorf("%d rows, %d quarantined, %d failing; want 15, 0, 0", n, q, w.FailingSegments())
	}
}

func quarantined(t *testing.T, sp *Spool) int {
	t.Helper()
	q, _ := filepath.Glob(filepath.Join(sp.FailedDir(), "*.ndjson"))
	return len(q)
}
