package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

func TestTokens(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	mgr := model.Token{ID: "tk_1", Name: "Paris", Role: model.RoleManager, Sites: []string{"PAR-11", "PAR-18"}, Hash: "h1", CreatedAt: t0, CreatedBy: "ops", ExpiresAt: t0.Add(24 * time.Hour)}
	col := model.Token{ID: "tk_2", Name: "qms", Role: model.RoleCollector, Sources: []string{"qms"}, Hash: "h2", CreatedAt: t0.Add(time.Second), CreatedBy: "ops"}
	for _, tok := range []model.Token{mgr, col} {
		if err := db.PutToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	// Revoked in the same second it was created: the newer version wins.
	rev, err := db.RevokeToken(ctx, "tk_2", t0.Add(time.Second+300*time.Millisecond))
	if err != nil || !rev.RevokedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("revoke: %+v %v", rev, err)
	}
	again, err := db.RevokeToken(ctx, "tk_2", t0.Add(time.Hour))
	if err != nil || !again.RevokedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("revoke twice keeps the first time: %+v %v", again, err)
	}
	if _, err := db.RevokeToken(ctx, "tk_9", t0); !errors.Is(err, store.ErrNoToken) {
		t.Fatalf("revoke unknown: %v", err)
	}
	ts, err := db.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	col.Sites, col.RevokedAt = []string{}, t0.Add(time.Second)
	want := []model.Token{mgr, col}
	if len(ts) != 2 {
		t.Fatalf("%d tokens: %+v", len(ts), ts)
	}
	for i := range want {
		g, w := ts[i], want[i]
		if g.ID != w.ID || g.Name != w.Name || g.Role != w.Role || g.Hash != w.Hash || !g.CreatedAt.Equal(w.CreatedAt) || g.CreatedBy != w.CreatedBy ||
			!g.ExpiresAt.Equal(w.ExpiresAt) || !g.RevokedAt.Equal(w.RevokedAt) || len(g.Sites) != len(w.Sites) || len(g.Sources) != len(w.Sources) {
			t.Errorf("token %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if ts[0].Sites[1] != "PAR-18" || ts[1].Sources[0] != "qms" {
		t.Errorf("lists: %v %v", ts[0].Sites, ts[1].Sources)
	}
}
