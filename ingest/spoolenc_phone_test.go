package ingest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"globaloffice/model"
)

// TestSpoolKeepsAskedAgent: a spooled contact keeps asked_agent (true,
// false, or not sent), and a line spooled before the field existed reads
// as not sent — asked on the phone.
func TestSpoolKeepsAskedAgent(t *testing.T) {
	at := time.Date(2026, 5, 14, 10, 0, 0, 0, time.UTC)
	f := func(asked *bool, outcome model.Outcome, want bool) {
		t.Helper()
		c := model.Contact{Source: "acd", ID: "C", Site: "PAR-11", Channel: "phone", ArrivedAt: at, ArrivedDate: at.Truncate(24 * time.Hour), Outcome: outcome, AskedAgent: asked}
		line, err := appendRecordJSON(nil, Record{Contact: &c})
		if err != nil {
			t.Fatal(err)
		}
		var got Record
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if got.Contact.AgentAsked() != want || (asked == nil) != (got.Contact.AskedAgent == nil) || got.Contact.Outcome != outcome {
			t.Errorf("%s: asked %v (%v), outcome %s; want %v", line, got.Contact.AgentAsked(), got.Contact.AskedAgent, got.Contact.Outcome, want)
		}
	}
	yes, no := true, false
	f(&yes, model.OutcomeTransferred, true)
	f(&no, model.OutcomeDeflected, false)
	f(nil, model.OutcomeServed, true)

	var old Record
	if err := json.Unmarshal([]byte(`{"contact":{"Source":"acd","ID":"O","Site":"PAR-11","Channel":"phone","ArrivedAt":"2026-05-14T10:00:00Z","ArrivedDate":"2026-05-14T00:00:00Z","AnsweredAt":null,"EndedAt":null,"Outcome":"abandoned","Motive":"","UserRef":"","Team":""}}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.Contact.AskedAgent != nil || !old.Contact.AgentAsked() {
		t.Errorf("a line spooled before asked_agent: %+v, want not sent (asked on the phone)", old.Contact)
	}
}

// TestAsteriskTransfer: a call answered and then transferred (TRANSFER) is
// transferred, no longer served.
func TestAsteriskTransfer(t *testing.T) {
	log := "1778745700|1778745700.11|support-paris|NONE|ENTERQUEUE||0601020304|1\n" +
		"1778745742|1778745700.11|support-paris|SIP/agent-12|CONNECT|42|1778745700.12|3\n" +
		"1778745990|1778745700.11|support-paris|SIP/agent-12|TRANSFER|2001|default|42|248\n" +
		"1778745800|1778745800.15|support-paris|NONE|ENTERQUEUE||0601020304|1\n" +
		"1778745810|1778745800.15|support-paris|SIP/agent-3|CONNECT|10|1778745800.16|2\n" +
		"1778745950|1778745800.15|support-paris|SIP/agent-3|COMPLETEAGENT|10|140|1\n"
	var got []string
	err := Decode(strings.NewReader(log), formatAsterisk, Limits{}, func(r RawRecord) error {
		if r.Err != nil {
			t.Errorf("line %d: %v", r.Line, r.Err)
		}
		got = append(got, r.Get("id")+" "+r.Get("outcome")+" "+r.Get("answered_at"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1778745700.11 transferred 2026-05-14T08:02:22Z", "1778745800.15 served 2026-05-14T08:03:30Z"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %q, want %q", got, want)
	}
}
