package store

import "context"

// DDLContext exposes the version-dependent DDL settings to the tests.
func DDLContext(ctx context.Context, db *DB) context.Context { return db.ddlContext(ctx) }

// SplitSQL exposes splitSQL to the tests.
var SplitSQL = splitSQL
