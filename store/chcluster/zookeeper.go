package chcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"globaloffice/store/chserver"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DebianClassPath is where Debian's packages put ZooKeeper's server and a
// logger for it (libzookeeper-java, libslf4j-java).
const DebianClassPath = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar"

// ZooKeeper is a standalone ZooKeeper server of its own folder and port.
// It is started with java directly: Debian's zkServer.sh reads
// /etc/zookeeper and logs into /var/log/zookeeper.
type ZooKeeper struct {
	Dir       string
	Port      int
	Java      string // empty: java on PATH
	ClassPath string // empty: DebianClassPath

	cmd    *exec.Cmd
	exited chan struct{}
}

// Addr is the client address.
func (z *ZooKeeper) Addr() string { return fmt.Sprintf("127.0.0.1:%d", z.Port) }

// PID is the process started, 0 when none runs.
func (z *ZooKeeper) PID() int {
	if z.cmd == nil {
		return 0
	}
	return z.cmd.Process.Pid
}

// zooCfg: ticks of half a second, so that sessions may be as short as a
// second; the admin server (port 8080) off; the four-letter words that
// tell readiness allowed.
const zooCfg = `tickTime=500
initLimit=10
syncLimit=5
dataDir=%s
clientPort=%d
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,mntr
`

// Start launches ZooKeeper and waits until it serves. Its data folder is
// kept across a Stop and Start.
func (z *ZooKeeper) Start(ctx context.Context) error {
	if z.cmd != nil {
		return fmt.Errorf("zookeeper %s: already started (pid %d)", z.Addr(), z.PID())
	}
	if pid, ok := z.recordedPID(); ok {
		// Started by an earlier process (globaloffice clickhouse cluster
		// start): harmless.
		if err := z.waitServing(ctx, 10*time.Second); err != nil {
			return fmt.Errorf("zookeeper pid %d runs but does not serve on %s: %w", pid, z.Addr(), err)
		}
		return nil
	}
	for _, d := range []string{"data", "log"} {
		if err := os.MkdirAll(filepath.Join(z.Dir, d), 0o755); err != nil {
			return fmt.Errorf("zookeeper folder: %w", err)
		}
	}
	cfg := filepath.Join(z.Dir, "zoo.cfg")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, zooCfg, filepath.Join(z.Dir, "data"), z.Port), 0o644); err != nil {
		return fmt.Errorf("zookeeper config: %w", err)
	}
	java := z.Java
	if java == "" {
		java = "java"
	}
	cp := z.ClassPath
	if cp == "" {
		cp = DebianClassPath
	}
	out, err := os.OpenFile(filepath.Join(z.Dir, "log", "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("zookeeper log: %w", err)
	}
	defer out.Close()
	cmd := exec.Command(java, "-Xmx256m", "-Dzookeeper.log.dir="+filepath.Join(z.Dir, "log"), "-cp", cp,
		"org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg)
	cmd.Dir = z.Dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start zookeeper (%s): %w", java, err)
	}
	z.cmd, z.exited = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(z.exited)
	if err := os.WriteFile(z.pidPath(), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		_ = z.Stop(context.Background())
		return fmt.Errorf("zookeeper pid file: %w", err)
	}
	if err := z.waitServing(ctx, 60*time.Second); err != nil {
		_ = z.Stop(context.Background())
		return fmt.Errorf("zookeeper %s did not start: %w\n%s", z.Addr(), err, chserver.LogTail(filepath.Join(z.Dir, "log", "stdout.log")))
	}
	return nil
}

// waitServing waits until srvr reports a standalone server: ruok answers
// imok before ZooKeeper serves requests.
func (z *ZooKeeper) waitServing(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		out, err := z.word("srvr")
		if err == nil && strings.Contains(out, "Mode: standalone") {
			return nil
		}
		if err == nil {
			err = fmt.Errorf("srvr: %q", strings.TrimSpace(out))
		}
		last = err
		if time.Now().After(deadline) {
			return last
		}
		select {
		case <-z.exited:
			return errors.New("the process exited")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// word sends a four-letter word and reads the answer, within a second: a
// probe sent too early can otherwise hang for good.
func (z *ZooKeeper) word(w string) (string, error) {
	c, err := net.DialTimeout("tcp", z.Addr(), time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte(w)); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	return string(b), err
}

// Stop ends the process it started, or the one its pid file records
// (SIGTERM, SIGKILL after 10 s), and waits until it is gone. Stopping a
// stopped ZooKeeper is harmless.
func (z *ZooKeeper) Stop(ctx context.Context) error {
	if z.cmd == nil {
		pid, ok := z.recordedPID()
		if !ok {
			_ = os.Remove(z.pidPath())
			return nil
		}
		_ = syscall.Kill(pid, syscall.SIGTERM)
		deadline := time.Now().Add(10 * time.Second)
		for chserver.Alive(pid) {
			if time.Now().After(deadline) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("zookeeper pid %d: %w", pid, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
		return os.Remove(z.pidPath())
	}
	pid := z.cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-z.exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(pid, syscall.SIGKILL)
		<-z.exited
	case <-ctx.Done():
		_ = syscall.Kill(pid, syscall.SIGKILL)
		<-z.exited
	}
	z.cmd = nil
	_ = os.Remove(z.pidPath())
	return nil
}

// Running tells whether the ZooKeeper of the pid file runs, and serves.
func (z *ZooKeeper) Running() (pid int, serving bool) {
	pid, ok := z.recordedPID()
	if !ok {
		return 0, false
	}
	out, err := z.word("srvr")
	return pid, err == nil && strings.Contains(out, "Mode: standalone")
}

func (z *ZooKeeper) pidPath() string { return filepath.Join(z.Dir, "zookeeper.pid") }

// recordedPID is the pid of the pid file when that process lives and runs
// this folder's config (a pid may have been reused since).
func (z *ZooKeeper) recordedPID() (int, bool) {
	pid, ok := chserver.PIDFile(z.pidPath())
	if !ok {
		return 0, false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte(filepath.Join(z.Dir, "zoo.cfg"))) {
		return 0, false
	}
	return pid, true
}
