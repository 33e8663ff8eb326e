package ingest

import (
	"errors"
	"strings"
	"testing"
)

func FuzzDecode(f *testing.F) {
	f.Add("id,source,site\nA,s,P\n\"bad\n", uint8(0))
	f.Add(`{"id":"A","scores":{"overall":4}}`+"\n{bad\n", uint8(1))
	f.Add(`[{"id":"A"},{"id":2,"x":null}]`, uint8(2))
	f.Add(`{"id":"A","scores":[1]}`, uint8(2))
	f.Add("\x00\x01", uint8(1))
	f.Add("1778745700|c1|q|NONE|ENTERQUEUE||06|1\n1778745742|c1|q|a|CONNECT|42\n1778745790|c1|q|a|COMPLETECALLER|42|48|1\n", uint8(3))
	formats := []Format{FormatCSV, FormatNDJSON, FormatJSON, formatAsterisk}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		format := formats[int(which)%len(formats)]
		n := 0
		err := Decode(strings.NewReader(body), format, Limits{MaxLineBytes: 512, MaxRecords: 100}, func(r RawRecord) error {
			if (r.Err == nil) == (r.Fields == nil) {
				t.Fatalf("record %d: exactly one of Fields and Err must be set: %+v", n, r)
			}
			if r.Index != n {
				t.Fatalf("record index %d, want %d", r.Index, n)
			}
			n++
			return nil
		})
		var be *BodyError
		if err != nil && !errors.As(err, &be) {
			t.Fatalf("error %v is not a BodyError", err)
		}
		if err == nil && n == 0 && format != formatAsterisk { // a queue_log may hold only queue-level lines
			t.Fatal("no error and no record")
		}
	})
}

func TestDecodeJSONScoresFlattened(t *testing.T) {
	var got map[string]string
	err := Decode(strings.NewReader(`{"id":"A","scores":{"overall":4,"courtesy":"5"},"contact_id":null,"n":1.5}`), FormatJSON, Limits{}, func(r RawRecord) error {
		got = r.Fields
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"id": "A", "score_overall": "4", "score_courtesy": "5", "contact_id": "", "n": "1.5"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
