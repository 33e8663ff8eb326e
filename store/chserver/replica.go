package chserver

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// Replica is a server's place in a one-shard replicated cluster: ZooKeeper,
// its macros, the cluster of remote_servers, its interserver port.
type Replica struct {
	Cluster         string   // name in remote_servers, for ON CLUSTER
	Shard           string   // the {shard} macro
	Name            string   // the {replica} macro
	InterserverPort int      // where the other replicas fetch parts
	ZooKeeper       []string // host:port of each ZooKeeper node
	Replicas        []string // native host:port of every replica, this one included
	// SessionTimeout is ZooKeeper's session timeout: a replica killed is
	// seen as gone after it.
	SessionTimeout time.Duration
	// LowCardinalityDDL puts allow_experimental_low_cardinality_type in
	// the default profile: ClickHouse 18.x runs a statement ON CLUSTER
	// with the server's settings, not the sender's, and refuses
	// LowCardinality columns without it (current releases refuse the
	// setting itself: see Legacy).
	LowCardinalityDDL bool
}

var reServerVersion = regexp.MustCompile(`version (\d+)\.`)

// Legacy tells whether the server binary is ClickHouse 18.x or older, by
// its --version: 18.x does not know the option, later releases print
// their version.
func (s Server) Legacy() (bool, error) {
	bin, args, err := s.command()
	if err != nil {
		return false, err
	}
	out, _ := exec.Command(bin, append(args[:len(args)-1], "--version")...).CombinedOutput()
	if m := reServerVersion.FindSubmatch(out); m != nil {
		major, err := strconv.Atoi(string(m[1]))
		return err == nil && major < 19, err
	}
	if bytes.Contains(out, []byte("Unknown option")) {
		return true, nil
	}
	return false, fmt.Errorf("%s --version: %q", bin, bytes.TrimSpace(out))
}

// HostPort is a host:port split for the config.
type HostPort struct {
	Host string
	Port string
}

func splitAll(addrs []string) ([]HostPort, error) {
	var out []HostPort
	for _, a := range addrs {
		h, p, err := net.SplitHostPort(a)
		if err != nil {
			return nil, fmt.Errorf("cluster address %q: %w", a, err)
		}
		out = append(out, HostPort{h, p})
	}
	return out, nil
}

// ZooKeeperNodes and ReplicaNodes are the addresses of the config.
func (r *Replica) ZooKeeperNodes() ([]HostPort, error) { return splitAll(r.ZooKeeper) }
func (r *Replica) ReplicaNodes() ([]HostPort, error)   { return splitAll(r.Replicas) }

// SessionMillis is the ZooKeeper session timeout in milliseconds.
func (r *Replica) SessionMillis() int64 {
	if r.SessionTimeout <= 0 {
		return 3000
	}
	return r.SessionTimeout.Milliseconds()
}
