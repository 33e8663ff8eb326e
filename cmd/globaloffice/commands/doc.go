// Package commands is the command line of globaloffice (cobra): Run takes the
// arguments, the environment and the streams and returns the exit status
// (0 ok, 1 failure, 2 some records refused and the rest stored), so tests
// drive every command with buffers; main only wires the process in.
//
// root.go holds Run, the state the commands share (settings loaded from
// defaults < file < GLOBALOFFICE_* < flags, the database, the catalog and
// engine, who acts) and the one list of commands; each top-level command has
// its file: clickhouse (the local server), migrate, sites, config, status,
// serve (the HTTP collectors, /metrics, the hourly purge of old rejects),
// ingest (files and folders), rejects, spool (the quarantine: list, retry),
// mappings, bench, demo (data generation, closing the demo quarters),
// indicators (catalog, compute), targets and close. collectors.go builds the
// ingest pipeline that serve and ingest share; print.go the indicator results
// printers (table, CSV, JSON, the regions matrix) on any io.Writer.
//
// Commands read the environment only through Run's env (USER, GOMEMLIMIT as
// well as the settings), never from the process.
package commands
