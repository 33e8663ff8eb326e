// Package chcluster runs a replicated ClickHouse cluster on loopback: a
// standalone ZooKeeper (Debian's jar, started with java) and the replicas
// of one shard (store/chserver servers with ZooKeeper, macros and the
// cluster in their config), each in a folder of its own, every process
// started here, its pid recorded, and stopped by that pid. The tests of
// this package share one (with a database each: Cluster.Database);
// globaloffice clickhouse cluster runs one under the home folder. The tests of this package are the platform's on a cluster
// (globaloffice migrate on every replica, the collectors on one replica
// and the indicator figures on the other, a replica killed, ZooKeeper
// stopped, repeated rejects, the rebuild); make test-cluster runs them
// alone.
package chcluster
