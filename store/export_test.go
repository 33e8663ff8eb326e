package store

import (
	"context"
	"fmt"

	"globaloffice/model"
)

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

// CompletionEntries renders the entries completionEntries derives, one
// "id month entry" each.
func CompletionEntries(rows []model.Case, stale map[CaseKey][]int) []string {
	var out []string
	for _, e := range completionEntries(rows, stale) {
		out = append(out, fmt.Sprintf("%s %d %s", e.c.ID, e.month, e.entry))
	}
	return out
}

// PretendCluster makes db behave as opened on replica server of cluster
// (the replica guard of MergedParts, on a single server).
func PretendCluster(db *DB, cluster, server string) { db.cluster, db.server = cluster, server }

// ReadServer is the identity of the server db's next query reaches.
func ReadServer(ctx context.Context, db *DB) (string, error) { return db.readServer(ctx) }
