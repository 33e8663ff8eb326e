package store_test

import (
	"context"
	"strings"

	"globaloffice/store"
)

func clickhouseDDL(ctx context.Context, db *store.DB) context.Context {
	return store.DDLContext(ctx, db)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
