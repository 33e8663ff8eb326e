package chserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// testServer is a server of the test's own, on free ports in a temp folder,
// stopped when the test ends whatever happens.
func testServer(t *testing.T) Server {
	t.Helper()
	s := Server{Dir: filepath.Join(t.TempDir(), "clickhouse"), TCPPort: freePort(t), HTTPPort: freePort(t), StartTimeout: time.Minute}
	if _, _, err := s.command(); errors.Is(err, ErrNoBinary) {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.Stop(ctx); err != nil {
			t.Errorf("cleanup stop: %v", err)
		}
	})
	return s
}

func TestLifecycle(t *testing.T) {
	s := testServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	st, err := s.Status(ctx)
	if err != nil || st.Running {
		t.Fatalf("status before start: %+v, %v", st, err)
	}

	first, err := s.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Running || !first.Started || first.PID == 0 || first.Version == "" {
		t.Fatalf("first start: %+v", first)
	}
	if first.Addr != fmt.Sprintf("127.0.0.1:%d", s.TCPPort) {
		t.Errorf("addr %s, want port %d", first.Addr, s.TCPPort)
	}

	second, err := s.Start(ctx)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	if second.Started || second.PID != first.PID {
		t.Errorf("second start launched another server: %+v (first %+v)", second, first)
	}

	st, err = s.Status(ctx)
	if err != nil || !st.Running || st.PID != first.PID {
		t.Fatalf("status: %+v, %v", st, err)
	}

	stopped, err := s.Stop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stopped.PID != first.PID {
		t.Errorf("stopped pid %d, want %d", stopped.PID, first.PID)
	}
	if Alive(first.PID) {
		t.Errorf("pid %d still alive after stop", first.PID)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "clickhouse.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file left behind: %v", err)
	}
	if err := portFree(s.TCPPort); err != nil {
		t.Errorf("port still taken after stop: %v", err)
	}

	again, err := s.Stop(ctx)
	if err != nil || again.PID != 0 {
		t.Errorf("second stop: %+v, %v", again, err)
	}
	if st, err := s.Status(ctx); err != nil || st.Running {
		t.Errorf("status after stop: %+v, %v", st, err)
	}

	// The data survives a restart.
	if _, err := s.Start(ctx); err != nil {
		t.Fatalf("restart: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "data")); err != nil {
		t.Error(err)
	}
}

func TestStartRefusesTakenPort(t *testing.T) {
	s := testServer(t)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", s.TCPPort))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = s.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("port %d on 127.0.0.1 is taken", s.TCPPort)) {
		t.Errorf("start on a taken port: %v", err)
	}
}

func TestStopLeavesOtherProcessesAlone(t *testing.T) {
	// A pid file pointing at a process that is not our server (pid reuse
	// after a reboot, say) must not get that process killed.
	s := testServer(t)
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()
	if err := os.WriteFile(s.pidPath(), []byte(strconv.Itoa(other.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stop(context.Background())
	if err != nil || st.PID != 0 {
		t.Errorf("stop with a foreign pid: %+v, %v", st, err)
	}
	if err := other.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("the foreign process was killed: %v", err)
	}
}

func TestMissingBinary(t *testing.T) {
	s := Server{Dir: t.TempDir(), Binary: "/nonexistent/clickhouse-server", TCPPort: freePort(t), HTTPPort: freePort(t)}
	_, err := s.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "clickhouse.server_path /nonexistent/clickhouse-server") {
		t.Errorf("start with a missing binary: %v", err)
	}
}
