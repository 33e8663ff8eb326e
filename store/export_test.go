package store

import "context"

// DDLContext exposes the version-dependent DDL settings to the tests.
func DDLContext(ctx context.Context, db *DB) context.Context { return db.ddlContext(ctx) }

// CompressionOf names the compression used for addr.
func CompressionOf(addr string) string { return compression(addr).Method.String() }

// The pure parts of the package, for the tests.
var (
	SplitSQL     = splitSQL
	RejectsQuery = rejectsQuery
	LookupEnd    = lookupEnd
)
