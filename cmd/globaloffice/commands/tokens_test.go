package commands

import (
	"strings"
	"testing"
	"time"
)

// TestTokens: create prints the secret once on stdout; list shows tokens
// without secret or hash; revoke marks one revoked.
func TestTokens(t *testing.T) {
	c := newCLI(t)
	c.env = append(c.env, "USER=ops")
	for _, args := range [][]string{{"migrate"}, {"sites", "import", repoFile("demo", "sites.csv")}} {
		if code, out, stderr := c.run(args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--role", "manager"}, "at least one --site"},
		{[]string{"--role", "manager", "--site", "NOPE"}, `--site "NOPE": unknown site`},
		{[]string{"--role", "root"}, `role "root"`},
		{[]string{"--role", "director", "--expires", "soon"}, `--expires: lifetime "soon"`},
		{[]string{"--role", "director", "--source", "qms"}, "--source limits collector tokens only"},
	} {
		code, out, stderr := c.run(append([]string{"tokens", "create"}, tc.args...)...)
		if code != exitFailure || out != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, out %q, stderr %q; want %q", tc.args, code, out, stderr, tc.want)
		}
	}
	code, secret, stderr := c.run("tokens", "create", "--role", "manager", "--site", "PAR-11", "--site", "PAR-18", "--name", "Paris", "--expires", "90d")
	secret = strings.TrimSpace(secret)
	if code != exitOK || !strings.HasPrefix(secret, "gof_") || !strings.Contains(stderr, "shown once") {
		t.Fatalf("create: exit %d %q %q", code, secret, stderr)
	}
	id := strings.Fields(stderr)[1]
	if code, _, stderr := c.run("tokens", "create", "--role", "collector", "--source", "qms"); code != exitOK {
		t.Fatalf("create collector: %s", stderr)
	}
	code, list, _ := c.run("tokens", "list")
	if code != exitOK || strings.Contains(list, secret) || strings.Contains(list, secret[4:20]) {
		t.Fatalf("list shows the secret or fails (%d):\n%s", code, list)
	}
	byRole := func(list string) map[string][]string {
		out := map[string][]string{}
		for _, line := range strings.Split(strings.TrimSpace(list), "\n")[1:] {
			f := strings.Fields(line)
			out[f[2]] = f
		}
		return out
	}
	rows := byRole(list)
	if len(rows) != 2 {
		t.Fatalf("list:\n%s", list)
	}
	f := rows["manager"]
	exp := time.Now().Add(90 * 24 * time.Hour).UTC().Format("2006-01-02")
	if f[0] != id || f[1] != "Paris" || f[3] != "PAR-11,PAR-18" || f[4] != "any" || f[6] != "ops" || !strings.HasPrefix(f[7], exp) || f[8] != "active" {
		t.Errorf("manager line %q", f)
	}
	if f := rows["collector"]; f[1] != "-" || f[3] != "any" || f[4] != "qms" || f[7] != "never" {
		t.Errorf("collector line %q", f)
	}
	if code, out, stderr := c.run("tokens", "revoke", id); code != exitOK || !strings.Contains(out, "revoked "+id) {
		t.Fatalf("revoke: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := c.run("tokens", "revoke", "tk_nope"); code != exitFailure || !strings.Contains(stderr, "no such token") {
		t.Errorf("revoke unknown: %d %s", code, stderr)
	}
	_, list, _ = c.run("tokens", "list")
	if rows := byRole(list); rows["manager"][8] != "revoked" || rows["collector"][8] != "active" {
		t.Errorf("after revoke:\n%s", list)
	}
}
