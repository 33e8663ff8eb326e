//go:build faults

package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestFaultCloseWhileIngesting: a period is closed while files of that
// period are being ingested (each ingest its own process state and spool
// folder). The closed figures do not move afterwards; the live ones hold
// every acknowledged record once.
func TestFaultCloseWhileIngesting(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{"migrate"}, {"sites", "import", repoFile("demo", "sites.csv")}} {
		if code, out, stderr := c.run(args...); code != exitOK {
			t.Fatalf("%v: %d %s%s", args, code, out, stderr)
		}
	}
	dir := t.TempDir()
	// File f: n contacts at LYO-03 in May 2026, answered within 20 minutes
	// when fast, after 45 minutes otherwise.
	file := func(f, n int, fast bool) string {
		var b strings.Builder
		b.WriteString("id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team\n")
		ans := "09:45:00"
		if fast {
			ans = "09:05:00"
		}
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "F%d-%d,qms,LYO-03,reception,2026-05-%02dT09:00:00,2026-05-%02dT%s,2026-05-%02dT09:50:00,served,,,\n", f, i, 4+i%20, 4+i%20, ans, 4+i%20)
		}
		p := filepath.Join(dir, fmt.Sprintf("f%d.csv", f))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if code, out, stderr := c.run("ingest", "contacts", file(0, 200, true)); code != exitOK {
		t.Fatalf("ingest: %d %s %s", code, out, stderr)
	}
	compute := func(live bool) string {
		args := []string{"indicators", "compute", "--period", "2026-05", "--indicator", "reception.wait_20min", "--scope", "site", "--site", "LYO-03", "--format", "csv"}
		if live {
			args = append(args, "--live")
		}
		code, out, stderr := c.run(args...)
		if code != exitOK {
			t.Fatalf("compute: %d %s", code, stderr)
		}
		return strings.TrimSpace(out)
	}
	const files, per = 8, 300
	paths := make([]string, files)
	for f := range paths {
		paths[f] = file(f+1, per, false)
	}
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for f, p := range paths {
			if f == 1 {
				close(started)
			}
			if code, out, stderr := c.run("ingest", "contacts", p); code != exitOK {
				t.Errorf("ingest %s: %d %s %s", p, code, out, stderr)
			}
		}
	}()
	<-started
	if code, out, stderr := c.run("close", "--period", "2026-05", "--by", "tester"); code != exitOK || !strings.Contains(out, "revision 1") {
		t.Fatalf("close: %d %s %s", code, out, stderr)
	}
	atClose := compute(false)
	wg.Wait()
	after := compute(false)
	t.Logf("closed at the close:   %s", lastLine(atClose))
	t.Logf("closed after ingest:   %s", lastLine(after))
	if after != atClose {
		t.Errorf("closed figures moved:\n%s\nthen\n%s", atClose, after)
	}
	live := compute(true)
	t.Logf("live after ingest:     %s", lastLine(live))
	// Live: 200 fast + 8 × 300 slow = 2,600 contacts, 200 within 20 min:
	// 7.692308 %.
	if !strings.Contains(live, "reception.wait_20min,site,LYO-03,2026-05,7.692308,percent") || !strings.Contains(live, ",2600,") {
		t.Errorf("live figures after the ingest: %s", live)
	}
}

func lastLine(s string) string { return s[strings.LastIndex(s, "\n")+1:] }
