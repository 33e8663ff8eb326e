// Package api is globaloffice's HTTP server, a gin router: the collector
// endpoints it is handed (ingest's Routes, each registered under its own
// path), /metrics, /healthz, request durations by route, method and status
// code, and RFC 9457 problem details for every route it does not know. It
// depends on no collector: cmd wires them in.
package api
