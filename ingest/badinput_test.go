package ingest

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestInputsRefused: inputs that used to be accepted. \u0000 inside a JSON
// string (only raw NUL bytes were checked), a field name sent twice (the
// last value won silently), one JSON record longer than max_line_bytes, a
// semicolon CSV without a mapping (every row refused, answered 200).
func TestInputsRefused(t *testing.T) {
	lim := Limits{MaxLineBytes: 200, MaxRecords: 10}
	// recordErr: the record is refused on its own (field and reason);
	// bodyErr: the body is refused whole.
	f := func(format Format, body, wantField, wantReason string, wantBody bool) {
		t.Helper()
		var got []*FieldError
		err := Decode(strings.NewReader(body), format, lim, func(r RawRecord) error {
			got = append(got, r.Err)
			return nil
		})
		var be *BodyError
		if wantBody {
			if !errors.As(err, &be) || be.Status != 400 || !strings.Contains(be.Msg, wantReason) {
				t.Errorf("%s %.60q: %v, want a 400 body error with %q", format, body, err, wantReason)
			}
			return
		}
		if err != nil || len(got) != 1 || got[0] == nil || got[0].Field != wantField || !strings.Contains(got[0].Reason, wantReason) {
			t.Errorf("%s %.60q: %v, records %+v; want the record refused: %s %q", format, body, err, got, wantField, wantReason)
		}
	}
	f(FormatNDJSON, `{"id":"A\u0000B","source":"s"}`, "id", "NUL", false)
	f(FormatJSON, `[{"id":"A","team":"x\u0000"}]`, "team", "NUL", false)
	f(FormatNDJSON, `{"id\u0000":"A"}`, "", "NUL", false)
	f(FormatNDJSON, `{"id":"A","id":"B"}`, "id", "sent twice", false)
	f(FormatJSON, `{"id":"A","site":"X","site":"Y"}`, "site", "sent twice", false)
	f(FormatNDJSON, `{"id":"A","extra":"1","extra":"2"}`, "extra", "sent twice", false)
	f(FormatNDJSON, `{"id":"A","scores":{"overall":4,"overall":1}}`, "score_overall", "sent twice", false)
	f(FormatNDJSON, `{"id":"A","score_overall":4,"scores":{"overall":1}}`, "score_overall", "sent twice", false)
	f(FormatJSON, `[{"id":"A","comment":"`+strings.Repeat("x", 200)+`"}]`, "", "record 1 is longer than 200 bytes", true)
	f(FormatJSON, `{"id":"A","comment":"`+strings.Repeat("x", 200)+`"}`, "", "record 1 is longer than 200 bytes", true)
	f(FormatCSV, "id;source;site\nA;s;PAR-11\n", "", "needs a mapping whose delimiter is ';'", true)
	// Still fine: the same values once, \u00e9, a record at the bound.
	var ok []*FieldError
	if err := Decode(strings.NewReader(`{"id":"\u00e9","scores":{"overall":4,"delay":3}}`), FormatNDJSON, lim, func(r RawRecord) error { ok = append(ok, r.Err); return nil }); err != nil || ok[0] != nil {
		t.Errorf("a valid record refused: %v %v", err, ok)
	}
}

// TestMappingRenameCollision: a rename onto a field the export also sends
// gave a record two values, the winner depending on a map's order. Two
// renames onto one field are refused at load; an export that has both the
// renamed column and the field is refused whole (400), not row by row.
func TestMappingRenameCollision(t *testing.T) {
	_, err := ParseMapping("two.yaml", []byte("name: two\nkind: contacts\ncolumns:\n  ticket: id\n  number: id\n"))
	if err == nil || !strings.Contains(err.Error(), `columns.number and columns.ticket are both renamed to "id"`) {
		t.Errorf("two renames onto id: %v", err)
	}
	m, err := ParseMapping("one.yaml", []byte("name: one\nkind: contacts\ncolumns:\n  ticket: id\n"))
	if err != nil {
		t.Fatal(err)
	}
	if be := m.collision(map[string]string{"ticket": "T1", "id": "9"}, 2); be == nil || be.Status != 400 || !strings.Contains(be.Msg, `add "id" to the mapping's ignore`) {
		t.Errorf("export with ticket and id: %v", be)
	}
	if be := m.collision(map[string]string{"ticket": "T1"}, 2); be != nil {
		t.Errorf("export with ticket only: %v", be)
	}
	ignored, err := ParseMapping("ign.yaml", []byte("name: ign\nkind: contacts\ncolumns:\n  ticket: id\nignore: [id]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if be := ignored.collision(map[string]string{"ticket": "T1", "id": "9"}, 2); be != nil {
		t.Errorf("id ignored: %v", be)
	}
}

// TestCaseVersionFromTheFuture: an updated_at up to 24 h ahead was
// accepted, and masked every genuine version sent after it. It is bounded
// by ingest.max_clock_skew (10 minutes by default).
func TestCaseVersionFromTheFuture(t *testing.T) {
	now := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
	ref, err := NewReference(nil, Lists{Channels: []string{"mail"}, CaseKinds: []string{"claim"}})
	if err != nil {
		t.Fatal(err)
	}
	f := func(skew time.Duration, updated string, refused bool) {
		t.Helper()
		fv := &fieldValues{}
		for k, v := range map[string]string{"id": "K", "source": "s", "kind": "claim", "channel": "mail", "received_at": "2026-05-14T08:00:00Z", "status": "open", "updated_at": updated} {
			fv.set(k, v)
		}
		v := &Validator{Ref: ref, Pseudo: NewPseudonymizer([]byte(strings.Repeat("k", 32))), Now: func() time.Time { return now }, MaxClockSkew: skew}
		_, errs := v.Case(RawRecord{vals: fv}, "")
		got := false
		for _, e := range errs {
			got = got || e.Field == "updated_at" && strings.Contains(e.Reason, "ahead of the server's clock")
		}
		if got != refused {
			t.Errorf("skew %s, updated_at %s: errors %v, want refused %v", skew, updated, errs, refused)
		}
	}
	f(0, "2026-05-14T12:09:59Z", false)
	f(0, "2026-05-14T12:10:01Z", true)
	f(0, "2026-05-15T11:00:00Z", true)
	f(time.Hour, "2026-05-14T12:59:00Z", false)
	f(time.Hour, "2026-05-14T13:01:00Z", true)
}
