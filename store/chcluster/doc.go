// Package chcluster runs a replicated ClickHouse cluster on loopback: a
// standalone ZooKeeper (Debian's jar, started with java) and the replicas
// of one shard (store/chserver servers with ZooKeeper, macros and the
// cluster in their config), each in a folder of its own, every process
// started here, its pid recorded, and stopped by that pid. Tests take one
// with ForTest; the cluster tests of this package (migrations on every
// replica, ingest on one replica and figures on the other, a replica
// killed, ZooKeeper stopped, the rejects kept, the rebuild) run with
// make test-cluster.
package chcluster
