package grafana

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

// vars are a dashboard's variable values as Grafana holds them: a value,
// or "$__all" for All.
type vars map[string]string

// allValues are the variables' custom All values (those of the generated
// dashboards).
var allValues = map[string]string{"region": AllValue, "site": AllValue, "channel": AllValue}

var varRef = regexp.MustCompile(`\$\{(\w+)(?::(\w+))?\}|\$(\w+)`)

// interpolate does what Grafana's template service does to a query before
// sending it: ${v:singlequote} becomes the value quoted (quotes escaped
// with a backslash); a custom All value is inserted as it is, without the
// format. $__ names are left to the data source (macros).
func interpolate(sql string, v vars) (string, error) {
	var err error
	out := varRef.ReplaceAllStringFunc(sql, func(m string) string {
		g := varRef.FindStringSubmatch(m)
		name, format := g[1], g[2]
		if name == "" {
			name = g[3]
		}
		if strings.HasPrefix(name, "__") {
			return m
		}
		val, ok := v[name]
		if !ok {
			err = fmt.Errorf("variable %s has no value", name)
			return m
		}
		if val == "$__all" {
			if a, ok := allValues[name]; ok {
				return a
			}
			err = fmt.Errorf("variable %s: All without a custom all value", name)
			return m
		}
		switch format {
		case "singlequote":
			return "'" + strings.ReplaceAll(val, "'", `\'`) + "'"
		case "":
			return val
		}
		err = fmt.Errorf("variable %s: format %s not handled", name, format)
		return m
	})
	return out, err
}

var macroRef = regexp.MustCompile(`\$__(\w+)(?:\(([^)]*)\))?`)

// expand does what the ClickHouse plugin's pkg/macros does on the server
// (sqlds applies them to the interpolated query): only the macros the
// dashboards may use, so that $__timeInterval (toStartOfInterval, missing
// from 18.16) fails the tests.
func expand(sql string, from, to time.Time, interval time.Duration) (string, error) {
	dt := func(t time.Time) string { return fmt.Sprintf("toDateTime(%d)", t.Unix()) }
	d := func(t time.Time) string { return fmt.Sprintf("toDate('%s')", t.Format("2006-01-02")) }
	var err error
	out := macroRef.ReplaceAllStringFunc(sql, func(m string) string {
		g := macroRef.FindStringSubmatch(m)
		arg := strings.TrimSpace(g[2])
		switch g[1] {
		case "fromTime":
			return dt(from)
		case "toTime":
			return dt(to)
		case "timeFilter":
			return fmt.Sprintf("%s >= %s AND %s <= %s", arg, dt(from), arg, dt(to))
		case "dateFilter":
			return fmt.Sprintf("%s >= %s AND %s <= %s", arg, d(from), arg, d(to))
		case "interval_s":
			return fmt.Sprintf("%d", int(math.Max(interval.Seconds(), 1)))
		}
		err = fmt.Errorf("macro %s is not one the dashboards may use", m)
		return m
	})
	return out, err
}

func TestInterpolate(t *testing.T) {
	f := func(in string, v vars, want string) {
		t.Helper()
		got, err := interpolate(in, v)
		if err != nil || got != want {
			t.Errorf("interpolate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	f("site = ${site:singlequote}", vars{"site": "PAR-11"}, "site = 'PAR-11'")
	f("site = ${site:singlequote}", vars{"site": "l'Haÿ"}, `site = 'l\'Haÿ'`)
	f("${site:singlequote} = '__all'", vars{"site": "$__all"}, "'__all' = '__all'")
	f("x = $__interval_s AND $__timeFilter(t)", vars{}, "x = $__interval_s AND $__timeFilter(t)")
	if _, err := interpolate("${nope:singlequote}", vars{}); err == nil {
		t.Error("a variable without a value was accepted")
	}
}

func TestExpand(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC)
	f := func(in, want string) {
		t.Helper()
		got, err := expand(in, from, to, 3*time.Hour)
		if err != nil || got != want {
			t.Errorf("expand(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	// 2026-01-01T00:00:00Z is 1767225600; 2026-02-28T23:59:59Z is 1772323199.
	f("$__timeFilter(arrived_at)", "arrived_at >= toDateTime(1767225600) AND arrived_at <= toDateTime(1772323199)")
	f("$__dateFilter(d) AND toDate($__toTime)", "d >= toDate('2026-01-01') AND d <= toDate('2026-02-28') AND toDate(toDateTime(1772323199))")
	f("intDiv(x, $__interval_s)", "intDiv(x, 10800)")
	if _, err := expand("$__timeInterval(t)", from, to, time.Hour); err == nil {
		t.Error("$__timeInterval was accepted")
	}
}
