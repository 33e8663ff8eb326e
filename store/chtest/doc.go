// Package chtest gives each test a ClickHouse database of its own on the
// server that make test starts (or the one GLOBALOFFICE_CLICKHOUSE_ADDR
// names), dropped when the test ends: New migrated to the current schema,
// Empty without tables, Reserve only its name (for commands that create
// it). Without a server the test fails when CI is set and is skipped
// otherwise.
package chtest
