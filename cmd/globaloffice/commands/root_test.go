package commands

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"globaloffice/store"
	"globaloffice/store/chtest"
)

// cli runs the binary's entry point with an environment that points at the
// test's own database.
type cli struct {
	t    *testing.T
	env  []string
	opts store.Options // the test's database
}

func newCLI(t *testing.T) cli {
	opts := chtest.Reserve(t)
	return cli{t: t, opts: opts, env: []string{
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

// repoFile is a file of the repository, from this package's folder.
func repoFile(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", ".."}, parts...)...)
}

func TestBadSettingsFail(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"config"}, []string{"GLOBALOFFICE_NOPE=1"}, nil, &out, &errb)
	if code != exitFailure || !strings.Contains(errb.String(), "unknown environment variable GLOBALOFFICE_NOPE") {
		t.Errorf("exit %d, %q", code, errb.String())
	}
}

func TestGetenv(t *testing.T) {
	f := func(env []string, key, want string) {
		t.Helper()
		if got := (&app{env: env}).getenv(key); got != want {
			t.Errorf("getenv(%q) in %q = %q, want %q", key, env, got, want)
		}
	}
	f(nil, "USER", "")
	f([]string{"USER=ana"}, "USER", "ana")
	f([]string{"USERNAME=bo", "USER=ana"}, "USER", "ana") // a longer name is another variable
	f([]string{"USER=ana", "USER=bo"}, "USER", "bo")      // the last one wins, as in config.Load
	f([]string{"GOMEMLIMIT=1GiB=x"}, "GOMEMLIMIT", "1GiB=x")
	f([]string{"USER"}, "USER", "") // no '=': not a variable
}

// TestByDefaultsToRunEnvUser: without --by, targets import and close record
// $USER of Run's environment — "cli" when it has none — never the process's.
func TestByDefaultsToRunEnvUser(t *testing.T) {
	t.Setenv("USER", "process-user")
	c := newCLI(t)
	if code, _, stderr := c.run("migrate"); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := c.run("sites", "import", repoFile("demo", "sites.csv")); code != exitOK {
		t.Fatal(stderr)
	}
	targets := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(targets, []byte("indicator,scope,year,target\nreception.wait_20min,region:84,2026,80\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := c.env
	c.env = append(base[:len(base):len(base)], "USER=env-user")
	if code, out, stderr := c.run("targets", "import", targets); code != exitOK || !strings.Contains(out, "(set by env-user)") {
		t.Errorf("targets import with USER in Run's env: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := c.run("close", "--period", "2026-05"); code != exitOK || !strings.Contains(out, "closed 2026-05: revision 1") {
		t.Fatalf("close: exit %d\n%s%s", code, out, stderr)
	}
	c.env = base
	if code, out, stderr := c.run("targets", "import", targets); code != exitOK || !strings.Contains(out, "(set by cli)") {
		t.Errorf("targets import without USER in Run's env: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := c.run("close", "--period", "2026-05"); code != exitOK || !strings.Contains(out, "closed 2026-05: revision 2") {
		t.Fatalf("second close: exit %d\n%s%s", code, out, stderr)
	}

	// Both imports may fall in the same second (set_at): compare the SET BY
	// column as a set.
	code, out, stderr := c.run("targets", "history", "--indicator", "reception.wait_20min")
	var setBy []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if f := strings.Fields(line); len(f) == 7 {
			setBy = append(setBy, f[5])
		}
	}
	slices.Sort(setBy)
	if want := []string{"cli", "env-user"}; code != exitOK || !slices.Equal(setBy, want) {
		t.Errorf("targets history: SET BY %q, want %q; exit %d\n%s%s", setBy, want, code, out, stderr)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, c.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Conn().Query(ctx, "SELECT revision, any(closed_by), uniqExact(closed_by) FROM results WHERE period = '2026-05' GROUP BY revision ORDER BY revision")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var rev uint32
		var by string
		var n uint64
		if err := rows.Scan(&rev, &by, &n); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %s %d", rev, by, n))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"1 env-user 1", "2 cli 1"}; !slices.Equal(got, want) {
		t.Errorf("closed_by per revision: %q, want %q", got, want)
	}
}
