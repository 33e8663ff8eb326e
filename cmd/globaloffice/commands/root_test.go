package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"globaloffice/store/chtest"
)

// cli runs the binary's entry point with an environment that points at the
// test's own database.
type cli struct {
	t   *testing.T
	env []string
}

func newCLI(t *testing.T) cli {
	opts := chtest.Reserve(t)
	return cli{t: t, env: []string{
		"GLOBALOFFICE_HOME=" + t.TempDir(),
		"GLOBALOFFICE_CLICKHOUSE_ADDR=" + opts.Addr,
		"GLOBALOFFICE_CLICKHOUSE_DATABASE=" + opts.Database,
	}}
}

func (c cli) run(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code = Run(ctx, args, c.env, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestMigrateTwiceAndSites(t *testing.T) {
	c := newCLI(t)

	code, _, stderr := c.run("sites", "list")
	if code != exitFailure || !strings.Contains(stderr, "run globaloffice migrate") {
		t.Errorf("sites list before migrate: exit %d, %q", code, stderr)
	}

	code, out, stderr := c.run("migrate")
	if code != exitOK || !strings.Contains(out, "applied 0001_schema") {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = c.run("migrate")
	if code != exitOK || strings.Contains(out, "applied 0001") || !strings.Contains(out, "0001_schema\tapplied") {
		t.Fatalf("second migrate: exit %d\n%s%s", code, out, stderr)
	}

	bad := filepath.Join("..", "..", "..", "ingest", "testdata", "sites_bad.csv")
	code, _, stderr = c.run("sites", "import", bad)
	if code != exitFailure {
		t.Errorf("import of a bad file: exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{
		bad + ":line 3: zone:",
		bad + ":line 4: timezone:",
		bad + ":line 5: id: duplicate id",
		"7 error(s), nothing imported",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	code, out, _ = c.run("sites", "list", "--format", "csv")
	if code != exitOK || out != strings.Join([]string{"id,name,kind,region,department,zone,timezone", ""}, "\n") {
		t.Errorf("after a refused import the sites must be empty: exit %d\n%s", code, out)
	}

	code, out, stderr = c.run("sites", "import", filepath.Join("..", "..", "..", "demo", "sites.csv"))
	if code != exitOK || !strings.Contains(out, "imported 42 sites") {
		t.Fatalf("import demo sites: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = c.run("sites", "list")
	if code != exitOK || !strings.Contains(out, "MAM-976") || !strings.Contains(out, "42 sites") {
		t.Errorf("sites list: exit %d\n%s", code, out)
	}
}

func TestClickhouseStatusWhenStopped(t *testing.T) {
	env := []string{"GLOBALOFFICE_HOME=" + t.TempDir(), "GLOBALOFFICE_CLICKHOUSE_TCP_PORT=1", "GLOBALOFFICE_CLICKHOUSE_HTTP_PORT=2"}
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"clickhouse", "status"}, env, nil, &out, &errb)
	if code != exitFailure || !strings.Contains(out.String(), "not running") {
		t.Errorf("status of a stopped server: exit %d, %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	code = Run(context.Background(), []string{"clickhouse", "stop"}, env, nil, &out, &errb)
	if code != exitOK || !strings.Contains(out.String(), "was not running") {
		t.Errorf("stop of a stopped server: exit %d, %q", code, out.String())
	}
}

func TestBadSettingsFail(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"config"}, []string{"GLOBALOFFICE_NOPE=1"}, nil, &out, &errb)
	if code != exitFailure || !strings.Contains(errb.String(), "unknown environment variable GLOBALOFFICE_NOPE") {
		t.Errorf("exit %d, %q", code, errb.String())
	}
}

func TestIndicatorsTargetsCloseCLI(t *testing.T) {
	c := newCLI(t)
	if code, _, stderr := c.run("migrate"); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := c.run("sites", "import", filepath.Join("..", "..", "..", "demo", "sites.csv")); code != exitOK {
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
	if code != exitOK || !strings.Contains(out, "reception.wait_20min,site,LYO-03,2026-05,75.000000,percent") || !strings.HasSuffix(strings.TrimSpace(out), ",1") {
		t.Errorf("closed compute: %d %s %s", code, out, stderr)
	}
}
