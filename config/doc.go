// Package config loads globaloffice's settings from, in increasing order of
// precedence: built-in defaults, a YAML file, GLOBALOFFICE_* environment
// variables and command-line flags. Every setting has one key (its YAML path,
// e.g. clickhouse.tcp_port) from which the environment variable
// (GLOBALOFFICE_CLICKHOUSE_TCP_PORT) and the flag (--clickhouse-tcp-port) are
// derived, so the three can never disagree. Unknown keys are errors.
package config
