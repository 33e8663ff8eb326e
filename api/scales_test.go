package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"globaloffice/indicators"
)

// TestSatisfactionDistribution: a closed satisfaction result carries its
// respondents and the distribution of answers per level in the API's
// JSON; the public never sees a suppressed one (below min_sample), and
// the director sees it without its distribution.
func TestSatisfactionDistribution(t *testing.T) {
	e := newEnv(t)
	var csv strings.Builder
	csv.WriteString("id,site,channel,survey,mode,answered_at,scale,score_overall\n")
	// PAR-11: 5 × 1, 5 × 3, 10 × 4, 10 × 5 on 1–5 (30, the min_sample);
	// PAR-18: 4, 4, 2.
	n := 0
	add := func(site string, score, times int) {
		for range times {
			n++
			fmt.Fprintf(&csv, "S%d,%s,reception,post,email,2026-06-10T10:00:00,1-5,%d\n", n, site, score)
		}
	}
	add("PAR-11", 1, 5)
	add("PAR-11", 3, 5)
	add("PAR-11", 4, 10)
	add("PAR-11", 5, 10)
	add("PAR-18", 4, 2)
	add("PAR-18", 2, 1)
	e.send("surveys", "test", csv.String())
	june, _ := indicators.ParsePeriod("2026-06", today)
	if _, err := e.ref.Close(context.Background(), june, "dg"); err != nil {
		t.Fatal(err)
	}
	items := func(token string) map[string]map[string]json.RawMessage {
		t.Helper()
		r := e.do("GET", "/api/v1/results?period=2026-06&indicator=satisfaction.overall", token, "")
		if r.status != 200 {
			t.Fatalf("results as %q: %d %s", token, r.status, r.body)
		}
		var page struct{ Items []map[string]json.RawMessage }
		r.decode(t, &page)
		out := map[string]map[string]json.RawMessage{}
		for _, it := range page.Items {
			var scope, id string
			_ = json.Unmarshal(it["scope"], &scope)
			_ = json.Unmarshal(it["scope_id"], &id)
			out[scope+":"+id] = it
		}
		return out
	}
	type dist = []indicators.Distribution
	check := func(who, key string, it map[string]json.RawMessage, respondents string, want dist) {
		t.Helper()
		if it == nil {
			t.Errorf("%s: no %s", who, key)
			return
		}
		if string(it["respondents"]) != respondents {
			t.Errorf("%s %s: respondents %s, want %s", who, key, it["respondents"], respondents)
		}
		raw, has := it["distribution"]
		if want == nil {
			if has {
				t.Errorf("%s %s: suppressed, but shows the distribution %s", who, key, raw)
			}
			return
		}
		var got dist
		if err := json.Unmarshal(raw, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s: distribution %s, want %+v", who, key, raw, want)
		}
	}
	public := items("")
	// PAR-11: top box (10 + 10)/30; levels 1–5: 5, 0, 5, 10, 10.
	check("public", "site:PAR-11", public["site:PAR-11"], "30", dist{{Scale: "1-5", Counts: []uint64{5, 0, 5, 10, 10}}})
	// Paris (PAR-11 and PAR-18): 5, 1, 5, 12, 10 of 33.
	check("public", "department:75", public["department:75"], "33", dist{{Scale: "1-5", Counts: []uint64{5, 1, 5, 12, 10}}})
	if it, ok := public["site:PAR-18"]; ok {
		t.Errorf("the public sees PAR-18's 3 answers: %s", it["distribution"])
	}
	director := items("director")
	check("director", "site:PAR-18", director["site:PAR-18"], "3", nil)
	var status string
	_ = json.Unmarshal(director["site:PAR-18"]["status"], &status)
	if status != indicators.StatusInsufficientData {
		t.Errorf("PAR-18: status %q, want insufficient_data", status)
	}
}
