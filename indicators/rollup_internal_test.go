package indicators

import (
	"slices"
	"testing"
)

func TestSplitAggregates(t *testing.T) {
	tests := []struct {
		name, expr, outer string
		states            []string
	}{
		{"count and sum",
			"toUInt64(count()) AS sample, toFloat64(sum(isnum)) AS num, toFloat64(count()) AS den",
			"toUInt64(countMerge(agg_0)) AS sample, toFloat64(sumMerge(agg_1)) AS num, toFloat64(countMerge(agg_0)) AS den",
			[]string{"countState()", "sumState(isnum)"}},
		{"nested calls inside and around",
			"toFloat64(arrayElement(arraySort(groupArray(toFloat64(v))), toUInt64(intDiv(@p14 * count() + 999999, 1000000)))) AS q",
			"toFloat64(arrayElement(arraySort(groupArrayMerge(agg_0)), toUInt64(intDiv(@p14 * countMerge(agg_1) + 999999, 1000000)))) AS q",
			[]string{"groupArrayState(toFloat64(v))", "countState()"}},
		{"quoted text, a space before the parenthesis",
			"toFloat64(countIf(sc = 'count(' AND s = 1)) + toFloat64(count ()), uniqExact(rsrc, rid)",
			"toFloat64(countIfMerge(agg_0)) + toFloat64(countMerge(agg_1)), uniqExactMerge(agg_2)",
			[]string{"countIfState(sc = 'count(' AND s = 1)", "countState()", "uniqExactState(rsrc, rid)"}},
		{"a conditional aggregate per definition",
			"multiIf(ix = 1, toFloat64(countIf(v <= @p2)), ix = 2, toFloat64(sum(v)), toFloat64(0))",
			"multiIf(ix = 1, toFloat64(countIfMerge(agg_0)), ix = 2, toFloat64(sumMerge(agg_1)), toFloat64(0))",
			[]string{"countIfState(v <= @p2)", "sumState(v)"}},
		{"no aggregate", "toFloat64(0) AS q", "toFloat64(0) AS q", nil},
		{"a parametric aggregate keeps its parameters",
			"toFloat64(if(countIf(in_1) = 0, 0, 0 - quantileExactIf(0.1)(-v, in_1)))",
			"toFloat64(if(countIfMerge(agg_0) = 0, 0, 0 - quantileExactIfMerge(0.1)(agg_1)))",
			[]string{"countIfState(in_1)", "quantileExactIfState(0.1)(-v, in_1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outer, states, err := splitAggregates(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if outer != tt.outer {
				t.Errorf("outer:\n got %s\nwant %s", outer, tt.outer)
			}
			if !slices.Equal(states, tt.states) {
				t.Errorf("states: got %q, want %q", states, tt.states)
			}
		})
	}
}

// An aggregate the rewrites do not know, or any other unknown function
// around the aggregates, is an error, not a silently other figure.
func TestSplitAggregatesRefuses(t *testing.T) {
	for _, expr := range []string{
		"toFloat64(avg(v)) AS q",
		"toFloat64(quantile(0.9)(v)) AS q",
		"toFloat64(quantileExact(v)) AS q",
		"toFloat64(quantileExact()(v)) AS q",
		"toFloat64(quantileExact(0.1)(v",
		"arrayCount(x -> x > 1, xs)",
		"toFloat64(count(",
	} {
		if _, _, err := splitAggregates(expr); err == nil {
			t.Errorf("splitAggregates(%q): no error", expr)
		}
		if _, ok := weighted(expr); ok {
			t.Errorf("weighted(%q): ok", expr)
		}
		if _, err := onlyIf(expr, "in_1"); err == nil {
			t.Errorf("onlyIf(%q): no error", expr)
		}
	}
	if _, ok := columnNames([]string{"site", "CAST(a AS String)"}); ok {
		t.Error("columnNames took CAST(a AS String) for a name")
	}
}

func TestWeighted(t *testing.T) {
	tests := []struct {
		name, aggs, want string
		ok               bool
	}{
		{"share", "toUInt64(count()) AS sample, toFloat64(countIf(v <= @p13)) AS num, toFloat64(count()) AS den, toFloat64(0) AS q",
			"toUInt64(sum(w_rows)) AS sample, toFloat64(sumIf(w_rows, v <= @p13)) AS num, toFloat64(sum(w_rows)) AS den, toFloat64(0) AS q", true},
		{"mean and oldest", "toFloat64(sum(v)) AS num, toFloat64(max(v)) AS q",
			"toFloat64(sum((v) * w_rows)) AS num, toFloat64(max(v)) AS q", true},
		{"quantile", "toFloat64(arrayElement(arraySort(groupArray(toFloat64(v))), 1)) AS q", "", false},
		{"distinct count", "toUInt64(uniqExact(rsrc, rid)) AS resp", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := weighted(tt.aggs)
			if ok != tt.ok || got != tt.want {
				t.Errorf("weighted = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestPooledRewrites(t *testing.T) {
	rename := map[string]string{"v": "v_2", "isnum": "isnum_2", "s": "s_2"}
	tests := []struct{ name, in, want string }{
		{"columns, not functions, parameters or quoted text",
			"toFloat64(countIf(v <= @p13)) AS num, toFloat64(sum(isnum)) AS den, countIf(s = 1 AND sc = 's') AS x, v(1)",
			"toFloat64(countIf(v_2 <= @p13)) AS num, toFloat64(sum(isnum_2)) AS den, countIf(s_2 = 1 AND sc = 's') AS x, v(1)"},
		{"a column that only starts like one", "vv + v + v_1", "vv + v_2 + v_1"},
	}
	for _, tt := range tests {
		if got := renameColumns(tt.in, rename); got != tt.want {
			t.Errorf("%s: renameColumns:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	ifs := []struct{ in, want string }{
		{"toUInt64(count()) AS sample", "toUInt64(countIf(in_1)) AS sample"},
		{"toFloat64(countIf(v <= @p13)) AS num", "toFloat64(countIf(in_1 AND (v <= @p13))) AS num"},
		{"toFloat64(sum(v)) AS num, toFloat64(max(v)) AS q", "toFloat64(sumIf(v, in_1)) AS num, toFloat64(maxIf(v, in_1)) AS q"},
		{"arrayElement(arraySort(groupArray(toFloat64(v))), toUInt64(intDiv(@p1 * count() + 999999, 1000000)))",
			"arrayElement(arraySort(groupArrayIf(toFloat64(v), in_1)), toUInt64(intDiv(@p1 * countIf(in_1) + 999999, 1000000)))"},
		{"uniqExact(rsrc, rid) + uniqExactIf(rsrc, rid, s > 1)", "uniqExactIf(rsrc, rid, in_1) + uniqExactIf(rsrc, rid, in_1 AND (s > 1))"},
		{"if(count() = 0, 0, 0 - quantileExact(0.1)(-v))", "if(countIf(in_1) = 0, 0, 0 - quantileExactIf(0.1)(-v, in_1))"},
		{"quantileExactIf(0.25)(-v, ix = 2)", "quantileExactIf(0.25)(-v, in_1 AND (ix = 2))"},
	}
	for _, tt := range ifs {
		got, err := onlyIf(tt.in, "in_1")
		if err != nil || got != tt.want {
			t.Errorf("onlyIf(%s):\n got %s, %v\nwant %s", tt.in, got, err, tt.want)
		}
	}
	if got := splitTop("a(b, c), [d, 'e,f'], g", ','); !slices.Equal(got, []string{"a(b, c)", "[d, 'e,f']", "g"}) {
		t.Errorf("splitTop: %q", got)
	}
	for in, want := range map[string][2]string{
		"toUInt8(x AS y) AS z":   {"toUInt8(x AS y)", "z"},
		"site":                   {"site", "site"},
		"(a) AS v":               {"(a)", "v"},
		"[countIf(' AS ')] AS d": {"[countIf(' AS ')]", "d"},
	} {
		if e, n := splitAlias(in); e != want[0] || n != want[1] {
			t.Errorf("splitAlias(%s) = %q, %q", in, e, n)
		}
	}
}

// The level of quantileSQL: the smallest double not below 1 - p.
func TestQuantileLevel(t *testing.T) {
	for p, want := range map[int64]string{
		900000: "0.1", 500000: "0.5", 1000000: "0", 1: "0.9999990000000001",
		700000: "0.30000000000000004", // 0.3 is 0.29999999999999998…
		850000: "0.15000000000000002", 750000: "0.25",
	} {
		if got := quantileLevel(p); got != want {
			t.Errorf("quantileLevel(%d) = %s, want %s", p, got, want)
		}
	}
}
