package chserver

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Server describes one local ClickHouse server.
type Server struct {
	Dir          string // everything of the server lives here: config, data, logs, pid
	Binary       string // clickhouse-server (or clickhouse) binary; empty: search PATH
	TCPPort      int
	HTTPPort     int
	StartTimeout time.Duration
	// ReadOnlyUser, when set, is a user of the readonly profile (reads and
	// session settings only), for Grafana's data source.
	ReadOnlyUser     string
	ReadOnlyPassword string
	// Replica, when set, makes the server one replica of a one-shard
	// cluster (store/chcluster).
	Replica *Replica
}

// Status is what Status, Start and Stop report.
type Status struct {
	Running bool
	PID     int
	Addr    string
	Version string
	Dir     string
	Started bool // Start launched it (false: it was already running)
}

func (st Status) String() string {
	if !st.Running {
		return fmt.Sprintf("clickhouse: not running (folder %s)", st.Dir)
	}
	return fmt.Sprintf("clickhouse: running, pid %d, %s, version %s, folder %s", st.PID, st.Addr, st.Version, st.Dir)
}

// ErrNoBinary means no ClickHouse server binary could be found.
var ErrNoBinary = errors.New("clickhouse-server not found: install it (Debian/Ubuntu: apt-get install clickhouse-server clickhouse-client, or run make clickhouse) or set clickhouse.server_path")

func (s Server) addr() string       { return fmt.Sprintf("127.0.0.1:%d", s.TCPPort) }
func (s Server) configPath() string { return filepath.Join(s.Dir, "config.xml") }
func (s Server) pidPath() string    { return filepath.Join(s.Dir, "clickhouse.pid") }
func (s Server) errLogPath() string { return filepath.Join(s.Dir, "log", "server.err.log") }
func (s Server) stdoutPath() string { return filepath.Join(s.Dir, "log", "stdout.log") }
func (s Server) lockPath() string   { return filepath.Join(s.Dir, "lock") }
func (s Server) usersPath() string  { return filepath.Join(s.Dir, "users.xml") }
func (s Server) timeout() time.Duration {
	if s.StartTimeout <= 0 {
		return 60 * time.Second
	}
	return s.StartTimeout
}

// Start launches the server unless it already runs, and waits until it
// answers. Starting a running server is harmless.
func (s Server) Start(ctx context.Context) (Status, error) {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return Status{}, fmt.Errorf("clickhouse folder: %w", err)
	}
	unlock, err := s.lock()
	if err != nil {
		return Status{}, err
	}
	defer unlock()

	if pid, ok := s.ourPID(); ok {
		st, err := s.waitReady(ctx, pid, nil)
		if err != nil {
			return Status{}, fmt.Errorf("clickhouse pid %d is running but does not answer: %w", pid, err)
		}
		return st, nil
	}

	bin, args, err := s.command()
	if err != nil {
		return Status{}, err
	}
	ports := []int{s.TCPPort, s.HTTPPort}
	if s.Replica != nil {
		ports = append(ports, s.Replica.InterserverPort)
	}
	for _, p := range ports {
		if err := portFree(p); err != nil {
			return Status{}, err
		}
	}
	if err := s.writeConfig(); err != nil {
		return Status{}, err
	}
	out, err := os.OpenFile(s.stdoutPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return Status{}, fmt.Errorf("clickhouse log: %w", err)
	}
	defer out.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = out, out
	// Its own session: the server outlives this command and a Ctrl-C in the
	// terminal that started it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return Status{}, fmt.Errorf("start %s: %w", bin, err)
	}
	pid := cmd.Process.Pid
	if err := os.WriteFile(s.pidPath(), []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		_ = cmd.Process.Kill()
		return Status{}, fmt.Errorf("clickhouse pid file: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // reaps it if it dies while we run
	st, err := s.waitReady(ctx, pid, exited)
	if err != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		_ = os.Remove(s.pidPath())
		return Status{}, fmt.Errorf("clickhouse did not start: %w\n%s", err, s.logTail())
	}
	st.Started = true
	return st, nil
}

// Stop ends the server recorded in the pid file and waits until it is gone.
// Stopping a stopped server is harmless.
func (s Server) Stop(ctx context.Context) (Status, error) {
	st := Status{Dir: s.Dir}
	if _, err := os.Stat(s.Dir); errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	unlock, err := s.lock()
	if err != nil {
		return st, err
	}
	defer unlock()
	pid, ok := s.ourPID()
	if !ok {
		_ = os.Remove(s.pidPath())
		return st, nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(s.timeout())
	for Alive(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err := os.Remove(s.pidPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return st, err
	}
	st.PID = pid
	return st, nil
}

// Status tells whether the server runs and answers.
func (s Server) Status(ctx context.Context) (Status, error) {
	st := Status{Dir: s.Dir}
	pid, ok := s.ourPID()
	if !ok {
		return st, nil
	}
	st.PID, st.Addr = pid, s.addr()
	v, err := s.ping(ctx)
	if err != nil {
		return st, fmt.Errorf("clickhouse pid %d runs but does not answer on %s: %w", pid, s.addr(), err)
	}
	st.Running, st.Version = true, v
	return st, nil
}

func (s Server) waitReady(ctx context.Context, pid int, exited <-chan error) (Status, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	var last error
	for {
		v, err := s.ping(ctx)
		if err == nil {
			return Status{Running: true, PID: pid, Addr: s.addr(), Version: v, Dir: s.Dir}, nil
		}
		last = err
		select {
		case err := <-exited:
			return Status{}, fmt.Errorf("clickhouse-server exited: %v", err)
		case <-ctx.Done():
			return Status{}, fmt.Errorf("no answer on %s within %s: %w", s.addr(), s.timeout(), last)
		case <-time.After(200 * time.Millisecond):
		}
		if exited == nil && !Alive(pid) {
			return Status{}, errors.New("the process exited")
		}
	}
}

func (s Server) ping(ctx context.Context) (string, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{s.addr()},
		Auth:        clickhouse.Auth{Database: "default", Username: "default"},
		DialTimeout: time.Second,
		ReadTimeout: 5 * time.Second,
	})
	if err != nil {
		return "", err
	}
	defer conn.Close()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := conn.Ping(pctx); err != nil {
		return "", err
	}
	v, err := conn.ServerVersion()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d.%d.%d", v.Version.Major, v.Version.Minor, v.Version.Patch), nil
}

// ourPID reads the pid file and checks that the process is alive and is the
// server started with our config (a pid may have been reused since).
func (s Server) ourPID() (int, bool) {
	pid, ok := PIDFile(s.pidPath())
	if !ok {
		return 0, false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err == nil && !bytes.Contains(cmdline, []byte(s.configPath())) {
		return 0, false
	}
	return pid, true
}

// PIDFile is the process whose pid the file at path holds, when it is
// alive (the caller checks that it is its own: a pid may be reused).
func PIDFile(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 || !Alive(pid) {
		return 0, false
	}
	return pid, true
}

// Alive reports whether pid exists and is not a zombie.
func Alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	// The state follows the parenthesised command name.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z' && stat[i+2] != 'X'
	}
	return true
}

// command finds the binary: clickhouse-server, or the single clickhouse
// binary of current releases with its server subcommand.
func (s Server) command() (string, []string, error) {
	cfg := "--config-file=" + s.configPath()
	if s.Binary != "" {
		if _, err := os.Stat(s.Binary); err != nil {
			return "", nil, fmt.Errorf("clickhouse.server_path %s: %w", s.Binary, err)
		}
		if filepath.Base(s.Binary) == "clickhouse" {
			return s.Binary, []string{"server", cfg}, nil
		}
		return s.Binary, []string{cfg}, nil
	}
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p, []string{cfg}, nil
	}
	for _, p := range []string{"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if _, err := os.Stat(p); err == nil {
			return p, []string{cfg}, nil
		}
	}
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return p, []string{"server", cfg}, nil
	}
	return "", nil, ErrNoBinary
}

func portFree(port int) error {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("port %d on 127.0.0.1 is taken by another process: choose others with clickhouse.tcp_port / clickhouse.http_port (%w)", port, err)
	}
	return l.Close()
}

func (s Server) lock() (func(), error) {
	f, err := os.OpenFile(s.lockPath(), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("clickhouse lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("clickhouse lock: %w", err)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

func (s Server) logTail() string { return LogTail(s.errLogPath(), s.stdoutPath()) }

// LogTail is the end of each non-empty log file of paths, for an error.
func LogTail(paths ...string) string {
	var parts []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			continue
		}
		if len(b) > 2000 {
			b = b[len(b)-2000:]
		}
		parts = append(parts, p+":\n"+string(b))
	}
	return strings.Join(parts, "\n")
}

func (s Server) writeConfig() error {
	// The user's name is an XML element of users.xml.
	if s.ReadOnlyUser != "" && !userName.MatchString(s.ReadOnlyUser) {
		return fmt.Errorf("read-only user %q: use letters, digits and _ only", s.ReadOnlyUser)
	}
	// The cluster's name is an element, the macros are text.
	if r := s.Replica; r != nil && (!userName.MatchString(r.Cluster) || !macroValue.MatchString(r.Shard) || !macroValue.MatchString(r.Name)) {
		return fmt.Errorf("replica cluster %q, shard %q, name %q: use letters, digits and _ only", r.Cluster, r.Shard, r.Name)
	}
	for _, d := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o755); err != nil {
			return fmt.Errorf("clickhouse folder: %w", err)
		}
	}
	for path, tpl := range map[string]*template.Template{s.configPath(): configXML, s.usersPath(): usersXML} {
		var buf bytes.Buffer
		if err := tpl.Execute(&buf, s); err != nil {
			return err
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("clickhouse config: %w", err)
		}
	}
	return nil
}

var (
	userName   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	macroValue = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
)

// xmlText escapes a value for an XML element's text.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// The config holds only what a throwaway server needs; <yandex> is the root
// element 18.16 requires and current releases still accept.
var configXML = template.Must(template.New("config").Parse(`<?xml version="1.0"?>
<!-- Written by globaloffice clickhouse start; edits are overwritten. -->
<yandex>
    <logger>
        <level>information</level>
        <log>{{.Dir}}/log/server.log</log>
        <errorlog>{{.Dir}}/log/server.err.log</errorlog>
        <size>100M</size>
        <count>2</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{{.TCPPort}}</tcp_port>
    <http_port>{{.HTTPPort}}</http_port>
    <path>{{.Dir}}/data/</path>
    <tmp_path>{{.Dir}}/tmp/</tmp_path>
    <user_files_path>{{.Dir}}/user_files/</user_files_path>
    <format_schema_path>{{.Dir}}/format_schemas/</format_schema_path>
    <users_config>{{.Dir}}/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>268435456</mark_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>{{with .Replica}}
    <interserver_http_port>{{.InterserverPort}}</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <zookeeper>{{range .ZooKeeperNodes}}
        <node><host>{{.Host}}</host><port>{{.Port}}</port></node>{{end}}
        <session_timeout_ms>{{.SessionMillis}}</session_timeout_ms>
    </zookeeper>
    <macros><shard>{{.Shard}}</shard><replica>{{.Name}}</replica></macros>
    <remote_servers>
        <{{.Cluster}}>
            <shard>
                <internal_replication>true</internal_replication>{{range .ReplicaNodes}}
                <replica><host>{{.Host}}</host><port>{{.Port}}</port></replica>{{end}}
            </shard>
        </{{.Cluster}}>
    </remote_servers>
    <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>{{end}}
</yandex>
`))

// usersXML has the readonly profile at readonly = 2: no writes and no DDL,
// but session settings allowed, because the Grafana plugin sends its query
// timeout as max_execution_time, which readonly = 1 refuses.
var usersXML = template.Must(template.New("users").Funcs(template.FuncMap{"xml": xmlText}).Parse(`<?xml version="1.0"?>
<!-- Written by globaloffice clickhouse start; edits are overwritten. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>8000000000</max_memory_usage>{{if .Replica}}{{if .Replica.LowCardinalityDDL}}
            <allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>{{end}}{{end}}
        </default>
        <readonly>
            <max_memory_usage>8000000000</max_memory_usage>
            <readonly>2</readonly>
        </readonly>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>{{if .ReadOnlyUser}}
        <{{xml .ReadOnlyUser}}>
            <password>{{xml .ReadOnlyPassword}}</password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>readonly</profile>
            <quota>default</quota>
        </{{xml .ReadOnlyUser}}>{{end}}
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
`))
