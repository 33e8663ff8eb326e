// Package chserver runs the local ClickHouse that globaloffice starts itself:
// a clickhouse-server child process with a config written into the data
// folder, listening on 127.0.0.1 on its own ports, its pid recorded so that
// stop ends exactly that process. It needs no root and no system config.
// With Replica set, the server is one replica of a one-shard cluster
// (ZooKeeper, macros, remote_servers; see store/chcluster).
package chserver
