package commands

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"globaloffice/store"
)

// TestIngestFileWithDecoderMapping: a mapping with a decoder of its own
// (Asterisk's queue_log, a file without extension) reads the file with that
// decoder; the format was asked for from the file's extension instead.
func TestIngestFileWithDecoderMapping(t *testing.T) {
	c := newCLI(t)
	if code, out, stderr := c.run("migrate"); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := c.run("sites", "import", repoFile("demo", "sites.csv")); code != exitOK {
		t.Fatalf("sites import: exit %d\n%s%s", code, out, stderr)
	}
	log := repoFile("ingest", "testdata", "queue_log")
	code, out, stderr := c.run("ingest", "contacts", "--mapping", "asterisk-queue-log", log)
	// 4 calls stored; 2 refused, 2 pending (see ingest's TestMappings):
	// exit 2.
	if code != exitPartial || !strings.Contains(stderr, log+":line 13: site:") || !strings.Contains(stderr, log+": 2 calls pending") {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitPartial, out, stderr)
	}
	if f := strings.Fields(strings.Split(out, "\n")[1]); len(f) != 7 || f[1] != "8" || f[2] != "4" || f[4] != "2" || f[6] != "2" {
		t.Errorf("summary %q: want 1 file, 8 received, 4 accepted, 2 rejected, 2 pending", out)
	}
}

// TestIngestCallSplitAcrossFiles: a call whose ENTERQUEUE and CONNECT are
// in one day's queue_log and its COMPLETECALLER in the next day's is one
// contact, answered, with the times of both files; the second file sent
// twice does not double it; `ingest pending` shows the part waiting.
func TestIngestCallSplitAcrossFiles(t *testing.T) {
	c := newCLI(t)
	if code, out, stderr := c.run("migrate"); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := c.run("sites", "import", repoFile("demo", "sites.csv")); code != exitOK {
		t.Fatalf("sites import: exit %d\n%s%s", code, out, stderr)
	}
	dir := t.TempDir()
	// 23:59:00 in Paris (21:59:00Z), answered 30 s later; the caller hangs
	// up at 00:05:00 the next day.
	day1, day2 := filepath.Join(dir, "queue_log.1"), filepath.Join(dir, "queue_log")
	for path, body := range map[string]string{
		day1: "1778795940|c7.1|support-paris|NONE|ENTERQUEUE||0601020304|1\n1778795970|c7.1|support-paris|SIP/agent-2|CONNECT|30|c7.2|2\n",
		day2: "1778796300|c7.1|support-paris|SIP/agent-2|COMPLETECALLER|30|330|1\n",
	} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// summary: files, received, accepted, duplicates, rejected, spooled, pending
	ingest := func(path, want string) {
		t.Helper()
		code, out, stderr := c.run("ingest", "contacts", "--mapping", "asterisk-queue-log", path)
		lines := strings.Split(out, "\n")
		if code != exitOK || len(lines) < 2 || strings.Join(strings.Fields(lines[1]), " ") != want {
			t.Fatalf("ingest %s: exit %d, summary %q, want %q\n%s", path, code, out, want, stderr)
		}
	}
	ingest(day1, "1 1 0 0 0 0 1")
	code, out, stderr := c.run("ingest", "pending", "--state", "open")
	if code != exitOK || !strings.Contains(out, "asterisk  c7.1    open") || !strings.Contains(out, "1 parts") {
		t.Fatalf("ingest pending: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := c.run("status"); code != exitOK || !strings.Contains(out, "waiting for their other part: 1 ") {
		t.Errorf("status: exit %d\n%s%s", code, out, stderr)
	}
	ingest(day2, "1 1 1 0 0 0 0")
	ingest(day2, "1 1 0 1 0 0 0")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, c.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n uint64
	q := "SELECT count() FROM contacts FINAL WHERE id = 'c7.1' AND site = 'PF-IDF' AND outcome = 'served'" +
		" AND arrived_at = toDateTime('2026-05-14 21:59:00', 'UTC') AND answered_at = toDateTime('2026-05-14 21:59:30', 'UTC')" +
		" AND ended_at = toDateTime('2026-05-14 22:05:00', 'UTC')"
	if err := db.Conn().QueryRow(ctx, q).Scan(&n); err != nil || n != 1 {
		t.Errorf("%s: %d %v, want 1", q, n, err)
	}
	if err := db.Conn().QueryRow(ctx, "SELECT count() FROM contacts").Scan(&n); err != nil || n != 1 {
		t.Errorf("%d contacts, want 1 (%v)", n, err)
	}
}
