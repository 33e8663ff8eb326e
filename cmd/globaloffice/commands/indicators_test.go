package commands

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndicatorsTargetsClose: compute against an imported target, a refused
// target file, then close and compute the frozen figures.
func TestIndicatorsTargetsClose(t *testing.T) {
	c := newCLI(t)
	if code, _, stderr := c.run("migrate"); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := c.run("sites", "import", repoFile("demo", "sites.csv")); code != exitOK {
		t.Fatal(stderr)
	}
	dir := t.TempDir()
	contacts := filepath.Join(dir, "c.csv")
	var b strings.Builder
	b.WriteString("id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team\n")
	for i := 0; i < 12; i++ {
		ans := "09:05:00"
		if i >= 9 {
			ans = "09:45:00"
		}
		fmt.Fprintf(&b, "T%d,qms,LYO-03,reception,2026-05-12T09:00:00,2026-05-12T%s,2026-05-12T09:50:00,served,,,\n", i, ans)
	}
	if err := os.WriteFile(contacts, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := c.run("ingest", "contacts", contacts); code != exitOK {
		t.Fatalf("ingest: %d %s %s", code, out, stderr)
	}
	targets := filepath.Join(dir, "t.csv")
	_ = os.WriteFile(targets, []byte("indicator,scope,year,target\nreception.wait_20min,region:84,2026,80\n"), 0o644)
	if code, out, stderr := c.run("targets", "import", targets, "--by", "tester"); code != exitOK || !strings.Contains(out, "imported 1 targets") {
		t.Fatalf("targets import: %d %s %s", code, out, stderr)
	}
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(bad, []byte("indicator,scope,year,target\nreception.wait_20min,region:99,2026,80\n"), 0o644)
	if code, _, stderr := c.run("targets", "import", bad); code != exitFailure || !strings.Contains(stderr, "line 2: scope: unknown region") {
		t.Errorf("bad targets: %d %s", code, stderr)
	}

	code, out, stderr := c.run("indicators", "compute", "--period", "2026-05", "--indicator", "reception.wait_20min", "--site", "LYO-03", "--format", "json")
	if code != exitOK {
		t.Fatalf("compute: %s", stderr)
	}
	var rs []map[string]any
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// LYO-03 (department 69, region 84): 9 of 12 within → 75%, target 80 (region), missed.
	var site map[string]any
	for _, r := range rs {
		if r["scope"] == "site" {
			site = r
		}
		for _, k := range []string{"indicator", "scope", "scope_id", "period", "value", "numerator", "denominator", "sample", "ci_low", "ci_high", "target", "status", "previous", "last_year", "required_rest_of_year"} {
			if _, ok := r[k]; !ok {
				t.Errorf("result lacks %q: %v", k, r)
			}
		}
	}
	if site == nil || site["value"] != 75.0 || site["target"] != 80.0 || site["status"] != "missed" || site["sample"] != 12.0 {
		t.Errorf("LYO-03: %v", site)
	}
	if len(rs) != 4 {
		t.Errorf("--site gives the site and the scopes above it: %d results", len(rs))
	}

	if code, out, _ := c.run("close", "--period", "2026-05", "--by", "tester"); code != exitOK || !strings.Contains(out, "revision 1") {
		t.Fatalf("close: %s", out)
	}
	code, out, stderr = c.run("indicators", "compute", "--period", "2026-05", "--indicator", "reception.wait_20min", "--scope", "site", "--site", "LYO-03", "--format", "csv")
	if code != exitOK || !strings.Contains(out, "reception.wait_20min,site,LYO-03,2026-05,75.000000,percent") || strings.Split(strings.Split(strings.TrimSpace(out), "\n")[1], ",")[16] != "1" { // revision
		t.Errorf("closed compute: %d %s %s", code, out, stderr)
	}
}

// TestIndicatorsList: the catalog's lines name each indicator's measure.
func TestIndicatorsList(t *testing.T) {
	c := cli{t: t, env: []string{"GLOBALOFFICE_HOME=" + t.TempDir()}}
	code, out, errOut := c.run("indicators", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	measures := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 2 {
			measures[f[0]] = f[1] + " " + f[2]
		}
	}
	for id, want := range map[string]string{
		"reception.wait_20min":     "contacts share",
		"reception.wait_p90":       "contacts quantile",
		"phone.pickup_rate":        "contacts ratio",
		"satisfaction.nps":         "surveys nps",
		"global.repeat_contact_7d": "contacts repeat_contact",
	} {
		if measures[id] != want {
			t.Errorf("%s: %q, want %q:\n%s", id, measures[id], want, out)
		}
	}
}
