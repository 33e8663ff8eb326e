package main

import (
	"bytes"
	"context"
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

	bad := filepath.Join("..", "..", "ingest", "testdata", "sites_bad.csv")
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

	code, out, stderr = c.run("sites", "import", filepath.Join("..", "..", "demo", "sites.csv"))
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
