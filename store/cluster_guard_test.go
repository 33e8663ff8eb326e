package store_test

import (
	"context"
	"errors"
	"testing"

	"globaloffice/store"
	"globaloffice/store/chtest"
)

// On a cluster, the part names of MergedParts are refused when the server
// listing them is not the replica the DB was opened on (a load balancer
// behind clickhouse.addr): another replica may not have those parts yet.
func TestMergedPartsOtherServer(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	if err := db.Conn().Exec(ctx, `INSERT INTO contacts (source, id, arrived_at, arrived_date) SELECT 'qms', 'c1', toDateTime('2026-01-05 10:00:00', 'UTC'), toDate('2026-01-05')`); err != nil {
		t.Fatal(err)
	}
	here, err := store.ReadServer(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	store.PretendCluster(db, "qos", here)
	if parts, err := db.MergedParts(ctx, "contacts"); err != nil || len(parts) != 1 {
		t.Errorf("opened here: parts %v, %v; want January, no error", parts, err)
	}
	store.PretendCluster(db, "qos", "elsewhere/r9")
	if _, err := db.MergedParts(ctx, "contacts"); !errors.Is(err, store.ErrOtherServer) {
		t.Errorf("opened elsewhere: %v, want ErrOtherServer", err)
	}
}
