package ingest

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store/chtest"
)

func TestProbeHash(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	r := rand.New(rand.NewSource(1))
	var rows []model.Contact
	for n := 0; n < 300; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(32 + r.Intn(200))
		}
		id := strings.ToValidUTF8(string(b), "x")
		rows = append(rows, model.Contact{Source: fmt.Sprintf("src%d", n%7), ID: id, Site: "S", Channel: "phone", ArrivedAt: time.Now().UTC(), ArrivedDate: time.Now().UTC(), Outcome: "served"})
	}
	if err := db.InsertContacts(ctx, rows, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	got := map[uint64]bool{}
	if _, err := db.KeyHashes(ctx, "contacts", func(h uint64) { got[h] = true }); err != nil {
		t.Fatal(err)
	}
	miss := 0
	for _, c := range rows {
		h := binary.LittleEndian.Uint64(keyHash(c.Source, c.ID))
		if !got[h] {
			miss++
		}
	}
	t.Logf("missing %d of %d", miss, len(rows))
}

func TestProbeLongIDs(t *testing.T) {
	db := chtest.New(t)
	ids := make([]string, 4000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%070d", i)
	}
	_, err := db.ExistingKeys(context.Background(), "contacts", "s", ids)
	t.Logf("err=%v", err)
}
