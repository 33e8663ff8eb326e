package chcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"globaloffice/store/chserver"
)

// Name is the cluster's name in remote_servers: what clickhouse.cluster
// names.
const Name = "qos"

// SessionTimeout is the replicas' ZooKeeper session: a replica killed is
// taken for gone after it, and one restarted sooner finds its own session
// still "active" and retries only 10 s later.
const SessionTimeout = 3 * time.Second

// Cluster is ZooKeeper and the replicas of one shard, each in a folder of
// its own under Dir, on loopback ports.
type Cluster struct {
	Dir       string
	ZooKeeper *ZooKeeper
	Replicas  []chserver.Server

	mu     sync.Mutex
	killed map[int]time.Time
}

// Ports are the loopback ports of a cluster: ZooKeeper's, then native,
// HTTP and interserver ports of each replica.
type Ports struct {
	ZooKeeper int
	Replicas  [][3]int
}

// New describes a cluster of n replicas under dir (nothing is started).
// Replica i is named r<i+1>, shard 01.
func New(dir string, n int, p Ports) (*Cluster, error) {
	if n < 1 || len(p.Replicas) != n {
		return nil, fmt.Errorf("cluster: %d replicas, %d sets of ports", n, len(p.Replicas))
	}
	c := &Cluster{Dir: dir, ZooKeeper: &ZooKeeper{Dir: filepath.Join(dir, "zookeeper"), Port: p.ZooKeeper}, killed: map[int]time.Time{}}
	var natives []string
	for _, r := range p.Replicas {
		natives = append(natives, fmt.Sprintf("127.0.0.1:%d", r[0]))
	}
	for i, r := range p.Replicas {
		c.Replicas = append(c.Replicas, chserver.Server{
			Dir:          filepath.Join(dir, fmt.Sprintf("r%d", i+1)),
			TCPPort:      r[0],
			HTTPPort:     r[1],
			StartTimeout: time.Minute,
			Replica: &chserver.Replica{
				Cluster: Name, Shard: "01", Name: fmt.Sprintf("r%d", i+1),
				InterserverPort: r[2], ZooKeeper: []string{c.ZooKeeper.Addr()}, Replicas: natives,
				SessionTimeout: SessionTimeout,
			},
		})
	}
	legacy, err := c.Replicas[0].Legacy()
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	for i := range c.Replicas {
		c.Replicas[i].Replica.LowCardinalityDDL = legacy
	}
	return c, nil
}

// FreePorts picks free loopback ports for a cluster of n replicas.
func FreePorts(n int) (Ports, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	next := func() (int, error) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("free port: %w", err)
		}
		ls = append(ls, l)
		return l.Addr().(*net.TCPAddr).Port, nil
	}
	var p Ports
	var err error
	if p.ZooKeeper, err = next(); err != nil {
		return p, err
	}
	for range n {
		var r [3]int
		for j := range r {
			if r[j], err = next(); err != nil {
				return p, err
			}
		}
		p.Replicas = append(p.Replicas, r)
	}
	return p, nil
}

// Available tells whether this machine can run a cluster: java, Debian's
// ZooKeeper jar, and a ClickHouse server binary.
func Available() error {
	var missing []error
	if _, err := exec.LookPath("java"); err != nil {
		missing = append(missing, errors.New("java (apt-get install default-jre-headless)"))
	}
	if _, err := os.Stat("/usr/share/java/zookeeper.jar"); err != nil {
		missing = append(missing, errors.New("/usr/share/java/zookeeper.jar (apt-get install --no-install-recommends libzookeeper-java, or zookeeper)"))
	}
	if _, err := exec.LookPath("clickhouse-server"); err != nil {
		if _, err := os.Stat("/usr/sbin/clickhouse-server"); err != nil {
			missing = append(missing, chserver.ErrNoBinary)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no replicated ClickHouse cluster on this machine: missing %w", errors.Join(missing...))
	}
	return nil
}

// Addr is replica i's native address.
func (c *Cluster) Addr(i int) string { return fmt.Sprintf("127.0.0.1:%d", c.Replicas[i].TCPPort) }

// Start starts ZooKeeper, then every replica at once.
func (c *Cluster) Start(ctx context.Context) error {
	if err := c.ZooKeeper.Start(ctx); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	for i := range c.Replicas {
		g.Go(func() error { return c.StartReplica(gctx, i) })
	}
	return g.Wait()
}

// StartReplica starts replica i. After a Kill it first waits out the
// ZooKeeper session of the killed process: a replica back sooner finds
// that session's "is_active" node and retries replication only 10 s later.
func (c *Cluster) StartReplica(ctx context.Context, i int) error {
	c.mu.Lock()
	at, wasKilled := c.killed[i]
	delete(c.killed, i)
	c.mu.Unlock()
	if wasKilled {
		select {
		case <-time.After(time.Until(at.Add(SessionTimeout + 500*time.Millisecond))):
		case <-ctx.Done():
			return ctx.Err()
		}
		// A replica killed while it fetched a part finds on restart a part
		// that ZooKeeper does not list; in a small table that is most of
		// its rows, and the server refuses to start ("The local set of
		// parts ... doesn't look like the set of parts in ZooKeeper").
		// This flag, the documented recovery, has it detach such parts
		// and fetch them again; the server removes it once started.
		flags := filepath.Join(c.Replicas[i].Dir, "data", "flags")
		if err := os.MkdirAll(flags, 0o755); err != nil {
			return fmt.Errorf("replica r%d: %w", i+1, err)
		}
		if err := os.WriteFile(filepath.Join(flags, "force_restore_data"), nil, 0o644); err != nil {
			return fmt.Errorf("replica r%d: %w", i+1, err)
		}
	}
	if _, err := c.Replicas[i].Start(ctx); err != nil {
		return fmt.Errorf("replica r%d: %w", i+1, err)
	}
	return nil
}

// StopReplica stops replica i (SIGTERM, waited for).
func (c *Cluster) StopReplica(ctx context.Context, i int) error {
	if _, err := c.Replicas[i].Stop(ctx); err != nil {
		return fmt.Errorf("replica r%d: stop: %w", i+1, err)
	}
	return nil
}

// Kill ends replica i with SIGKILL, as a crash would, and waits until the
// process is gone.
func (c *Cluster) Kill(ctx context.Context, i int) error {
	st, err := c.Replicas[i].Status(ctx)
	if err != nil || !st.Running {
		return fmt.Errorf("replica r%d: kill: not running (%v)", i+1, err)
	}
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		return fmt.Errorf("replica r%d: kill %d: %w", i+1, st.PID, err)
	}
	c.mu.Lock()
	c.killed[i] = time.Now()
	c.mu.Unlock()
	// Stop waits until the pid is gone (or a zombie) and removes its file.
	if _, err := c.Replicas[i].Stop(ctx); err != nil {
		return fmt.Errorf("replica r%d: after kill: %w", i+1, err)
	}
	return nil
}

// Stop stops every replica, then ZooKeeper; it goes on past errors and
// returns them all.
func (c *Cluster) Stop(ctx context.Context) error {
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range c.Replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.StopReplica(ctx, i); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := c.ZooKeeper.Stop(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// FixedPorts are the ports of a cluster for people to try: ZooKeeper on
// zk, replica i (from 0) on base+10(i+1)+1 (native), +2 (HTTP), +3
// (interserver): 19211-3 and 19221-3 for base 19200.
func FixedPorts(zk, base, n int) Ports {
	p := Ports{ZooKeeper: zk}
	for i := range n {
		b := base + 10*(i+1)
		p.Replicas = append(p.Replicas, [3]int{b + 1, b + 2, b + 3})
	}
	return p
}
