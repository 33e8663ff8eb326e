package chserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A replica's config names ZooKeeper, its macros and the cluster with
// every replica; the LowCardinality setting of 18.x goes into the default
// profile only when asked for.
func TestReplicaConfig(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		s := Server{Dir: t.TempDir(), TCPPort: 19211, HTTPPort: 19212, Replica: &Replica{
			Cluster: "qos", Shard: "01", Name: "r2", InterserverPort: 19213,
			ZooKeeper: []string{"127.0.0.1:2191"}, Replicas: []string{"127.0.0.1:19201", "127.0.0.1:19211"},
			LowCardinalityDDL: legacy,
		}}
		if err := s.writeConfig(); err != nil {
			t.Fatal(err)
		}
		cfg, _ := os.ReadFile(filepath.Join(s.Dir, "config.xml"))
		users, _ := os.ReadFile(filepath.Join(s.Dir, "users.xml"))
		for _, want := range []string{
			"<interserver_http_port>19213</interserver_http_port>",
			"<node><host>127.0.0.1</host><port>2191</port></node>",
			"<session_timeout_ms>3000</session_timeout_ms>",
			"<macros><shard>01</shard><replica>r2</replica></macros>",
			"<replica><host>127.0.0.1</host><port>19201</port></replica>",
			"<replica><host>127.0.0.1</host><port>19211</port></replica>",
			"<distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>",
		} {
			if !strings.Contains(string(cfg), want) {
				t.Errorf("config.xml lacks %s:\n%s", want, cfg)
			}
		}
		if got := strings.Contains(string(users), "<allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>"); got != legacy {
			t.Errorf("legacy %v: the LowCardinality setting in users.xml: %v", legacy, got)
		}
	}
	bad := Server{Dir: t.TempDir(), Replica: &Replica{Cluster: "q-s", Shard: "01", Name: "r1"}}
	if err := bad.writeConfig(); err == nil {
		t.Error("a cluster name that is not an XML element was accepted")
	}
}
