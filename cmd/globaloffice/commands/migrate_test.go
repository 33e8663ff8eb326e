package commands

import (
	"strings"
	"testing"
)

// TestMigrateTwice: a command refuses a database without the schema; migrate
// applies it once and the second run applies nothing.
func TestMigrateTwice(t *testing.T) {
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
}
