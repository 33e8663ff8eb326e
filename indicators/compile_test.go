package indicators

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"globaloffice/calendar"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestCompileGolden compiles every default indicator for May 2026 with its
// previous month and May 2025, and compares SQL and bound values with
// testdata/sql/<id>.golden (go test -update rewrites them; review the diff).
// Indicators that read cases also have the raw path's SQL (Compiler.Raw),
// in testdata/sql/raw/<id>.golden; the others compile the same on both
// paths.
func TestCompileGolden(t *testing.T) {
	cat, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := ParsePeriod("2026-05", date(2026, 11, 27))
	c := &Compiler{Calendar: calendar.New(calendar.Options{}), Timezones: []string{"Europe/Paris", "America/Cayenne", "Europe/Paris"}}
	raw := &Compiler{Calendar: c.Calendar, Raw: true, Timezones: c.Timezones}
	for _, d := range cat.Indicators {
		got := goldenText(t, c, d, p)
		checkGolden(t, filepath.Join("testdata", "sql", d.ID+".golden"), got)
		rawText := goldenText(t, raw, d, p)
		if d.Source == "cases" || readsCases[d.Measure.Name()] {
			checkGolden(t, filepath.Join("testdata", "sql", "raw", d.ID+".golden"), rawText)
		} else if rawText != got {
			t.Errorf("%s: the raw path compiles another query for %s", d.ID, d.Source)
		}
	}
}

// readsCases are the measures of other sources that read cases too.
var readsCases = map[string]bool{"chasing_share": true}

// goldenText renders the query of d over p, its previous period and last
// year, and its bound values.
func goldenText(t *testing.T, c *Compiler, d *Definition, p Period) string {
	t.Helper()
	q, err := c.Compile(d, []Period{p, p.Previous(), p.LastYear()})
	if err != nil {
		t.Fatalf("%s: %v", d.ID, err)
	}
	var b strings.Builder
	// Holiday arrays are long and checked by the working-day tests (the
	// backlog's measuring days by zone, short, stay).
	sql := q.SQL
	for from := 0; ; {
		i := strings.Index(sql[from:], "multiIf(zone = ")
		if i < 0 {
			break
		}
		i += from
		end, depth := i, 0
		for k := i; k < len(sql); k++ {
			if sql[k] == '(' {
				depth++
			} else if sql[k] == ')' {
				if depth--; depth == 0 {
					end = k + 1
					break
				}
			}
		}
		from = end
		if end-i > 1000 {
			sql = sql[:i] + "multiIf(zone = …holidays…)" + sql[end:]
			from = i + len("multiIf(zone = …holidays…)")
		}
	}
	fmt.Fprintf(&b, "%s\n", strings.ReplaceAll(sql, " FROM (", "\n  FROM ("))
	for _, a := range q.Args {
		nv := a.(driver.NamedValue)
		fmt.Fprintf(&b, "@%s = %#v\n", nv.Name, nv.Value)
	}
	return b.String()
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		_ = os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("compiled SQL differs from %s:\n%s", path, got)
	}
}

func TestCompileBindsValuesNotText(t *testing.T) {
	// A filter value that would break out of a string literal stays a bound value.
	d := &Definition{ID: "x", Source: "contacts", Filter: Filter{"motive": {"a') OR 1=1 --"}}, Measure: Count{}, Unit: "count", Direction: "higher"}
	p, _ := ParsePeriod("2026-05", date(2026, 11, 27))
	q, err := (&Compiler{Calendar: calendar.New(calendar.Options{})}).Compile(d, []Period{p})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(q.SQL, "OR 1=1") {
		t.Errorf("a filter value reached the SQL text: %s", q.SQL)
	}
}
