package ingest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"globaloffice/model"
)

// FuzzContactSpoolLine: the fast spool encoding of a contact decodes to
// exactly what encoding/json's encoding decodes to.
func FuzzContactSpoolLine(f *testing.F) {
	f.Add("acd", "C-1", "PAR-11", "phone", "served", "inscription", "9f86d08", "plateau-A", int64(1778745700), int64(42), int64(600), true, true)
	f.Add("a\"b\\c", "\x01\n\t<>&\u2028", "é", "", "", "", "", "", int64(0), int64(0), int64(0), false, false)
	f.Add("\xff\xfe", "x", "y", "z", "w", "v", "u", "t", int64(-62135596800), int64(1), int64(1), true, false)
	f.Fuzz(func(t *testing.T, source, id, site, channel, outcome, motive, user, team string, at, wait, dur int64, answered, ended bool) {
		arrived := time.Unix(at%(1<<35), 0).UTC()
		c := model.Contact{Source: source, ID: id, Site: site, Channel: model.Channel(channel), ArrivedAt: arrived,
			ArrivedDate: arrived.Truncate(24 * time.Hour), Outcome: model.Outcome(outcome), Motive: motive, UserRef: user, Team: team,
			CaseID: id + user, Segment: team + motive}
		if answered {
			a := arrived.Add(time.Duration(wait%100000) * time.Second)
			c.AnsweredAt = &a
		}
		if ended {
			e := arrived.Add(time.Duration(dur%100000)*time.Second + 500*time.Millisecond)
			c.EndedAt = &e
		}
		rec := Record{Contact: &c}
		ref, rerr := json.Marshal(rec)
		if rerr == nil {
			// The same bytes as encoding/json's where both write times
			// (the fast path writes RFC 3339 by hand).
			fast, _ := appendRecordJSON(nil, rec)
			all := source + id + site + channel + outcome + motive + user + team
			if !utf8.ValidString(all) || strings.ContainsAny(all, "<>&\u2028\u2029") || strings.IndexFunc(all, func(r rune) bool { return r < 0x20 }) >= 0 {
				// encoding/json escapes these otherwise, equivalently.
			} else if string(fast) != string(ref)+"\n" {
				t.Fatalf("fast line %q, encoding/json %q", fast, ref)
			}
		}
		fast, ferr := appendRecordJSON(nil, rec)
		if (rerr == nil) != (ferr == nil) {
			t.Fatalf("encoding/json: %v, fast: %v", rerr, ferr)
		}
		if rerr != nil {
			return
		}
		var want, got Record
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(fast, &got); err != nil {
			t.Fatalf("fast line %q: %v", fast, err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("fast line %q decodes to %+v, encoding/json's %q to %+v", fast, *got.Contact, ref, *want.Contact)
		}
	})
}

// TestSpoolWritesAtOnce: segments written at once (the loop's, and lanes'
// after a failed insert) share write buffers in turn: each reads back
// with its own records, whole.
func TestSpoolWritesAtOnce(t *testing.T) {
	sp, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	names := make([][]string, 8)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				name := sp.NextName()
				// 3,000 records (about 600 KB) pass the buffer's size.
				if err := sp.WriteAs(name, testContacts("spool", fmt.Sprintf("g%d-%d-", g, i), 1+i*333)); err != nil {
					t.Error(err)
					return
				}
				names[g] = append(names[g], name)
			}
		}()
	}
	wg.Wait()
	for g, ns := range names {
		for i, name := range ns {
			recs, err := sp.Read(name)
			if err != nil || len(recs) != 1+i*333 {
				t.Fatalf("segment %d-%d: %d records, %v; want %d", g, i, len(recs), err, 1+i*333)
			}
			for j, r := range recs {
				if want := fmt.Sprintf("g%d-%d-%05d", g, i, j); r.Contact == nil || r.Contact.ID != want {
					t.Fatalf("segment %d-%d record %d: %+v, want id %s", g, i, j, r.Contact, want)
				}
			}
		}
	}
}

// TestPlainYear: the years RFC 3339 writes are 0 to 9999, in the time's
// own zone; its first and last seconds included, the seconds around them
// not.
func TestPlainYear(t *testing.T) {
	f := func(tm time.Time, want bool) {
		t.Helper()
		if got := plainYear(&tm); got != want {
			t.Errorf("plainYear(%v) = %v, want %v", tm, got, want)
		}
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	f(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), true)
	f(time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC), false)
	f(time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), true)
	f(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), false)
	f(time.Date(2026, 5, 14, 9, 3, 12, 0, time.UTC), true)
	// 10000-01-01 00:30 in Paris is 9999-12-31 23:30 UTC: year 10000
	// where it is written.
	f(time.Date(10000, 1, 1, 0, 30, 0, 0, paris), false)
	f(time.Date(9999, 12, 31, 23, 30, 0, 0, paris), true)
	if plainYear(nil) != true {
		t.Error("plainYear(nil) = false")
	}
}
