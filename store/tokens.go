package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"globaloffice/model"
)

// ErrNoToken is returned for a token id that was never created.
var ErrNoToken = errors.New("no such token")

// PutToken writes a token, new or changed (revoked): the newest version
// wins.
func (db *DB) PutToken(ctx context.Context, t model.Token) error {
	b, err := db.conn.PrepareBatch(ctx, `INSERT INTO tokens (id, name, role, sites, sources, hash, created_at, created_by, expires_at, revoked_at, version)`)
	if err != nil {
		return fmt.Errorf("save token %s: %w", t.ID, err)
	}
	if t.Sites == nil {
		t.Sites = []string{}
	}
	if t.Sources == nil {
		t.Sources = []string{}
	}
	if err := b.Append(t.ID, t.Name, string(t.Role), t.Sites, t.Sources, t.Hash, t.CreatedAt, t.CreatedBy,
		nullTime(t.ExpiresAt), nullTime(t.RevokedAt), uint64(time.Now().UnixNano())); err != nil {
		_ = b.Abort()
		return fmt.Errorf("save token %s: %w", t.ID, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("save token %s: %w", t.ID, err)
	}
	return nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Tokens lists every token, revoked and expired ones included, oldest
// first.
func (db *DB) Tokens(ctx context.Context) ([]model.Token, error) {
	rows, err := db.conn.Query(ctx, `SELECT id, name, toString(role), sites, sources, hash, created_at, created_by, expires_at, revoked_at
FROM tokens FINAL ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []model.Token
	for rows.Next() {
		var t model.Token
		var role string
		var exp, rev *time.Time
		if err := rows.Scan(&t.ID, &t.Name, &role, &t.Sites, &t.Sources, &t.Hash, &t.CreatedAt, &t.CreatedBy, &exp, &rev); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.Role = model.Role(role)
		if exp != nil {
			t.ExpiresAt = exp.UTC()
		}
		if rev != nil {
			t.RevokedAt = rev.UTC()
		}
		t.CreatedAt = t.CreatedAt.UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken marks a token revoked at the given time and returns it; a
// token already revoked keeps its first revocation time.
func (db *DB) RevokeToken(ctx context.Context, id string, at time.Time) (model.Token, error) {
	ts, err := db.Tokens(ctx)
	if err != nil {
		return model.Token{}, err
	}
	for _, t := range ts {
		if t.ID != id {
			continue
		}
		if !t.RevokedAt.IsZero() {
			return t, nil
		}
		t.RevokedAt = at.UTC().Truncate(time.Second)
		return t, db.PutToken(ctx, t)
	}
	return model.Token{}, fmt.Errorf("revoke %s: %w", id, ErrNoToken)
}
