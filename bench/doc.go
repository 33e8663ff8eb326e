// Package bench measures globaloffice against a baseline on the same data
// in the same run, and prints ratios, so that results hold on a shared,
// noisy machine: only the ratio is compared with a goal. ingest.go times
// the collectors over HTTP (large requests from a few clients, small ones
// from many; serve.go starts the server and posts) against
// clickhouse-client's insert, indicators.go the engine against hand-written
// SQL, api.go the results routes against a bare gin handler, and export.go
// a 1,000,000-row raw xlsx export against a minimal excelize StreamWriter
// program (time and peak RSS of each child process).
package bench
